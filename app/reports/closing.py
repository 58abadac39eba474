"""Month close (月结, docs/domain.md, "Month close"): closing a month with its issued bulletin,
the guard that later changes to a closed month need a reason, and the issued-against-live
comparison.

A month M of year Y, once closed, fixes the figures of months 1..M of Y as issued. A change
dated in month m of Y therefore touches every closed month M ≥ m of that year."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select

from app.core.db import utcnow
from app.core.forms import ServiceError
from app.core.history import HistoryEntry
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.models import Project
from app.reports import snapshot
from app.reports.models import MonthClose

if TYPE_CHECKING:
    from app.reports.dashboard import Dashboard
    from app.reports.figures.period import Period

RECORDS_SHOWN = 200
PROJECT_FIELDS = {
    "signed_on": "签约日期",
    "contract_investment": "合同投资额",
    "planned_investment": "计划总投资",
    "registered_on": "注册日期",
    "funded_on": "资金到位日期",
    "started_on": "开工日期",
    "operating_on": "投产日期",
    "dropped_on": "终止日期",
    "unit_id": "责任单位",
    "deleted_at": "删除",
    "merged_into_id": "合并",
}
FUNDS_FIELDS = {"status": "核实状态", "amount": "金额", "received_on": "到位日期"}


# ---------------------------------------------------------------- reading closed months


def month_close(year: int, month: int) -> MonthClose | None:
    """The close of one month, or None while it is open."""
    stmt = select(MonthClose).where(MonthClose.year == year, MonthClose.month == month)
    return db.session.execute(stmt).scalar_one_or_none()


def closed_months() -> list[MonthClose]:
    """Every closed month, latest first (files not loaded)."""
    stmt = select(MonthClose).order_by(MonthClose.year.desc(), MonthClose.month.desc())
    return list(db.session.execute(stmt).scalars())


def latest_close() -> MonthClose | None:
    """The most recent closed month, or None when nothing has been closed yet."""
    stmt = select(MonthClose).order_by(MonthClose.year.desc(), MonthClose.month.desc()).limit(1)
    return db.session.execute(stmt).scalar_one_or_none()


# ---------------------------------------------------------------- closing


@dataclass
class IssuedFiles:
    """What a close keeps: the files exactly as issued and the key figures they state."""

    docx: bytes
    xlsx: bytes
    docx_name: str
    xlsx_name: str
    snapshot: dict[str, Any]
    issued_on: date


def can_close(actor: Any) -> bool:
    """Only the bureau closes a month (it issues the bulletin)."""
    return getattr(actor, "role", None) == "bureau"


def close_problem(year: int, month: int, on: date) -> str | None:
    """Why the month cannot be closed now, or None."""
    if (year, month) >= (on.year, on.month):
        return f"{year}年{month}月尚未结束，月底之后才能月结"
    if month_close(year, month) is not None:
        return f"{year}年{month}月已经月结，不能重复月结"
    return None


def close_month(actor: Any, period: Period, files: IssuedFiles, on: date) -> MonthClose:
    """Close the month with the bulletin just issued; refuse a second close."""
    if not can_close(actor):
        raise ServiceError("只有投资促进局可以月结")
    problem = close_problem(period.year, period.month, on)
    if problem:
        raise ServiceError(problem)
    close = MonthClose(
        year=period.year,
        month=period.month,
        closed_at=utcnow(),
        closed_by_id=getattr(actor, "id", None),
        issued_on=files.issued_on,
        snapshot_json=json.dumps(files.snapshot, ensure_ascii=False, sort_keys=True),
        docx_name=files.docx_name,
        xlsx_name=files.xlsx_name,
        docx_sha256=hashlib.sha256(files.docx).hexdigest(),
        xlsx_sha256=hashlib.sha256(files.xlsx).hexdigest(),
        docx=files.docx,
        xlsx=files.xlsx,
    )
    db.session.add(close)
    db.session.flush()
    return close


def issued_file(close: MonthClose, kind: str) -> tuple[bytes, str]:
    """The issued .docx or .xlsx of a closed month and its file name."""
    if kind == "docx":
        return close.docx, close.docx_name
    return close.xlsx, close.xlsx_name


# ---------------------------------------------------------------- issued against live


@dataclass
class ChangedRecord:
    """A change to a project or a funds entry made after the close that touches the period."""

    at: datetime
    actor_name: str
    table_name: str
    record_id: int | None
    action: str
    label: str
    fields: list[str]
    reason: str | None

    @property
    def kind_label(self) -> str:
        return "到位资金" if self.table_name == "funds_entries" else "项目"

    @property
    def endpoint(self) -> tuple[str, dict[str, int]] | None:
        """Where the record is shown: (endpoint, arguments)."""
        if self.record_id is None:
            return None
        if self.table_name == "funds_entries":
            return "funds.entry", {"entry_id": self.record_id}
        return "projects.detail", {"project_id": self.record_id}


@dataclass
class MonthDiff:
    """A closed month: the figures whose live value differs from the issued one, and the
    records changed since the close that affect the period."""

    close: MonthClose
    changes: list[snapshot.FigureChange] = field(default_factory=list)
    records: list[ChangedRecord] = field(default_factory=list)
    records_total: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.records_total)


def _bounds(year: int, month: int) -> tuple[date, date]:
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, 1, 1), end


def _relevant(entry: HistoryEntry, start: date, end: date, in_period: set[int]) -> list[str]:
    """The changed fields that bear on the period's figures ([] when none do)."""
    before, after = entry.before, entry.after
    if entry.table_name == "funds_entries":
        counted = "verified" in (before.get("status"), after.get("status"))
        if entry.action == "create":
            return ["新增已核实记录"] if after.get("status") == "verified" else []
        return [FUNDS_FIELDS[k] for k in FUNDS_FIELDS if k in after] if counted else []
    if entry.action in ("create", "delete"):
        return ["新增" if entry.action == "create" else "删除"]
    fields = [label for key, label in PROJECT_FIELDS.items() if key in before or key in after]
    if not fields or entry.record_id in in_period:
        return fields
    moved = [before.get(k) for k in ("signed_on", "started_on")]
    return fields if any(d and start.isoformat() <= d < end.isoformat() for d in moved) else []


