"""What needs attention: stalled projects (进而不快), signed but not started (超时限未开工),
overdue problems and commitments, and the problem board per handling unit (docs/domain.md,
"Stalled and not started", "Overdue")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select

from app.care.models import Commitment, Problem
from app.care.queries import overdue_problem_condition, problems_statement
from app.core.dates import today
from app.core.scoping import apply_scope, scoped_select
from app.extensions import db
from app.keyprojects.models import KeyProject
from app.projects.models import FollowUp, Project
from app.projects.queries import days_in_stage, over_limit
from app.projects.stages import BY_KEY, time_limits
from app.units.models import Unit

# ---------------------------------------------------------------- stalled and not started


def stage_limits() -> dict[str, int]:
    """The stage time limits in force (setting STAGE_TIME_LIMITS); 投产 has none."""
    return {k: v for k, v in time_limits(current_app.config).items() if k in BY_KEY}


def not_started_limit() -> int:
    """Days after signing by which a project must have started (NOT_STARTED_LIMIT_DAYS)."""
    return int(current_app.config["NOT_STARTED_LIMIT_DAYS"])


def _active() -> tuple[ColumnElement[bool], ...]:
    return (Project.deleted_at.is_(None), Project.dropped_on.is_(None))


def _over_limit_by_stage(on: date, limits: dict[str, int]) -> list[ColumnElement[bool]]:
    """SQL, one per stage with a limit: in that stage since before the limit's start."""
    return [
        and_(
            Project.stage_order == BY_KEY[key].order,
            Project.stage_since < on - timedelta(days=limit),
        )
        for key, limit in limits.items()
        if key != "operating"
    ]


def stalled_condition(on: date, limits: dict[str, int]) -> ColumnElement[bool]:
    """SQL: a live, not dropped, not operating project longer in its stage than its limit."""
    over = _over_limit_by_stage(on, limits)
    return and_(*_active(), or_(*over) if over else false())


def not_started_condition(on: date, limit_days: int) -> ColumnElement[bool]:
    """SQL: signed more than `limit_days` ago and not started (超时限未开工)."""
    return and_(
        *_active(),
        Project.signed_on.is_not(None),
        Project.started_on.is_(None),
        Project.signed_on < on - timedelta(days=limit_days),
    )


