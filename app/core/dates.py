"""Dates in the bureau's time zone and the date formats people type."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from app.core.db import utcnow

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def local_zone() -> ZoneInfo:
    """The bureau's time zone (setting TIMEZONE, Asia/Shanghai by default)."""
    config = current_app.config if has_app_context() else {}
    return ZoneInfo(config.get("TIMEZONE", "Asia/Shanghai"))


def today() -> date:
    """Today's date where the bureau is, not where the server's clock is."""
    return datetime.now(local_zone()).date()


def to_local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC datetime shown in the bureau's time zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(local_zone())


def utc_minutes_from_now(minutes: int) -> datetime:
    """A naive-UTC moment some minutes from now."""
    return utcnow() + timedelta(minutes=minutes)


EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 5
DATE_HINT = "格式如 2026-03-05"


def date_bounds() -> tuple[date, date]:
    """The dates the product accepts: settings EARLIEST_DATE to today + DATE_YEARS_AHEAD years.

    Nothing the bureau records happened before 2000 or is planned more than a few years
    ahead; a 0001 or 9999 date is a slip, and figures that add days to it would overflow.
    """
    config = current_app.config if has_app_context() else {}
    earliest = config.get("EARLIEST_DATE", EARLIEST_DATE)
    now = today()
    years = int(config.get("DATE_YEARS_AHEAD", YEARS_AHEAD))
    try:
        latest = now.replace(year=now.year + years)
    except ValueError:  # 29 February
        latest = now.replace(year=now.year + years, day=28)
    return earliest, latest


def date_problem(on: date, label: str = "日期") -> str | None:
    """Why a date lies outside the accepted range, in Chinese, or None when it is inside."""
    earliest, latest = date_bounds()
    if on < earliest:
        return f"{label}（{on:%Y-%m-%d}）不能早于 {earliest:%Y-%m-%d}，请核对"
    if on > latest:
        return f"{label}（{on:%Y-%m-%d}）不能晚于 {latest:%Y-%m-%d}，请核对"
    return None


def calendar_day(year: int, month: int, day: int, what: str) -> date:
    """The date of written year, month and day numbers; ValueError naming `what` (the date
    as typed, e.g. 日期“2026-02-30”) and saying why when that day does not exist."""
    if not year or not 1 <= month <= 12:
        reason = "：月份应为 1—12" if year else ""
        raise ValueError(f"{what}不存在{reason}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"{what}不存在：{year}年{month}月只有 {last} 天")
    return date(year, month, day)


def parse_typed_date(raw: str, label: str = "日期") -> date:
    """A date typed as YYYY-MM-DD and inside date_bounds(); ValueError with a Chinese reason."""
    text = (raw or "").strip()
    match = _ISO_DATE.fullmatch(text)
    if not match:
        raise ValueError(f"{label}“{text[:30]}”无法识别，{DATE_HINT}")
    on = calendar_day(*(int(g) for g in match.groups()), f"{label}“{text}”")
    problem = date_problem(on, label)
    if problem:
        raise ValueError(problem)
    return on


def date_param(raw: object) -> date | None:
    """A date from a query string, or None when it is not one or outside date_bounds()."""
    try:
        return parse_typed_date(str(raw or ""))
    except ValueError:
        return None
