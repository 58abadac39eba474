"""The demo data set: each domain adds its own records, in dependency order."""

from __future__ import annotations

from app.auth import demo as auth_demo
from app.core import history
from app.extensions import db
from app.units import demo as units_demo


def seed_demo() -> None:
    """Fill an empty database with a realistic demo data set (the caller commits)."""
    history.set_actor(db.session, None)
    history.note_reason(db.session, "演示数据")
    units = units_demo.seed()
    auth_demo.seed(units)


def demo_logins() -> list[tuple[str, str, str]]:
    """One login per role, to print."""
    return auth_demo.logins()
