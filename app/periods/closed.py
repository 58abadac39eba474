"""Whether a date lies in a month whose bulletin has been issued and closed."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import column, func, select, table

from app.extensions import db

# The month-close table as this layer needs it: only the closed months' numbers. Its model,
# with the snapshot and the issued files, is app.reports.models.MonthClose.
MONTH_CLOSES = table("month_closes", column("year"), column("month"))


class ClosedMonth(NamedTuple):
    """A closed month."""

    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


def closed_covering(on_date: date) -> ClosedMonth | None:
    """The earliest closed month whose issued figures include this date, if any (figures for
    months 1..M of a year include every date of that year up to the end of M)."""
    stmt = (
        select(MONTH_CLOSES.c.year, MONTH_CLOSES.c.month)
        .where(MONTH_CLOSES.c.year == on_date.year, MONTH_CLOSES.c.month >= on_date.month)
        .order_by(MONTH_CLOSES.c.month)
        .limit(1)
    )
    row = db.session.execute(stmt).first()
    return ClosedMonth(*row) if row else None


def closed_through() -> dict[int, int]:
    """Per year, the latest closed month: any date of that year up to it is in issued figures.
    One query, for checking many dates at once (an import)."""
    stmt = select(MONTH_CLOSES.c.year, func.max(MONTH_CLOSES.c.month)).group_by(
        MONTH_CLOSES.c.year
    )
    return {year: month for year, month in db.session.execute(stmt).all()}  # noqa: C416


def reason_required(on_date: date | None) -> bool:
    """True when a change dated `on_date` (a funds entry's 到位日期, a milestone date) would
    alter the figures of a month already closed, so the change must state a reason."""
    return on_date is not None and closed_covering(on_date) is not None


def reason_required_message(on_date: date) -> str:
    """The Chinese message for a change into a closed month made without a reason."""
    close = closed_covering(on_date)
    label = close.label if close else "该月"
    return f"{on_date.year}年{on_date.month}月的数据已随{label}通报月结，改动须说明原因"
