"""The leaders' overview: a signed cohort's landing rates, funds by month, the month's projects.

Each figure is computed from the very statement its drill-down list runs (ProjectFilters),
so a number and the list behind it can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, and_, or_

from app.core import scoping
from app.core.pagination import count as count_rows
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.models import Project
from app.projects.queries import ProjectFilters, project_statement
from app.projects.stages import MILESTONE_FIELDS
from app.reports.figures.cohort import (
    Funnel,
    Group,
    combined,
    funnel,
    funnel_of,
    groups_of,
    landed_stage,
    rate,
)
from app.reports.figures.funds import received_by_day, verified_funds_of
from app.rollups import queries as rollups

RATE_STAGES = (("registered", "注册率"), ("started", "开工率"), ("operating", "投产率"))


@dataclass
class Cohort:
    """Projects signed in year Y, months 1..M (dropped ones included), and how far they got."""

    year: int
    month: int
    filters: ProjectFilters
    funnel: Funnel
    funds_verified: int  # 元, verified entries of these projects dated up to the as-of day
    as_of: date | None = None  # the day the cohort is counted at: its period's end, or today

    @property
    def signed(self) -> int:
        return self.funnel.signed

    @property
    def landed(self) -> int:
        return self.funnel.landed

    @property
    def landed_rate(self) -> Decimal | None:
        return self.funnel.landed_rate

    @property
    def landed_amount_rate(self) -> Decimal | None:
        return self.funnel.landed_amount_rate

    @property
    def funds_rate(self) -> Decimal | None:
        """资金到位率: verified funds of the cohort over its contracted investment."""
        return rate(self.funds_verified, self.funnel.signed_contract)

    def stage_rate(self, key: str) -> Decimal | None:
        """注册率, 开工率, 投产率: reached the stage / signed."""
        return rate(self.funnel.reached(key), self.funnel.signed)

    def link(self, **extra: str) -> dict[str, str]:
        """Query-string arguments of the project list behind a figure of this cohort."""
        return {**self.filters.to_args(), **extra}


def cohort_filters(
    year: int, month: int, unit_id: int | None = None, as_of: date | None = None
) -> ProjectFilters:
    """The list filters that select the cohort signed in year Y, months 1..M; its links
    count the stages reached by `as_of`, as the figures do."""
    return ProjectFilters(
        milestone="signed", year=year, month_to=month, dropped="all", unit_id=unit_id,
        as_of=as_of,
    )  # fmt: skip


def signed_cohort(
    actor: Any, year: int, month: int, unit_id: int | None = None, as_of: date | None = None
) -> Cohort:
    """The cohort signed in the period, with its funnel and its verified funds, each as it
    stood at the end of `as_of` (the period's end; today for the current month)."""
    filters = cohort_filters(year, month, unit_id, as_of)
    statement = project_statement(actor, filters)
    if not rollup_reads(actor):
        up_to = FundsEntry.received_on <= as_of if as_of is not None else None
        return Cohort(
            year=year,
            month=month,
            filters=filters,
            funnel=funnel(statement, landed_stage(), as_of),
            funds_verified=verified_funds_of(statement, up_to),
            as_of=as_of,
        )
    unit_id = scoping.own_unit(actor) or unit_id
    return Cohort(
        year=year,
        month=month,
        filters=filters,
        funnel=funnel_of(_rolled_groups(statement, year, month, unit_id, as_of), landed_stage()),
        funds_verified=_rolled_funds(statement, year, month, unit_id, as_of),
        as_of=as_of,
    )


def rollup_reads(actor: Any) -> bool:
    """Whether the roll-ups answer for the actor: one who sees the whole district or one unit
    (their unit's cells, cut further like every read by the session's own scope)."""
    return scoping.sees_whole_district(actor) or scoping.own_unit(actor) is not None


def _rolled_groups(
    statement: Select, year: int, month: int, unit_id: int | None, as_of: date | None
) -> list[Group]:
    """The cohort's groups from the roll-up (where its projects stand now), corrected by the
    few projects with a milestone or drop dated after `as_of`: they count where they stood."""
    rolled = [Group(*row) for row in rollups.cohort_groups(year, month, unit_id)]
    latest = rollups.cohort_latest(year, month, unit_id)
    if as_of is None or latest is None or latest <= as_of:
        return rolled  # nothing dated after as-of: where they stand now is where they stood
    later = or_(*(getattr(Project, name) > as_of for name in (*MILESTONE_FIELDS, "dropped_on")))
    changed = statement.where(later)
    return combined(
        (1, rolled), (-1, groups_of(changed, as_of, now=True)), (1, groups_of(changed, as_of))
    )


def _rolled_funds(
    statement: Select, year: int, month: int, unit_id: int | None, as_of: date | None
) -> int:
    """The cohort's verified funds: whole months from the roll-up, the days of as-of's month
    up to as-of from the ledger (its status-and-date index)."""
    if as_of is None:
        return rollups.cohort_funds(year, month, unit_id)
    start = as_of.replace(day=1)
    after = as_of + timedelta(days=1)
    if after.day == 1:  # the month's last day: every day of it is in the roll-up
        return rollups.cohort_funds(year, month, unit_id, (after.year, after.month))
    whole = rollups.cohort_funds(year, month, unit_id, (start.year, start.month))
    days = and_(FundsEntry.received_on >= start, FundsEntry.received_on <= as_of)
    return whole + verified_funds_of(statement, days)


def funds_months(actor: Any, years: list[int], unit_id: int | None = None) -> dict[int, list[int]]:
    """Verified funds (元) received in each month of each year, January first: from the
    monthly roll-up (one grouped read), or from the ledger's days for another actor."""
    first, last = min(years), max(years)
    totals = {year: [0] * 12 for year in range(first, last + 1)}
    if rollup_reads(actor):
        cells = rollups.funds_by_month(first, last, scoping.own_unit(actor) or unit_id)
        for (year, month), amount in cells.items():
            totals[year][month - 1] += amount
        return {year: totals[year] for year in years}
    for day, amount in received_by_day(actor, date(first, 1, 1), date(last + 1, 1, 1), unit_id):
        totals[day.year][day.month - 1] += amount
    return {year: totals[year] for year in years}


def cumulative(values: list[int]) -> list[int]:
    """Running totals."""
    out, total = [], 0
    for value in values:
        total += value
        out.append(total)
    return out


@dataclass
class MonthProjects:
    """Projects that reached a milestone in one month, by name, with the list's filters."""

    key: str
    label: str
    filters: ProjectFilters
    total: int
    projects: list[Row]  # (id, name) of the first NAMES_SHOWN by name; the link shows all

    @property
    def more(self) -> int:
        """How many are counted but not named on the page."""
        return self.total - len(self.projects)


NAMES_SHOWN = 30  # a month's names on the dashboard; a busy month links to the rest


def month_projects(
    actor: Any, year: int, month: int, unit_id: int | None = None
) -> list[MonthProjects]:
    """The projects signed, started and put into production in the month."""
    out = []
    for key, label in (("signed", "签约"), ("started", "开工"), ("operating", "投产")):
        filters = ProjectFilters(
            milestone=key,
            year=year,
            month_from=month,
            month_to=month,
            dropped="all",
            unit_id=unit_id,
            sort="name",
        )
        stmt = project_statement(actor, filters)
        names = stmt.with_only_columns(Project.id, Project.name).limit(NAMES_SHOWN)
        out.append(
            MonthProjects(key, label, filters, count_rows(stmt), list(db.session.execute(names)))
        )
    return out


def big_not_started_filters(unit_id: int | None = None) -> ProjectFilters:
    """亿元以上 projects signed but not started (active ones)."""
    return ProjectFilters(big=True, reached="signed", below="started", unit_id=unit_id)


def count(actor: Any, filters: ProjectFilters) -> int:
    """How many projects the list with these filters holds."""
    return count_rows(project_statement(actor, filters))
