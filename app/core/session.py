"""The application's session class: `get()` cannot hand out a row outside the actor's scope."""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import inspect, select


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, with `get()` scoped like every other read.

    An identity-map hit issues no SQL, so no execute event sees it: a row loaded district-wide
    earlier in the request (duplicate detection, say) would come back from `get()` to a unit
    user. For a scoped model and a restricted actor, the hit is confirmed by a scoped query.
    """

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        obj = super().get(entity, ident, **kwargs)
        if obj is None or not self._in_scope(obj):
            return None
        return obj

    def get_one(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        from sqlalchemy.orm.exc import NoResultFound

        obj = self.get(entity, ident, **kwargs)
        if obj is None:
            raise NoResultFound("No row was found when one was required")
        return obj

    def _in_scope(self, obj: Any) -> bool:
        from app.core import scoping

        cls = type(obj)
        if not (issubclass(cls, scoping.UnitScoped) and cls.__auto_scoped__):
            return True
        if not scoping.restricts(self):
            return True
        mapper = inspect(cls)
        key = inspect(obj).identity
        stmt = select(*mapper.primary_key).where(
            *(column == value for column, value in zip(mapper.primary_key, key, strict=True))
        )
        return self.execute(stmt).first() is not None
