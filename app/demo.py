"""The demo data set: each domain adds its own records, in dependency order."""

from __future__ import annotations

from typing import Any

from app.auth import demo as auth_demo
from app.care import demo as care_demo
from app.core import history
from app.core.steps import stepper
from app.events import demo as events_demo
from app.extensions import db
from app.funds import demo as funds_demo
from app.jobs.kinds import JobKind, JobResult, register
from app.keyprojects import demo as keyprojects_demo
from app.leaders import demo as leaders_demo
from app.projects import demo as projects_demo
from app.targets import demo as targets_demo
from app.trips import demo as trips_demo
from app.units import demo as units_demo

STEPS = 10  # the domains seeded below, each one step of the progress bar


def seed_demo(progress: Any = None) -> None:
    """Fill an empty database with a realistic demo data set (the caller commits); `progress`
    (a job's or a terminal's reporter) is told each domain as it is seeded."""
    history.set_actor(db.session, None)
    history.note_reason(db.session, "演示数据")
    step = stepper(progress, STEPS, "载入演示数据")
    step("单位")
    units = units_demo.seed()
    step("账户")
    users = auth_demo.seed(units)
    step("领导")
    leaders = leaders_demo.seed(units, users)
    step("招商活动")
    events = events_demo.seed(units, users)
    step("项目")
    projects_demo.seed(units, users, leaders, events)
    step("安商服务")
    care_demo.seed()  # after every domain that adds projects: it reads them from the database
    step("外出招商")
    trips_demo.seed()  # after the projects: links those sourced from 领导外出招商 to their trip
    step("到位资金")
    funds_demo.seed()  # after the projects: receipts for the signed ones
    step("目标任务")
    targets_demo.seed()  # sized against what the other domains have recorded
    step("重点项目")
    keyprojects_demo.seed()  # the yearly key-project list, after the units, leaders and users
    step("")


def _run(params: dict[str, Any], progress: Any) -> JobResult:
    seed_demo(progress)
    return JobResult(summary="已载入演示数据")


# A kind, so that the terminal shows the same steps a job page would (`runner.run_here`); it is
# never queued: the database it fills has no account yet to own a job.
SEED_DEMO = register(JobKind("seed-demo", "载入演示数据", _run, unit="步"))


def demo_logins() -> list[tuple[str, str, str]]:
    """One login per role, to print."""
    return auth_demo.logins()
