"""Scoped reads in aftercare: a project's aftercare at a glance, the problem list, a leader's
problems."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true

from app.care.models import LEVELS, PROBLEM_CATEGORIES, STATUSES, CareVisit, Commitment, Problem
from app.core.dates import today
from app.core.params import whole_number
from app.core.scoping import scoped_select
from app.extensions import db
from app.keyprojects.models import KeyProject
from app.leaders.models import Leader
from app.leaders.queries import leader_for_user
from app.projects.models import Project


@dataclass
class CareSummary:
    """A signed project's aftercare: every promise kept? every request answered?"""

    project: Project
    on: date
    visits: list[CareVisit]
    commitments: list[Commitment]
    problems: list[Problem]

    @property
    def last_visit(self) -> CareVisit | None:
        return self.visits[0] if self.visits else None

    @property
    def kept(self) -> int:
        return sum(c.fulfilled_on is not None for c in self.commitments)

    @property
    def overdue_commitments(self) -> int:
        return sum(c.is_overdue(self.on) for c in self.commitments)

    @property
    def answered(self) -> int:
        return sum(p.is_resolved for p in self.problems)

    @property
    def overdue_problems(self) -> int:
        return sum(p.is_overdue(self.on) for p in self.problems)

    @property
    def all_kept(self) -> bool:
        return self.kept == len(self.commitments)

    @property
    def all_answered(self) -> bool:
        return self.answered == len(self.problems)


def care_summary(project: Project, on: date | None = None) -> CareSummary:
    """Visits (newest first), commitments (open ones by due date first) and problems."""
    visits = db.session.execute(
        select(CareVisit)
        .where(CareVisit.project_id == project.id, CareVisit.deleted_at.is_(None))
        .order_by(CareVisit.visited_on.desc(), CareVisit.id.desc())
    ).scalars()
    commitments = db.session.execute(
        select(Commitment)
        .where(Commitment.project_id == project.id, Commitment.deleted_at.is_(None))
        .order_by(Commitment.fulfilled_on.is_not(None), Commitment.due_on, Commitment.id)
    ).scalars()
    problems = db.session.execute(
        select(Problem)
        .where(Problem.project_id == project.id, Problem.deleted_at.is_(None))
        .order_by(Problem.status == "resolved", Problem.raised_on.desc(), Problem.id.desc())
    ).scalars()
    return CareSummary(project, on or today(), list(visits), list(commitments), list(problems))


