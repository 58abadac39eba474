"""Funds figures: funds received in a period (verified only), their breakdowns, pending apart,
and a project's 资金到位率. Every amount is whole 元, summed by the database as integers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select

from app.core.kept import Kept
from app.core.scoping import apply_scope, own_unit, scope_condition, scope_key
from app.extensions import db
from app.funds.models import ORIGINS, USES, FundsEntry
from app.funds.queries import NO_PROVINCE, LedgerFilters, apply_ledger_filters, scoped_entries
from app.projects.models import INDUSTRIES, Project
from app.reports.figures.cohort import rate
from app.rollups import queries as rollups
from app.units.models import Unit

VERIFIED = "verified"
PENDING = "pending"


percent = rate  # part / whole in percent, one decimal; None (shown as —) when whole is 0


def percent_text(value: Decimal | None) -> str:
    """A percentage as shown: 45.3%, or — when it cannot be computed."""
    return "—" if value is None else f"{value}%"


@dataclass(frozen=True)
class Line:
    """One figure of a breakdown: what it is, its amount, how many entries, its ledger link."""

    key: str
    label: str
    amount: int
    count: int
    filters: dict[str, Any] = field(default_factory=dict)  # LedgerFilters fields to link to


def _sum_and_count(stmt: Select) -> tuple[int, int]:
    amount, count = db.session.execute(stmt).one()
    return int(amount or 0), int(count or 0)


def _totals_select() -> Select:
    return select(func.coalesce(func.sum(FundsEntry.amount), 0), func.count(FundsEntry.id))


def totals(actor: Any, filters: LedgerFilters, status: str = VERIFIED) -> tuple[int, int]:
    """(amount in 元, number of entries) of one status within the filters and the scope."""
    stmt = apply_ledger_filters(scoped_entries(_totals_select(), actor), filters, with_status=False)
    return _sum_and_count(stmt.where(FundsEntry.status == status))


@dataclass(frozen=True)
class LedgerHead:
    """The ledger's header and row count under its filters: verified and pending (元, entries)
    apart, 履约项目 (distinct projects whose verified entries add up to more than nothing, as
    the 到位资金情况表 counts them) and how many rows the list holds (its status filter too)."""

    verified: tuple[int, int]
    pending: tuple[int, int]
    performing: int
    rows: int


LEDGER_HEADS = Kept("funds_ledger_heads", entries=200)  # (scope, filters) -> LedgerHead


def ledger_head(actor: Any, filters: LedgerFilters) -> LedgerHead:
    """The ledger's header, kept while no record changes: paging and sorting the district's
    200,000 entries need not sum them again (four scans of them cost 260 ms on PostgreSQL;
    the one statement of `_ledger_head` 190 ms, on the first view after a change)."""
    key = (scope_key(actor), tuple(sorted(filters.to_args().items())))
    return LEDGER_HEADS.get(key, lambda: _ledger_head(actor, filters))


def _ledger_head(actor: Any, filters: LedgerFilters) -> LedgerHead:
    """Every figure of the header in one pass: per project and status, then per status."""
    amount = func.sum(FundsEntry.amount).label("amount")
    per_project = apply_ledger_filters(
        scoped_entries(select(FundsEntry.status, amount, func.count().label("n")), actor),
        filters,
        with_status=False,
    ).group_by(FundsEntry.project_id, FundsEntry.status)
    sub = per_project.subquery()
    stmt = select(
        sub.c.status,
        func.sum(sub.c.amount),
        func.sum(sub.c.n),
        func.sum(case((sub.c.amount > 0, 1), else_=0)),
    ).group_by(sub.c.status)
    found = {
        status: (int(a or 0), int(n or 0), int(p or 0))
        for status, a, n, p in db.session.execute(stmt)
    }
    verified, pending = found.get(VERIFIED, (0, 0, 0)), found.get(PENDING, (0, 0, 0))
    rows = sum(n for status, (_a, n, _p) in found.items() if filters.status in ("", status))
    return LedgerHead(verified[:2], pending[:2], verified[2], rows)


def funds_received(actor: Any, year: int, month: int, unit_id: int | None = None) -> int:
    """到位资金: verified entries dated in Y, months 1..M, in 元 (docs/domain.md,
    "Funds received")."""
    filters = LedgerFilters(year=year, month_from=1, month_to=month, unit_id=unit_id)
    return totals(actor, filters, VERIFIED)[0]


_DIMENSIONS = {
    "origin": (FundsEntry.origin, ORIGINS),
    "use": (FundsEntry.use, USES),
    "industry": (Project.industry, INDUSTRIES),
}


def breakdown(actor: Any, filters: LedgerFilters, by: str, status: str = VERIFIED) -> list[Line]:
    """The filtered entries of one status summed by origin, use, industry, province or unit."""
    if by == "unit":
        return by_unit(actor, filters, status)
    column = Project.origin_province if by == "province" else _DIMENSIONS[by][0]
    stmt = select(column, func.sum(FundsEntry.amount), func.count(FundsEntry.id))
    stmt = apply_ledger_filters(scoped_entries(stmt, actor), filters, with_status=False)
    stmt = stmt.where(FundsEntry.status == status).group_by(column)
    found = {key: (int(amount or 0), int(count)) for key, amount, count in db.session.execute(stmt)}
    if by == "province":
        keys = sorted(found, key=lambda k: (-found[k][0], k == "", k))
        return [
            Line(k or NO_PROVINCE, k or "未填写", *found[k], {"province": k or NO_PROVINCE})
            for k in keys
        ]
    return [Line(k, k, *found.get(k, (0, 0)), {by: k}) for k in _DIMENSIONS[by][1]]


def by_unit(actor: Any, filters: LedgerFilters, status: str = VERIFIED) -> list[Line]:
    """Per unit the actor may see: every active unit (zero included) and any with entries."""
    found = _rolled_by_unit(actor, filters, status)
    if found is None:
        # count(*), not count(id): the same (every entry has an id), read from an index alone.
        stmt = select(Project.unit_id, func.sum(FundsEntry.amount), func.count())
        stmt = apply_ledger_filters(scoped_entries(stmt, actor), filters, with_status=False)
        stmt = stmt.where(FundsEntry.status == status).group_by(Project.unit_id)
        found = {uid: (int(a or 0), int(n)) for uid, a, n in db.session.execute(stmt)}
    units = select(Unit.id, Unit.name, Unit.active).where(scope_condition(Unit, actor))
    if filters.unit_id is not None:
        units = units.where(Unit.id == filters.unit_id)
    lines = [
        Line(str(uid), name, *found.get(uid, (0, 0)), {"unit_id": uid})
        for uid, name, active in db.session.execute(units.order_by(Unit.name))
        if active or uid in found
    ]
    return sorted(lines, key=lambda line: (-line.amount, line.label))


def _rolled_by_unit(
    actor: Any, filters: LedgerFilters, status: str
) -> dict[int, tuple[int, int]] | None:
    """Verified funds per unit from the monthly roll-up, when the filters are only a year's
    months, an origin and a unit (the targets table, the plain funds report); else None."""
    from app.reports.figures.overview import rollup_reads

    plain = LedgerFilters(
        year=filters.year,
        month_from=filters.month_from,
        month_to=filters.month_to,
        origin=filters.origin,
        unit_id=filters.unit_id,
    )
    if status != VERIFIED or not filters.year or filters != plain or not rollup_reads(actor):
        return None
    unit_id = own_unit(actor) or filters.unit_id
    return rollups.funds_by_unit(
        filters.year, filters.month_from, filters.month_to, filters.origin, unit_id
    )


@dataclass
class FundsReport:
    """The funds report screen and its export: verified figures, pending ones apart."""

    filters: LedgerFilters
    verified: tuple[int, int]
    pending: tuple[int, int]
    by_unit: list[Line]
    pending_by_unit: dict[str, Line]
    by_origin: list[Line]
    by_use: list[Line]
    by_industry: list[Line]
    by_province: list[Line]


def funds_report(actor: Any, filters: LedgerFilters) -> FundsReport:
    """Every figure of the funds report for the period and filters, within the actor's scope."""
    return FundsReport(
        filters=filters,
        verified=totals(actor, filters, VERIFIED),
        pending=totals(actor, filters, PENDING),
        by_unit=by_unit(actor, filters),
        pending_by_unit={line.key: line for line in by_unit(actor, filters, PENDING)},
        by_origin=breakdown(actor, filters, "origin"),
        by_use=breakdown(actor, filters, "use"),
        by_industry=breakdown(actor, filters, "industry"),
        by_province=breakdown(actor, filters, "province"),
    )


