"""Filtered reads of the history and the security log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select

from app.core.chain import broken_links, seal_before_reading, unsealed
from app.core.dates import date_param, local_zone
from app.core.history import HistoryEntry
from app.core.params import whole_number
from app.core.security_log import SecurityEvent
from app.extensions import db


def _parse_day(raw: str | None) -> date | None:
    return date_param(raw)  # 0001-01-01 or 9999-12-31 would overflow the UTC bounds


def _utc_bounds(
    day_from: date | None, day_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """Local calendar days to naive-UTC bounds [start, end)."""
    zone = local_zone()

    def to_utc(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    start = to_utc(day_from) if day_from else None
    end = to_utc(day_to + timedelta(days=1)) if day_to else None
    return start, end


def history_statement(filters: dict) -> Select:
    """History entries matching the auditor's filters, newest first."""
    stmt = select(HistoryEntry).order_by(HistoryEntry.id.desc())
    if filters.get("table"):
        stmt = stmt.where(HistoryEntry.table_name == filters["table"])
    if filters.get("action"):
        stmt = stmt.where(HistoryEntry.action == filters["action"])
    if filters.get("actor"):
        stmt = stmt.where(HistoryEntry.actor_name.ilike(f"%{filters['actor']}%"))
    record_id = whole_number(filters.get("record_id"))
    if record_id is not None:
        stmt = stmt.where(HistoryEntry.record_id == record_id)
    start, end = _utc_bounds(_parse_day(filters.get("from")), _parse_day(filters.get("to")))
    if start:
        stmt = stmt.where(HistoryEntry.at >= start)
    if end:
        stmt = stmt.where(HistoryEntry.at < end)
    return stmt


def security_statement(filters: dict) -> Select:
    """Security events matching the auditor's filters, newest first."""
    stmt = select(SecurityEvent).order_by(SecurityEvent.id.desc())
    if filters.get("event"):
        stmt = stmt.where(SecurityEvent.event == filters["event"])
    if filters.get("username"):
        stmt = stmt.where(SecurityEvent.username.ilike(f"%{filters['username']}%"))
    if filters.get("ip"):
        stmt = stmt.where(SecurityEvent.ip == filters["ip"])
    start, end = _utc_bounds(_parse_day(filters.get("from")), _parse_day(filters.get("to")))
    if start:
        stmt = stmt.where(SecurityEvent.at >= start)
    if end:
        stmt = stmt.where(SecurityEvent.at < end)
    return stmt


def history_tables() -> list[str]:
    """The table names that appear in the history."""
    return list(
        db.session.execute(
            select(HistoryEntry.table_name).distinct().order_by(HistoryEntry.table_name)
        ).scalars()
    )


def chain_report() -> dict[str, list[int]]:
    """Ids of tampered rows in each chained table (empty lists when intact), after sealing
    what is pending; a row its seal never reached counts among them."""
    seal_before_reading(db.session)
    connection = db.session.connection()
    return {
        model.__tablename__: sorted(
            set(broken_links(connection, model)) | set(unsealed(connection, model))
        )
        for model in (HistoryEntry, SecurityEvent)
    }
