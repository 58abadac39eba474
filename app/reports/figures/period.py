"""The period of every figure: year Y, months 1..M, counted as of the end of month M (today
while M is the current month). The default is the last month that has ended: on 2 December
that is 1—11月, in January last year's 1—12月 (docs/domain.md, "The default period")."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.core.dates import today
from app.core.params import whole_number

EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    """Year Y and month M: the figures cover months 1..M of Y."""

    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year}年1—{self.month}月" if self.month > 1 else f"{self.year}年1月"

    @property
    def time_progress(self) -> Decimal:
        """时间进度 M / 12 in percent, two decimals (half-up)."""
        from app.reports.figures.targets import time_progress

        return time_progress(self.month)

    @property
    def end(self) -> date:
        """The last day of month M."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def as_of(self, on: date | None = None) -> date:
        """The day the figures are counted at: the period's end, or today if that is later."""
        return min(self.end, on or today())

    def is_current(self, on: date | None = None) -> bool:
        """True while month M is still running: its figures are to date, not final."""
        on = on or today()
        return (self.year, self.month) == (on.year, on.month)

    def as_of_label(self, on: date | None = None) -> str:
        """数据截至 2026年10月31日 (or 截至今日 for the current month)."""
        day = self.as_of(on)
        text = f"数据截至 {day.year}年{day.month}月{day.day}日"
        return text + "（本月至今）" if self.is_current(on) else text


def last_ended(on: date | None = None) -> Period:
    """The last month that has ended: the default period of every screen and report."""
    on = on or today()
    return Period(on.year - 1, 12) if on.month == 1 else Period(on.year, on.month - 1)


def this_month(on: date | None = None) -> Period:
    """The current month to date (one click away on every screen, and labelled so)."""
    on = on or today()
    return Period(on.year, on.month)


def period_problem(raw_year: Any, raw_month: Any, on: date | None = None) -> str | None:
    """Why a typed year and month are not a period the figures can be shown for, or None."""
    on = on or today()
    year, month = whole_number(raw_year), whole_number(raw_month)
    if year is None or month is None:
        return "年份和月份须为数字，例如 年份 2026、月份 10"
    if not 1 <= month <= 12:
        return f"月份须在 1—12 之间（收到的是 {month}）"
    if not EARLIEST_YEAR <= year <= on.year:
        return f"年份须在 {EARLIEST_YEAR}—{on.year} 之间（收到的是 {year}）"
    if (year, month) > (on.year, on.month):
        return f"{year}年{month}月尚未开始，没有数据"
    return None


def read_period(args: Any, on: date | None = None) -> tuple[Period, str | None]:
    """The period a query string or form asks for. Nothing asked: the last month that has
    ended. Unreadable, impossible or future values: that default and a Chinese message
    saying why (never an error)."""
    on = on or today()
    default = last_ended(on)
    raw_year = str(args.get("year") or "").strip()
    raw_month = str(args.get("month") or "").strip()
    if not raw_year and not raw_month:
        return default, None
    year = whole_number(raw_year)
    if not raw_month and year is not None:  # a year alone: a past one whole, this one so far
        raw_month = "12" if year < on.year else str(max(on.month - 1, 1))
    problem = period_problem(raw_year, raw_month, on)
    if problem:
        return default, f"{problem}，已显示{default.label}"
    return Period(int(raw_year), int(raw_month)), None