@dataclass(frozen=True)
class ProjectFunds:
    """A project's ledger in figures: verified total, pending apart, against its contract."""

    verified: int
    pending: int
    pending_count: int
    contract: int | None

    @property
    def rate(self) -> Decimal | None:
        """资金到位率: verified funds / contracted investment; None without a contract."""
        return percent(self.verified, self.contract)

    @property
    def rate_text(self) -> str:
        return percent_text(self.rate)


def project_funds(project: Project) -> ProjectFunds:
    """The funds figures of one project (the project page's panel)."""
    rows = db.session.execute(
        select(FundsEntry.status, func.sum(FundsEntry.amount), func.count(FundsEntry.id))
        .where(FundsEntry.project_id == project.id)
        .group_by(FundsEntry.status)
    ).all()
    found = {status: (int(amount or 0), int(count)) for status, amount, count in rows}
    return ProjectFunds(
        verified=found.get(VERIFIED, (0, 0))[0],
        pending=found.get(PENDING, (0, 0))[0],
        pending_count=found.get(PENDING, (0, 0))[1],
        contract=project.contract_investment,
    )


def verified_funds_of(projects: Select, condition: ColumnElement[bool] | None = None) -> int:
    """Verified funds (元) of a set of projects given as a statement selecting Project rows
    (a cohort's 资金到位率 numerator), optionally limited further."""
    ids = projects.with_only_columns(Project.id).order_by(None).subquery()
    stmt = select(func.coalesce(func.sum(FundsEntry.amount), 0)).where(
        FundsEntry.status == VERIFIED, FundsEntry.project_id.in_(select(ids.c.id))
    )
    if condition is not None:
        stmt = stmt.where(condition)
    return int(db.session.execute(stmt).scalar_one())


