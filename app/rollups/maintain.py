"""Keep the monthly roll-ups equal to the records, in the same transaction as every write.

An `after_flush` listener collects the cells the flushed FundsEntry and Project rows touch
(old and new values, from attribute history) and recomputes exactly those cells, each table
with a few grouped statements on the flush's connection. Bulk Core statements (which the ORM
does not see) call `refresh_projects` with the projects they wrote; `rebuild` recomputes all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, event, extract, false, func, insert, or_, select
from sqlalchemy.orm import Session

from app.core.id_groups import chunks, id_groups, matching
from app.funds.models import FundsEntry
from app.projects.models import Project
from app.projects.stages import MILESTONE_FIELDS
from app.rollups.models import CohortFundsMonth, CohortMonth, FundsMonth

FUNDS = FundsEntry.__table__
PROJECTS = Project.__table__
VERIFIED = "verified"
CHUNK = 200  # cells recomputed per statement (one OR of month ranges each)

ENTRY_FIELDS = ("project_id", "received_on", "amount", "origin", "status")
PROJECT_FIELDS = ("unit_id", "deleted_at", "dropped_on", "contract_investment", *MILESTONE_FIELDS)
DATED = (*MILESTONE_FIELDS, "dropped_on")  # the dates a cohort figure as of a day reads
MOVES_ENTRIES = ("unit_id", "deleted_at", "signed_on")  # changes that move a project's funds

Cell = tuple[int, int, int]  # (unit, year, month)


@dataclass
class Touched:
    """The cells a set of writes changed: funds by month received, cohorts by month signed;
    and the projects whose every entry moves (unit, deletion or signing changed)."""

    funds: set[Cell] = field(default_factory=set)
    cohorts: set[Cell] = field(default_factory=set)
    moved: dict[int, set[int]] = field(default_factory=dict)  # project id -> units old and new

    def __bool__(self) -> bool:
        return bool(self.funds or self.cohorts or self.moved)

    def cohort(self, unit_id: int | None, signed_on: date | None) -> None:
        """The cohort cell of a project signed on that day in that unit (if signed)."""
        if unit_id is not None and signed_on is not None:
            self.cohorts.add((unit_id, signed_on.year, signed_on.month))


def _month(day: date) -> tuple[date, date]:
    """The first day of the day's month and of the next."""
    start = day.replace(day=1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, end


def attribute_values(obj: Any, name: str) -> set[Any]:
    """The attribute's values before and after the flush (None left out)."""
    from sqlalchemy import inspect

    history = inspect(obj).attrs[name].history
    values = set(history.added) | set(history.deleted) | set(history.unchanged)
    return {v for v in values if v is not None}


def changed_fields(obj: Any, names: Iterable[str]) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _collect(session: Session) -> tuple[Touched, dict[int, set[date]]]:
    """What the flushed objects touch: project changes directly, and the entries' days by
    project (their units are read afterwards)."""
    touched, days = Touched(), {}
    for obj, is_dirty in flushed_objects(session):
        if isinstance(obj, FundsEntry):
            if is_dirty and not changed_fields(obj, ENTRY_FIELDS):
                continue
            for pid in attribute_values(obj, "project_id"):
                days.setdefault(pid, set()).update(attribute_values(obj, "received_on"))
        elif isinstance(obj, Project):
            if is_dirty and not changed_fields(obj, PROJECT_FIELDS):
                continue
            units = attribute_values(obj, "unit_id")
            for unit_id in units:
                for signed_on in attribute_values(obj, "signed_on"):
                    touched.cohort(unit_id, signed_on)
            if obj.id is not None and (not is_dirty or changed_fields(obj, MOVES_ENTRIES)):
                touched.moved.setdefault(obj.id, set()).update(units)
    return touched, days


def flushed_objects(session: Session) -> Iterable[tuple[Any, bool]]:
    for obj in session.new:
        yield obj, False
    for obj in session.deleted:
        yield obj, False
    for obj in session.dirty:
        yield obj, True


def _add_entry_days(conn: Any, touched: Touched, days: dict[int, set[date]]) -> None:
    """Each entry day's cells in its project's unit (and cohort, if signed) as they are now."""
    if not days:
        return
    for chunk in chunks(list(days), CHUNK):
        rows = conn.execute(
            select(PROJECTS.c.id, PROJECTS.c.unit_id, PROJECTS.c.signed_on).where(
                PROJECTS.c.id.in_(chunk)
            )
        )
        for pid, unit_id, signed_on in rows:
            for day in days[pid]:
                touched.funds.add((unit_id, day.year, day.month))
            touched.cohort(unit_id, signed_on)


def _add_moved(conn: Any, touched: Touched) -> None:
    """A moved project's entries leave and join cells: every month they were received in,
    in each of its units old and new, and its cohort cells now."""
    if not touched.moved:
        return
    for group in id_groups(touched.moved):
        now = conn.execute(
            select(PROJECTS.c.id, PROJECTS.c.unit_id, PROJECTS.c.signed_on).where(
                matching(PROJECTS.c.id, group)
            )
        )
        for pid, unit_id, signed_on in now:
            touched.moved[pid].add(unit_id)
            touched.cohort(unit_id, signed_on)
        months = conn.execute(
            select(
                FUNDS.c.project_id,
                extract("year", FUNDS.c.received_on),
                extract("month", FUNDS.c.received_on),
            )
            .where(matching(FUNDS.c.project_id, group))
            .distinct()
        )
        for pid, year, month in months:
            for unit_id in touched.moved[pid]:
                touched.funds.add((unit_id, int(year), int(month)))


# ---------------------------------------------------------------- the grouped statements


def _live_verified():
    """Verified entries of projects not soft-deleted, joined to their project."""
    return FUNDS.join(PROJECTS, PROJECTS.c.id == FUNDS.c.project_id)


def funds_select(condition: Any = None):
    """FundsMonth cells from the records: verified funds of live projects by unit, month
    received and origin."""
    year, month = extract("year", FUNDS.c.received_on), extract("month", FUNDS.c.received_on)
    keys = (PROJECTS.c.unit_id, year, month, FUNDS.c.origin)
    stmt = (
        select(*keys, func.sum(FUNDS.c.amount), func.count())
        .select_from(_live_verified())
        .where(FUNDS.c.status == VERIFIED, PROJECTS.c.deleted_at.is_(None))
    )
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt.group_by(*keys)


def cohort_select(condition: Any = None):
    """CohortMonth cells from the records: live signed projects by unit, month signed and
    where they stand now."""
    keys = (
        PROJECTS.c.unit_id,
        extract("year", PROJECTS.c.signed_on),
        extract("month", PROJECTS.c.signed_on),
        PROJECTS.c.stage_order,
        PROJECTS.c.funded_on.is_not(None),
        PROJECTS.c.dropped_on.is_not(None),
    )
    stmt = select(
        *keys,
        func.count(),
        func.coalesce(func.sum(PROJECTS.c.contract_investment), 0),
        *(func.max(PROJECTS.c[name]) for name in DATED),
    ).where(PROJECTS.c.signed_on.is_not(None), PROJECTS.c.deleted_at.is_(None))
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt.group_by(*keys)


def cohort_funds_select(condition: Any = None):
    """CohortFundsMonth cells from the records: verified funds of live signed projects by
    unit, month signed and month received."""
    keys = (
        PROJECTS.c.unit_id,
        extract("year", PROJECTS.c.signed_on),
        extract("month", PROJECTS.c.signed_on),
        extract("year", FUNDS.c.received_on),
        extract("month", FUNDS.c.received_on),
    )
    stmt = (
        select(*keys, func.sum(FUNDS.c.amount))
        .select_from(_live_verified())
        .where(
            FUNDS.c.status == VERIFIED,
            PROJECTS.c.deleted_at.is_(None),
            PROJECTS.c.signed_on.is_not(None),
        )
    )
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt.group_by(*keys)


_FUNDS_COLUMNS = ("unit_id", "year", "month", "origin", "amount", "entries")
_COHORT_COLUMNS = (
    "unit_id", "year", "month", "stage_order", "funded", "dropped", "projects", "contract",
    *(f"latest_{name}" for name in DATED),
)  # fmt: skip
_COHORT_FUNDS_COLUMNS = (
    "unit_id", "year", "month", "received_year", "received_month", "amount"
)  # fmt: skip


def _cells(model: Any, cells: list[Cell]):
    """SQL: the roll-up rows of these (unit, year, month) cells."""
    return or_(
        false(),
        *(and_(model.unit_id == u, model.year == y, model.month == m) for u, y, m in cells),
    )


def _dated_in(column: Any, cells: list[Cell]):
    """SQL: a project of the cell's unit and a date within the cell's month."""
    out = []
    for unit_id, year, month in cells:
        start, end = _month(date(year, month, 1))
        out.append(and_(PROJECTS.c.unit_id == unit_id, column >= start, column < end))
    return or_(false(), *out)


def _refresh(conn: Any, touched: Touched) -> None:
    """Recompute exactly the touched cells: delete them, insert them afresh from the records."""
    for chunk in chunks(sorted(touched.funds), CHUNK):
        conn.execute(delete(FundsMonth).where(_cells(FundsMonth, chunk)))
        rows = funds_select(_dated_in(FUNDS.c.received_on, chunk))
        conn.execute(insert(FundsMonth).from_select(_FUNDS_COLUMNS, rows))
    for chunk in chunks(sorted(touched.cohorts), CHUNK):
        condition = _dated_in(PROJECTS.c.signed_on, chunk)
        conn.execute(delete(CohortMonth).where(_cells(CohortMonth, chunk)))
        conn.execute(insert(CohortMonth).from_select(_COHORT_COLUMNS, cohort_select(condition)))
        conn.execute(delete(CohortFundsMonth).where(_cells(CohortFundsMonth, chunk)))
        rows = cohort_funds_select(condition)
        conn.execute(insert(CohortFundsMonth).from_select(_COHORT_FUNDS_COLUMNS, rows))


# ---------------------------------------------------------------- the interface


def refresh_projects(session: Session, project_ids: Iterable[int]) -> None:
    """Recompute every roll-up cell the given projects (their funds entries and milestones,
    their units and months as they are now) contribute to; after bulk Core writes."""
    ids = sorted({int(pid) for pid in project_ids})
    if not ids:
        return
    conn = session.connection()
    touched = Touched(moved={pid: set() for pid in ids})
    _add_moved(conn, touched)
    _refresh(conn, touched)


def refresh_cells(session: Session, touched: Touched) -> None:
    """Recompute the given cells (and every cell of the moved projects)."""
    conn = session.connection()
    _add_moved(conn, touched)
    _refresh(conn, touched)


def rebuild(session: Session) -> None:
    """Every roll-up recomputed from the records."""
    conn = session.connection()
    for model, columns, rows in (
        (FundsMonth, _FUNDS_COLUMNS, funds_select()),
        (CohortMonth, _COHORT_COLUMNS, cohort_select()),
        (CohortFundsMonth, _COHORT_FUNDS_COLUMNS, cohort_funds_select()),
    ):
        conn.execute(delete(model))
        conn.execute(insert(model).from_select(columns, rows))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    """Recompute the cells this flush touched, on its own connection, before the commit."""
    touched, days = _collect(session)
    if not touched and not days:
        return
    conn = session.connection()
    _add_entry_days(conn, touched, days)
    _add_moved(conn, touched)
    _refresh(conn, touched)


def _keys_now(conn: Any, project_ids: list[int]) -> Touched:
    """Every cell the projects contribute to as the records stand now."""
    touched = Touched(moved={pid: set() for pid in project_ids})
    _add_moved(conn, touched)
    return touched


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: Any) -> None:
    """A bulk UPDATE or DELETE of projects or funds entries run through the session: the cells
    of the rows it matches, before and after, are recomputed once it has run."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)  # an ORM statement's table is an annotated copy
    column = {PROJECTS.name: PROJECTS.c.id, FUNDS.name: FUNDS.c.project_id}.get(name)
    if column is None:
        return None
    conn = state.session.connection()
    found = select(column).distinct()
    if state.statement.whereclause is not None:
        found = found.where(state.statement.whereclause)
    ids = sorted(pid for (pid,) in conn.execute(found) if pid is not None)
    before = _keys_now(conn, ids)
    result = state.invoke_statement()
    after = _keys_now(conn, ids)
    both = Touched(funds=before.funds | after.funds, cohorts=before.cohorts | after.cohorts)
    _refresh(conn, both)
    return result
