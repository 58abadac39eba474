"""The dashboard (驾驶舱) for a year and month: every figure gathered from the figures package.

The page, the monthly bulletin and the month-close snapshot all read this one object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core.dates import today
from app.reports.figures import attention, overview, targets, trips
from app.reports.figures.keyprojects import KeyLedger, key_ledger, records
from app.reports.figures.overview import Cohort, MonthProjects
from app.reports.figures.period import Period


@dataclass
class Attention:
    """What needs the leaders' attention now, each with the count and where it is listed."""

    stalled: int
    not_started: int
    overdue_problems: int
    overdue_commitments: int
    big_not_started: int
    big_not_started_args: dict[str, str]


@dataclass
class Dashboard:
    """Everything the leaders' page shows for one period, as the actor may see it."""

    period: Period
    unit_id: int | None  # a unit user's own unit; None for district-wide
    cohort: Cohort
    previous: Cohort  # the whole previous year's signed cohort
    funds_months: list[int]  # 元 per month of Y
    funds_months_previous: list[int]  # 元 per month of Y-1
    funds_received: int  # 元, months 1..M of Y
    funds_figure: targets.Figure | None  # against the sum of unit targets
    table: targets.TargetTable
    compliance: list[trips.LeaderRow]
    missing_trips: list  # required leaders without a trip this month (current month only)
    overlaps: list[trips.Overlap]
    attention: Attention
    month_projects: list[MonthProjects]
    generated_on: date
    as_of: date  # the day every figure is counted at (the period's end, or today)
    keyprojects: KeyLedger | None = None  # the key projects' 台账 (cards, bulletin section)

    def key_count(self, key: str) -> int:
        """Key projects the records page lists under `key` (a card's number is that list's)."""
        return len(records(self.keyprojects, key)) if self.keyprojects else 0

    @property
    def funds_cumulative(self) -> list[int]:
        return overview.cumulative(self.funds_months)[: self.period.month]

    @property
    def funds_previous_cumulative(self) -> list[int]:
        return overview.cumulative(self.funds_months_previous)


def build(actor: Any, period: Period, on: date | None = None) -> Dashboard:
    """Gather the dashboard's figures for the actor (a unit user's are their unit's)."""
    on = on or today()
    unit_id = actor.unit_id if actor.role == "unit" else None
    year, month = period.year, period.month
    table = targets.target_table(actor, year, month)
    mine = [r for r in table.rows if r.unit_id == unit_id] if unit_id else []
    funds_row = mine[0] if mine else table.total
    current = period.is_current(on)
    as_of = period.as_of(on)
    big = overview.big_not_started_filters(unit_id)
    months = overview.funds_months(actor, [year - 1, year], unit_id)
    return Dashboard(
        period=period,
        unit_id=unit_id,
        cohort=overview.signed_cohort(actor, year, month, unit_id, as_of),
        previous=overview.signed_cohort(actor, year - 1, 12, unit_id, date(year - 1, 12, 31)),
        funds_months=months[year],
        funds_months_previous=months[year - 1],
        funds_received=sum(months[year][:month]),
        funds_figure=funds_row.funds if funds_row is not None else None,
        table=table,
        compliance=[] if unit_id else trips.compliance(actor, year, on),
        missing_trips=trips.missing_this_month(actor, on) if current and not unit_id else [],
        overlaps=[] if unit_id else trips.overlaps(actor, year),
        attention=Attention(
            stalled=attention.count_stalled(actor, on),
            not_started=attention.count_not_started(actor, on),
            overdue_problems=attention.count_overdue_problems(actor, on),
            overdue_commitments=attention.count_overdue_commitments(actor, on),
            big_not_started=overview.count(actor, big),
            big_not_started_args=big.to_args(),
        ),
        month_projects=overview.month_projects(actor, year, month, unit_id),
        generated_on=on,
        as_of=as_of,
        keyprojects=key_ledger(actor, period),
    )
