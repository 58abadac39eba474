"""The demo key-project list: its size and mix, and one of every case the screens show."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.auth import demo as auth_demo
from app.care.models import Problem
from app.extensions import db
from app.keyprojects import demo as key_demo
from app.keyprojects.models import (
    PROCEDURE_KINDS,
    KeyMonthlyReport,
    KeyProcedure,
    KeyProject,
)
from app.keyprojects.rules import start_problem
from app.leaders import demo as leaders_demo
from app.units import demo as units_demo

YEAR, MONTH = 2026, 10  # the clock is pinned at 2026-11-19: 1—10月 is the last ended period
TODAY = date(2026, 11, 19)


def _lag(project: KeyProject) -> Decimal:
    done = sum(r.invested for r in project.reports if r.year == YEAR and r.month <= MONTH)
    return (Decimal(MONTH) / 12 - Decimal(done) / project.annual_plan) * 100


def test_seed_demo_adds_a_years_list_with_every_case_once(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        projects = (
            db.session.execute(select(KeyProject).where(KeyProject.year == YEAR)).unique().scalars()
        ).all()
        assert 75 <= len(projects) <= 85
        assert len({p.programme for p in projects}) == 6
        assert Counter(p.category for p in projects) == {"续建": 30, "新建": 35, "拟开工": 10,
                                                          "前期": 5}  # fmt: skip
        assert 25 <= sum(p.is_big for p in projects) <= 35
        assert len({p.unit_id for p in projects}) >= 10 and all(p.leader_id for p in projects)
        # A few carried over from last year's list, under the same name.
        carried = [p for p in projects if p.carried_from_id]
        assert len(carried) >= 3
        for project in carried:
            before = db.session.get(KeyProject, project.carried_from_id)
            assert (before.year, before.name) == (YEAR - 1, project.name)
        # Reports through the last ended month, none later and none dated after today.
        months = db.session.execute(
            select(func.max(KeyMonthlyReport.month), func.max(KeyMonthlyReport.reported_on))
            .where(KeyMonthlyReport.year == YEAR)
        ).one()  # fmt: skip
        assert months[0] == MONTH and months[1] <= TODAY
        # Mostly on schedule, some behind, a few far behind.
        lights = Counter("green" if lag <= 0 else "yellow" if lag <= 10 else "red"
                         for lag in map(_lag, projects))  # fmt: skip
        assert lights["green"] >= 0.7 * len(projects)
        assert 3 <= lights["yellow"] <= 15 and 1 <= lights["red"] <= 8
        # Procedures in every state; a few 新建 blocked, naming 环评 or 施工许可.
        statuses = set(db.session.execute(select(KeyProcedure.status)).scalars())
        assert statuses == {"todo", "doing", "done", "na"}
        blocked = [
            p for p in projects
            if p.category == "新建" and not p.is_started
            and start_problem(p.category, {r.kind: r.status for r in p.procedures})
        ]  # fmt: skip
        assert 2 <= len(blocked) <= 6
        for project in blocked:
            missing = start_problem("新建", {r.kind: r.status for r in project.procedures})
            assert "环评" in missing or "施工许可" in missing
        assert all(len(p.procedures) == len(PROCEDURE_KINDS) for p in projects)
        assert all(
            r.done_on <= p.started_on for p in projects if p.started_on
            for r in p.procedures if r.done_on
        )  # fmt: skip
        # The three kinds of slack (三类现象), at least one each.
        started = [p for p in projects if p.is_started and not p.is_finished]
        last_month = {p.id: max((r.month for r in p.reports), default=0) for p in started}
        assert any(last_month[p.id] <= MONTH - 2 for p in started)  # 推而不进: no reports
        assert any(
            [r.invested for r in p.reports][-2:] == [0, 0] for p in started
        )  # 推而不进: nothing invested two months running
        assert any(
            len(p.reports) > 2 and len({r.progress for r in p.reports}) == 1 for p in started
        )  # 推而不进: 形象进度 never changes
        assert any(_lag(p) > 10 for p in started)  # 进而不快
        idle = TODAY - timedelta(days=app.config["IDLE_DAYS"])
        assert any(
            p.reports and max(r.reported_on for r in p.reports) < idle
            and last_month[p.id] >= MONTH - 1
            for p in started
        )  # fmt: skip  # 包而不推: reported every month but not lately
        assert 1 <= sum(1 for p in started if not p.in_statistics) <= 6  # 已开工未入统
        # Problems handed to units: open, overdue, resolved.
        problems = (
            db.session.execute(select(Problem).where(Problem.key_project_id.is_not(None)))
            .scalars()
            .all()
        )
        assert all(p.handling_unit_id and p.deadline for p in problems)
        assert any(p.is_overdue(TODAY) for p in problems)
        assert any(p.is_resolved for p in problems)
        assert any(not p.is_resolved and not p.is_overdue(TODAY) for p in problems)
        count = db.session.execute(select(func.count()).select_from(KeyProject)).scalar_one()
        # Seeding again adds nothing.
        assert key_demo.seed() == []
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    with app.app_context():
        total = db.session.execute(select(func.count()).select_from(KeyProject)).scalar_one()
        assert total == count
    assert runner.invoke(args=["verify-history"]).exit_code == 0


def test_the_key_project_demo_is_deterministic(app):
    """Seeded twice (rolled back in between) it writes the same list: units by name, as
    PostgreSQL's sequences do not roll back."""
    with app.app_context():
        units = units_demo.seed()
        users = auth_demo.seed(units)
        leaders_demo.seed(units, users)
        first = [(p.name, p.unit.name, p.total_investment, len(p.reports))
                 for p in key_demo.seed()]
        db.session.rollback()
    with app.app_context():
        units = units_demo.seed()
        users = auth_demo.seed(units)
        leaders_demo.seed(units, users)
        again = [(p.name, p.unit.name, p.total_investment, len(p.reports))
                 for p in key_demo.seed()]
        db.session.rollback()
    assert again == first


def test_last_ended_month_is_last_years_december_in_january():
    assert key_demo.last_ended(date(2027, 1, 5)) == (2026, 12)
    assert key_demo.last_ended(date(2026, 12, 2)) == (2026, 11)