def live_entries() -> ColumnElement[bool]:
    """SQL: entries of projects not soft-deleted, as the ledger's join on live projects keeps.
    Checked against the few deleted ids (an index of them) rather than by reading the project
    row of every entry, which was most of the time of the dashboard's funds figures."""
    return FundsEntry.project_id.not_in(select(Project.id).where(Project.deleted_at.is_not(None)))


def received_by_day(
    actor: Any, start: date, end: date, unit_id: int | None = None
) -> list[tuple[date, int]]:
    """Verified funds (元) of the actor's live projects received on each day from `start` to
    the day before `end`, and only that unit's when `unit_id` is given."""
    stmt = select(FundsEntry.received_on, func.sum(FundsEntry.amount)).where(
        FundsEntry.status == VERIFIED,
        FundsEntry.received_on >= start,
        FundsEntry.received_on < end,
        live_entries(),
    )
    if unit_id is not None:
        stmt = stmt.where(FundsEntry.unit_scope(unit_id))
    stmt = apply_scope(stmt, FundsEntry, actor).group_by(FundsEntry.received_on)
    return [(day, int(amount or 0)) for day, amount in db.session.execute(stmt)]


@dataclass
class UnitRow:
    """One unit's line of the by-unit report: verified funds split by origin and by use."""

    unit_id: int
    name: str
    verified: int = 0
    count: int = 0
    pending: int = 0
    by_origin: dict[str, int] = field(default_factory=dict)
    by_use: dict[str, int] = field(default_factory=dict)


def unit_table(actor: Any, filters: LedgerFilters) -> list[UnitRow]:
    """The by-unit report (its screen and its export): every unit the actor may see."""
    stmt = select(
        Project.unit_id,
        FundsEntry.status,
        FundsEntry.origin,
        FundsEntry.use,
        func.sum(FundsEntry.amount),
        func.count(FundsEntry.id),
    )
    stmt = apply_ledger_filters(scoped_entries(stmt, actor), filters, with_status=False)
    stmt = stmt.where(FundsEntry.status.in_((VERIFIED, PENDING))).group_by(
        Project.unit_id, FundsEntry.status, FundsEntry.origin, FundsEntry.use
    )
    units = select(Unit.id, Unit.name, Unit.active).where(scope_condition(Unit, actor))
    if filters.unit_id is not None:
        units = units.where(Unit.id == filters.unit_id)
    rows = {
        uid: (UnitRow(uid, name), active)
        for uid, name, active in db.session.execute(units.order_by(Unit.name))
    }
    for unit_id, status, origin, use, amount, count in db.session.execute(stmt):
        if unit_id not in rows:
            continue
        row = rows[unit_id][0]
        amount = int(amount or 0)
        if status == PENDING:
            row.pending += amount
            continue
        row.verified += amount
        row.count += int(count)
        row.by_origin[origin] = row.by_origin.get(origin, 0) + amount
        row.by_use[use] = row.by_use.get(use, 0) + amount
    shown = [row for row, active in rows.values() if active or row.verified or row.pending]
    return sorted(shown, key=lambda r: (-r.verified, r.name))