def _last_follow_up_on():
    """The date of the project's latest follow-up, as a column `last_on`: a correlated
    subquery, one index seek per listed project (grouping every follow-up of the district
    first read all 300,000 of them: 465 ms per list at 100,000 projects). The latest, not the
    max(): under a unit's scope the follow-ups are joined to their project, and PostgreSQL then
    aggregated all of them instead of reading the index backwards (a heavy unit's projects
    hold 1,800 each at 1,000,000 projects: 5.6 ms per listed project)."""
    return (
        select(FollowUp.happened_on)
        .where(FollowUp.project_id == Project.id, FollowUp.deleted_at.is_(None))
        .order_by(FollowUp.happened_on.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
        .label("last_on")
    )


@dataclass
class AttentionFilters:
    """Optional narrowing of the lists by unit and responsible leader."""

    unit_id: int | None = None
    leader_id: int | None = None

    def apply(self, stmt: Select) -> Select:
        if self.unit_id is not None:
            stmt = stmt.where(Project.unit_id == self.unit_id)
        if self.leader_id is not None:
            stmt = stmt.where(Project.leader_id == self.leader_id)
        return stmt


@dataclass
class AttentionRow:
    """One project on a list: how long it has waited, the limit, the days over, last follow-up."""

    project: Project
    days: int
    limit: int
    days_over: int
    last_follow_up: date | None


def rows_statement(condition, actor: Any, filters: AttentionFilters | None) -> Select:
    """The actor's projects meeting `condition`, filtered, each with its last follow-up's date
    (`last_on`): the one statement behind a list's page, count and export."""
    stmt = apply_scope(select(Project, _last_follow_up_on()), Project, actor).where(condition)
    return (filters or AttentionFilters()).apply(stmt)


def _rows(condition, actor: Any, filters: AttentionFilters | None) -> list[tuple]:
    return list(db.session.execute(rows_statement(condition, actor, filters)).all())


def stalled_row(project: Project, last_on: date | None, on: date, limits) -> AttentionRow:
    """One 进而不快 row: days in its stage, the stage's limit, the days over it."""
    days_over = over_limit(project, limits, on)
    return AttentionRow(project, days_in_stage(project, on), limits[project.stage.key],
                        days_over, last_on)  # fmt: skip


def not_started_row(project: Project, last_on: date | None, on: date, limit: int) -> AttentionRow:
    """One 超时限未开工 row: days since signing, the limit, the days over it."""
    days = (on - project.signed_on).days
    return AttentionRow(project, days, limit, days - limit, last_on)


def _sorted(rows: list[AttentionRow]) -> list[AttentionRow]:
    return sorted(rows, key=lambda r: (-r.days_over, r.project.unit.name, r.project.id))


def stalled_projects(
    actor: Any, on: date | None = None, filters: AttentionFilters | None = None
) -> list[AttentionRow]:
    """进而不快: the actor's projects that have outstayed their stage's time limit."""
    on = on or today()
    limits = stage_limits()
    rows = [
        stalled_row(project, last_on, on, limits)
        for project, last_on in _rows(stalled_condition(on, limits), actor, filters)
    ]
    return _sorted(rows)


def not_started_projects(
    actor: Any, on: date | None = None, filters: AttentionFilters | None = None
) -> list[AttentionRow]:
    """超时限未开工: signed projects not started within the limit after signing."""
    on = on or today()
    limit = not_started_limit()
    rows = [
        not_started_row(project, last_on, on, limit)
        for project, last_on in _rows(not_started_condition(on, limit), actor, filters)
    ]
    return _sorted(rows)


def count_stalled(actor: Any, on: date | None = None) -> int:
    """How many of the actor's projects are stalled: the stalled_condition counted stage by
    stage, each a range of the live projects' stage index (the OR of all read every row)."""
    counts = [
        apply_scope(select(func.count(Project.id)), Project, actor)
        .where(*_active(), over)
        .scalar_subquery()
        for over in _over_limit_by_stage(on or today(), stage_limits())
    ]
    if not counts:
        return 0
    return int(db.session.execute(select(sum(counts[1:], counts[0]))).scalar_one())


def count_not_started(actor: Any, on: date | None = None) -> int:
    """How many of the actor's signed projects are past the start limit."""
    stmt = apply_scope(select(func.count(Project.id)), Project, actor)
    condition = not_started_condition(on or today(), not_started_limit())
    return db.session.execute(stmt.where(condition)).scalar()


@dataclass
class Tally:
    """A count of projects per unit or per leader."""

    key: int | None
    name: str
    stalled: int = 0
    not_started: int = 0


def tallies(stalled: list[AttentionRow], not_started: list[AttentionRow], by: str) -> list[Tally]:
    """Counts per unit (`by="unit"`) or per responsible leader (`by="leader"`), most first."""
    out: dict[int | None, Tally] = {}
    for rows, attr in ((stalled, "stalled"), (not_started, "not_started")):
        for row in rows:
            p = row.project
            key, name = (
                (p.unit_id, p.unit.name)
                if by == "unit"
                else (p.leader_id, p.leader.label if p.leader else "未确定包保领导")
            )
            tally = out.setdefault(key, Tally(key, name))
            setattr(tally, attr, getattr(tally, attr) + 1)
    return sorted(out.values(), key=lambda t: (-(t.stalled + t.not_started), t.name))


# ---------------------------------------------------------------- problems and commitments


def overdue_problems(actor: Any, on: date | None = None) -> Select:
    """The actor's overdue problems, longest overdue first."""
    stmt = problems_statement(actor).where(overdue_problem_condition(on or today()))
    return stmt.order_by(Problem.deadline.asc(), Problem.id.asc())


def overdue_commitment_condition(on: date) -> ColumnElement[bool]:
    """SQL: not fulfilled and the due date has passed, on a live, not dropped project."""
    return and_(Commitment.fulfilled_on.is_(None), Commitment.due_on < on, *_active())


def overdue_commitments(actor: Any, on: date | None = None) -> Select:
    """The actor's overdue commitments, longest overdue first."""
    stmt = (
        scoped_select(Commitment, actor)
        .join(Project, Project.id == Commitment.project_id)
        .where(overdue_commitment_condition(on or today()))
    )
    return stmt.order_by(Commitment.due_on.asc(), Commitment.id.asc())


def _on_live_project(project_id) -> ColumnElement[bool]:
    """SQL: the row's project is live and not dropped, looked up by its id (a correlated
    subquery, so the few open problems or commitments drive the count, not all projects)."""
    live = select(1).where(Project.id == project_id, *_active()).scalar_subquery()
    return live.is_not(None)


def count_overdue_problems(actor: Any, on: date | None = None) -> int:
    """How many rows overdue_problems lists: read from the problems, each one's subject
    looked up only for its being live (a 招商 project not dropped, or a key project not
    deleted: the joins of the list, per row)."""
    live_key_project = (
        select(1)
        .where(KeyProject.id == Problem.key_project_id, KeyProject.deleted_at.is_(None))
        .scalar_subquery()
    )
    stmt = apply_scope(select(func.count()).select_from(Problem), Problem, actor).where(
        Problem.status != "resolved",
        Problem.deadline < (on or today()),
        or_(_on_live_project(Problem.project_id), live_key_project.is_not(None)),
    )
    return int(db.session.execute(stmt).scalar_one())


def count_overdue_commitments(actor: Any, on: date | None = None) -> int:
    """How many rows overdue_commitments lists, read from the commitments as above."""
    stmt = apply_scope(select(func.count()).select_from(Commitment), Commitment, actor).where(
        Commitment.fulfilled_on.is_(None),
        Commitment.due_on < (on or today()),
        _on_live_project(Commitment.project_id),
    )
    return int(db.session.execute(stmt).scalar_one())


@dataclass
class BoardRow:
    """Problems handled by one unit: open, overdue, resolved in time or late, average days."""

    unit_id: int | None
    unit_name: str
    kind: str = "unit"  # "unit", "unassigned" (未交办) or "total" (合计)
    open: int = 0
    in_progress: int = 0
    overdue: int = 0
    resolved: int = 0
    in_time: int = 0
    late: int = 0
    _days: list[int] = field(default_factory=list, repr=False)

    @property
    def average_days(self) -> Decimal | None:
        """Average days from raised to resolved, one decimal; None when nothing is resolved."""
        if not self._days:
            return None
        average = Decimal(sum(self._days)) / Decimal(len(self._days))
        return average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def in_time_rate(self) -> Decimal | None:
        """Resolved in time / resolved with a deadline, as a percentage with one decimal."""
        judged = self.in_time + self.late
        if not judged:
            return None
        rate = Decimal(100 * self.in_time) / Decimal(judged)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def in_time_rate_text(self) -> str:
        rate = self.in_time_rate
        return "—" if rate is None else f"{rate}%"

    def add(self, row, on: date) -> None:
        status, deadline, raised_on, resolved_on, dropped = row[1:]
        if status == "resolved":
            self.resolved += 1
            self._days.append((resolved_on - raised_on).days)
            if deadline is not None:
                if resolved_on <= deadline:
                    self.in_time += 1
                else:
                    self.late += 1
        elif not dropped:
            self.open += 1
            self.in_progress += status == "in_progress"
            self.overdue += deadline is not None and deadline < on


def problem_board(actor: Any, on: date | None = None) -> tuple[list[BoardRow], BoardRow]:
    """Per handling unit and in total: open (办理中 among them), overdue, resolved in and
    out of time, average days to resolve. Problems not yet handed over count as 未交办."""
    on = on or today()
    stmt = problems_statement(actor).with_only_columns(
        Problem.handling_unit_id,
        Problem.status,
        Problem.deadline,
        Problem.raised_on,
        Problem.resolved_on,
        Project.dropped_on.is_not(None),
    )
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    rows: dict[int | None, BoardRow] = {}
    total = BoardRow(None, "合计", "total")
    for row in db.session.execute(stmt):
        unit_id = row[0]
        if unit_id not in rows:
            rows[unit_id] = (
                BoardRow(unit_id, names[unit_id])
                if unit_id is not None
                else BoardRow(None, "未交办", "unassigned")
            )
        board_row = rows[unit_id]
        board_row.add(row, on)
        total.add(row, on)
    ordered = sorted(rows.values(), key=lambda r: (r.unit_id is None, -r.overdue, -r.open))
    return ordered, total
