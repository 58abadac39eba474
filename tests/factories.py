"""Test data factories. Each call commits in its own app context and returns a plain record."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.core import history
from app.extensions import db
from app.units.models import Unit

PASSWORD = "Test@1234pw"


class Record(SimpleNamespace):
    """A committed row's column values, usable after its session is gone."""


def record(obj: Any) -> Record:
    """Copy an ORM object's column values into a Record."""
    mapper = inspect(obj).mapper
    return Record(**{attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs})


class Factory:
    """Creates rows for one application; more domains add methods here."""

    def __init__(self, app):
        self.app = app
        self._hash = None

    def add(self, obj: Any) -> Record:
        """Commit one object (as the system) and return its record."""
        with self.app.app_context():
            history.set_actor(db.session, None)
            db.session.add(obj)
            db.session.commit()
            return record(obj)

    def unit(self, name: str = "测试镇", kind: str = "乡镇街道", active: bool = True) -> Record:
        return self.add(Unit(name=name, kind=kind, active=active))

    def user(
        self,
        username: str,
        role: str,
        unit: Record | None = None,
        password: str = PASSWORD,
        must_change: bool = False,
        active: bool = True,
    ) -> Record:
        with self.app.app_context():
            password_hash = hash_password(password)
        return self.add(
            User(
                username=username,
                name=f"{username}姓名",
                role=role,
                unit_id=unit.id if unit else None,
                password_hash=password_hash,
                must_change_password=must_change,
                session_token=new_session_token(),
                active=active,
            )
        )