@dataclass
class ProblemFilters:
    """The problem list's filters, read from a query string; anything unreadable is ignored."""

    state: str = ""  # "" all, "open", "overdue", "unassigned", or a status key
    handling_unit_id: int | None = None
    unit_id: int | None = None  # the project's unit
    level: int | None = None
    category: str = ""
    key: bool = False  # only problems whose subject is a key project (推进问题)
    raised_from: date | None = None
    raised_to: date | None = None

    STATES = {
        "open": "未办结",
        "overdue": "已逾期",
        "unassigned": "待交办",
        **STATUSES,
        "in_time": "按期办结",
        "late": "逾期办结",
    }

    @classmethod
    def from_args(cls, args: Any) -> ProblemFilters:
        def number(name: str) -> int | None:
            return whole_number(args.get(name))

        level = number("level")
        return cls(
            state=args.get("state", "") if args.get("state") in cls.STATES else "",
            handling_unit_id=number("handling_unit_id"),
            unit_id=number("unit_id"),
            level=level if level is not None and level < len(LEVELS) else None,
            category=args.get("category", "") if args.get("category") in PROBLEM_CATEGORIES else "",
            key=args.get("key") == "1",
            raised_from=_day(args.get("raised_from")),
            raised_to=_day(args.get("raised_to")),
        )

    def to_args(self) -> dict[str, str]:
        """The filters as query-string arguments."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "key":
                if value:
                    out["key"] = "1"
            elif value not in ("", None):
                out[f.name] = str(value)
        return out


def _day(raw: Any) -> date | None:
    """A day written 2026-10-01 in a query string, or None (unreadable or out of range)."""
    text = str(raw or "").strip()
    if len(text) != 10 or not text.isascii():
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def open_problem_condition() -> ColumnElement[bool]:
    """SQL: not 已办结, on a live project that has not been dropped (a key project's problem
    has no 招商 project: the outer join leaves its columns empty)."""
    return and_(
        Problem.status != "resolved", Project.deleted_at.is_(None), Project.dropped_on.is_(None)
    )


def overdue_problem_condition(on: date) -> ColumnElement[bool]:
    """SQL: not 已办结 and the deadline has passed (a deadline of today is not overdue)."""
    return and_(open_problem_condition(), Problem.deadline < on)


# A problem handed to a unit is about another unit's project: the join to it is district-wide,
# and the problems themselves are cut to the actor's scope explicitly (scoped_select).
HANDED_PROBLEMS = "problem lists join the subject project, another unit's for a handed problem"


def problems_statement(actor: Any) -> Select:
    """The actor's problems on live projects and live key projects (the base of every problem
    list). Each problem has exactly one subject, so both joins are outer."""
    return (
        scoped_select(Problem, actor)
        .outerjoin(Project, Project.id == Problem.project_id)
        .outerjoin(KeyProject, KeyProject.id == Problem.key_project_id)
        .where(Project.deleted_at.is_(None), KeyProject.deleted_at.is_(None))
        .execution_options(district_wide=HANDED_PROBLEMS)
    )


def in_time_condition() -> ColumnElement[bool]:
    """SQL: 已办结 on or before its deadline (按期办结)."""
    return and_(Problem.status == "resolved", Problem.resolved_on <= Problem.deadline)


def late_condition() -> ColumnElement[bool]:
    """SQL: 已办结 after its deadline (逾期办结)."""
    return and_(Problem.status == "resolved", Problem.resolved_on > Problem.deadline)


def problem_statement(actor: Any, f: ProblemFilters, on: date | None = None) -> Select:
    """The filtered, scoped problem list: overdue first, then by deadline."""
    on = on or today()
    stmt = problems_statement(actor)
    if f.state == "open":
        stmt = stmt.where(open_problem_condition())
    elif f.state == "overdue":
        stmt = stmt.where(overdue_problem_condition(on))
    elif f.state == "unassigned":
        stmt = stmt.where(open_problem_condition(), Problem.handling_unit_id.is_(None))
    elif f.state == "in_time":
        stmt = stmt.where(in_time_condition())
    elif f.state == "late":
        stmt = stmt.where(late_condition())
    elif f.state:
        stmt = stmt.where(Problem.status == f.state)
    if f.handling_unit_id == 0:  # 0: not handed to any unit yet (未交办)
        stmt = stmt.where(Problem.handling_unit_id.is_(None))
    elif f.handling_unit_id is not None:
        stmt = stmt.where(Problem.handling_unit_id == f.handling_unit_id)
    if f.unit_id is not None:
        stmt = stmt.where(or_(Project.unit_id == f.unit_id, KeyProject.unit_id == f.unit_id))
    if f.level is not None:
        stmt = stmt.where(Problem.level == f.level)
    if f.category:
        stmt = stmt.where(Problem.category == f.category)
    if f.key:
        stmt = stmt.where(Problem.key_project_id.is_not(None))
    if f.raised_from is not None:
        stmt = stmt.where(Problem.raised_on >= f.raised_from)
    if f.raised_to is not None:
        stmt = stmt.where(Problem.raised_on <= f.raised_to)
    return stmt.order_by(
        (Problem.status == "resolved").asc(),
        Problem.deadline.asc().nulls_first(),
        Problem.id.desc(),
    )


def handed_to_unit(actor: Any, unit_id: int) -> Select:
    """Open problems handed to this unit, earliest deadline first."""
    return (
        problems_statement(actor)
        .where(open_problem_condition(), Problem.handling_unit_id == unit_id)
        .order_by(Problem.deadline.asc().nulls_last(), Problem.id.asc())
    )


def awaiting_assignment(actor: Any) -> Select:
    """Open problems no unit has been handed yet (待交办), oldest first."""
    return (
        problems_statement(actor)
        .where(open_problem_condition(), Problem.handling_unit_id.is_(None))
        .order_by(Problem.raised_on.asc(), Problem.id.asc())
    )


leader_of = leader_for_user  # the leader record a `leader` account logs in as


def escalated_to(actor: Any, leader: Leader) -> Select:
    """Open problems escalated to this leader: to 包保领导 on the projects they are responsible
    for; to 主要领导 if they are a head (district heads: all; a unit's heads: that unit's)."""
    baobao = or_(Project.leader_id == leader.id, KeyProject.leader_id == leader.id)
    mine = [and_(Problem.level == 1, baobao)]
    if leader.head_kind:
        in_jurisdiction = (
            true()
            if leader.unit_id is None
            else or_(Project.unit_id == leader.unit_id, KeyProject.unit_id == leader.unit_id)
        )
        mine.append(and_(Problem.level == 2, in_jurisdiction))
    return (
        problems_statement(actor)
        .where(open_problem_condition(), or_(*mine))
        .order_by(Problem.level.desc(), Problem.deadline.asc().nulls_last(), Problem.id.asc())
    )


def baobao_projects(actor: Any, leader: Leader) -> Select:
    """The live projects this leader is responsible for (包保), latest stage first."""
    return (
        scoped_select(Project, actor)
        .where(Project.leader_id == leader.id, Project.dropped_on.is_(None))
        .order_by(Project.stage_order.desc(), Project.id.asc())
    )
