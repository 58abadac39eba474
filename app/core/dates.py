"""Dates in the bureau's time zone and the date formats people type."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from app.core.db import utcnow


def local_zone() -> ZoneInfo:
    """The bureau's time zone (setting TIMEZONE, Asia/Shanghai by default)."""
    return ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Shanghai"))


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
