"""The demo data set: each domain adds its own records, in dependency order."""

from __future__ import annotations

from app.auth import demo as auth_demo
from app.care import demo as care_demo
from app.core import history
from app.events import demo as events_demo
from app.extensions import db
from app.funds import demo as funds_demo
from app.keyprojects import demo as keyprojects_demo
from app.leaders import demo as leaders_demo
from app.projects import demo as projects_demo
from app.targets import demo as targets_demo
from app.trips import demo as trips_demo
from app.units import demo as units_demo


def seed_demo() -> None:
    """Fill an empty database with a realistic demo data set (the caller commits)."""
    history.set_actor(db.session, None)
    history.note_reason(db.session, "演示数据")
    units = units_demo.seed()
    users = auth_demo.seed(units)
    leaders = leaders_demo.seed(units, users)
    events = events_demo.seed(units, users)
    projects_demo.seed(units, users, leaders, events)
    care_demo.seed()  # after every domain that adds projects: it reads them from the database
    trips_demo.seed()  # after the projects: links those sourced from 领导外出招商 to their trip
    funds_demo.seed()  # after the projects: receipts for the signed ones
    targets_demo.seed()  # last: sized against what the other domains have recorded
    keyprojects_demo.seed()  # the yearly key-project list, after the units, leaders and users


def demo_logins() -> list[tuple[str, str, str]]:
    """One login per role, to print."""
    return auth_demo.logins()