def changed_records(close: MonthClose) -> tuple[list[ChangedRecord], int]:
    """History entries after the close on the period's projects and counted funds entries."""
    start, end = _bounds(close.year, close.month)
    signed = and_(Project.signed_on >= start, Project.signed_on < end)
    started = and_(Project.started_on >= start, Project.started_on < end)
    period_ids = select(Project.id).where(or_(signed, started))
    cohort = select(Project.id).where(signed)
    entries = select(FundsEntry.id).where(
        or_(
            and_(FundsEntry.received_on >= start, FundsEntry.received_on < end),
            FundsEntry.project_id.in_(cohort),
        )
    )
    moved_out = or_(
        *(
            HistoryEntry.before_json.like(f'%"{name}": "{close.year}-%')
            for name in ("signed_on", "started_on")
        )
    )
    stmt = (
        select(HistoryEntry)
        .where(
            HistoryEntry.at > close.closed_at,
            or_(
                and_(
                    HistoryEntry.table_name == "funds_entries", HistoryEntry.record_id.in_(entries)
                ),
                and_(
                    HistoryEntry.table_name == "projects",
                    or_(HistoryEntry.record_id.in_(period_ids), moved_out),
                ),
            ),
        )
        .order_by(HistoryEntry.id)
    )
    found, in_period = [], None
    for entry in db.session.execute(stmt).scalars():
        if in_period is None:
            in_period = set(db.session.execute(period_ids).scalars())
        fields = _relevant(entry, start, end, in_period)
        if fields:
            found.append(
                ChangedRecord(
                    entry.at,
                    entry.actor_name,
                    entry.table_name,
                    entry.record_id,
                    entry.action_label,
                    entry.label,
                    fields,
                    entry.reason,
                )
            )
    return found[:RECORDS_SHOWN], len(found)


def closed_month_diff(actor: Any, dashboard: Dashboard) -> MonthDiff | None:
    """For a closed month, the issued figures against the live ones of this dashboard and the
    records changed since; None when the month is open or the dashboard is a unit's (the
    issued bulletin is the district's)."""
    if getattr(actor, "role", None) == "unit" or dashboard.unit_id is not None:
        return None
    close = month_close(dashboard.period.year, dashboard.period.month)
    if close is None:
        return None
    changes = snapshot.compare(close.snapshot, snapshot.snapshot(dashboard))
    records, total = changed_records(close)
    return MonthDiff(close, changes, records, total)
