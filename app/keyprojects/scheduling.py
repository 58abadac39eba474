"""Monthly scheduling (月调度) of key projects: the reports a unit enters for a month that has
ended, the due day, the bureau's month locks and the per-unit summary. Writes take the acting
user, flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Select, or_, select

from app.care.models import Problem
from app.care.queries import ProblemFilters, problem_statement
from app.core import history
from app.core.dates import today
from app.core.forms import STALE_MESSAGE, ServiceError
from app.core.money import wan_to_yuan
from app.core.scoping import scoped_select
from app.extensions import db
from app.keyprojects.models import KeyMonthlyReport, KeyProject, KeyScheduleLock
from app.projects import access as project_access
from app.units.models import Unit

MAX_PROGRESS = 2000


# ---------------------------------------------------------------- the month and its due day


def has_ended(year: int, month: int, on: date | None = None) -> bool:
    """Only a month that has ended may be reported: the current month and later may not."""
    on = on or today()
    return (year, month) < (on.year, on.month)


def due_date(year: int, month: int) -> date:
    """Day KEY_REPORT_DUE_DAY of the month after (year, month)."""
    day = int(current_app.config["KEY_REPORT_DUE_DAY"])
    return date(year + (month == 12), month % 12 + 1, day)


def is_past_due(year: int, month: int, on: date | None = None) -> bool:
    """True once the due day of the month's report has passed (the due day itself is not)."""
    return (on or today()) > due_date(year, month)


def previous(year: int, month: int) -> tuple[int, int]:
    """The month before."""
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_lock(year: int, month: int) -> KeyScheduleLock | None:
    """The bureau's lock of the month, if it is locked."""
    return db.session.execute(
        select(KeyScheduleLock).where(
            KeyScheduleLock.year == year, KeyScheduleLock.month == month
        )
    ).scalar_one_or_none()


def is_locked(year: int, month: int) -> bool:
    return month_lock(year, month) is not None


# ---------------------------------------------------------------- reads


def schedulable(actor: Any, year: int, month: int) -> Select:
    """The actor's key projects that report for the month: of that year, not deleted, not
    completed before the month began."""
    first = date(year, month, 1)
    return (
        scoped_select(KeyProject, actor)
        .where(
            KeyProject.year == year,
            or_(KeyProject.completed_on.is_(None), KeyProject.completed_on >= first),
        )
        .order_by(KeyProject.unit_id, KeyProject.id)
    )


@dataclass
class ReportRow:
    """One key project on the month page: last month's 形象进度, this month's report."""

    key_project: KeyProject
    report: KeyMonthlyReport | None
    last: KeyMonthlyReport | None


def _reports(ids: list[int], year: int, month: int) -> dict[int, KeyMonthlyReport]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(KeyMonthlyReport).where(
            KeyMonthlyReport.key_project_id.in_(ids),
            KeyMonthlyReport.year == year,
            KeyMonthlyReport.month == month,
        )
    ).scalars()
    return {r.key_project_id: r for r in rows}


def month_rows(actor: Any, year: int, month: int, unit_id: int | None = None) -> list[ReportRow]:
    """The month page's rows, of one unit when given (within the actor's scope)."""
    stmt = schedulable(actor, year, month)
    if unit_id is not None:
        stmt = stmt.where(KeyProject.unit_id == unit_id)
    projects = list(db.session.execute(stmt).unique().scalars())
    ids = [kp.id for kp in projects]
    current = _reports(ids, year, month)
    last = _reports(ids, *previous(year, month))
    return [ReportRow(kp, current.get(kp.id), last.get(kp.id)) for kp in projects]


@dataclass
class UnitSummary:
    """Per unit for one month: 应报, 已报, the projects not reported, and whether overdue."""

    unit_id: int
    unit_name: str
    expected: int = 0
    reported: int = 0
    missing: list[KeyProject] = field(default_factory=list)
    past_due: bool = False

    @property
    def overdue(self) -> bool:
        """Past the due day with reports missing (已逾期)."""
        return self.past_due and bool(self.missing)


def unit_summaries(actor: Any, year: int, month: int) -> list[UnitSummary]:
    """The bureau's summary table: one row per unit with key projects reporting that month."""
    past_due = is_past_due(year, month)
    out: dict[int, UnitSummary] = {}
    for row in month_rows(actor, year, month):
        kp = row.key_project
        summary = out.setdefault(kp.unit_id, UnitSummary(kp.unit_id, kp.unit.name))
        summary.past_due = past_due
        summary.expected += 1
        if row.report is not None:
            summary.reported += 1
        else:
            summary.missing.append(kp)
    return sorted(out.values(), key=lambda s: (not s.overdue, -len(s.missing), s.unit_name))


# ---------------------------------------------------------------- writes


def _may_report(actor: Any, key_project: KeyProject) -> None:
    if not project_access.can_edit(actor, key_project):
        raise ServiceError("只有投资促进局和项目责任单位可以填报月调度")


def _month_problem(key_project: KeyProject, year: int, month: int) -> str | None:
    if not 1 <= month <= 12:
        return f"月份须在 1—12 之间（收到的是 {month}）"
    if year != key_project.year:
        return f"该项目是 {key_project.year} 年的重点项目，不能填报 {year} 年的月调度"
    if not has_ended(year, month):
        return f"{year}年{month}月尚未结束：只能填报已经结束的月份"
    if is_locked(year, month):
        return f"{year}年{month}月调度已锁定，不能再填报或修改"
    return None


def save_report(
    key_project: KeyProject,
    year: int,
    month: int,
    invested_wan: Decimal | None,
    progress: str | None,
    actor: Any,
    version: Any,
) -> KeyMonthlyReport:
    """Enter or correct a month's report: investment completed that month (万元) and 形象进度.

    `version` is the report's version the form was opened on ("" when there was none yet): a
    save based on an out-of-date page is refused."""
    _may_report(actor, key_project)
    refusal = _month_problem(key_project, year, month)
    if refusal:
        raise ServiceError({"month": refusal})
    existing = db.session.execute(
        select(KeyMonthlyReport).where(
            KeyMonthlyReport.key_project_id == key_project.id,
            KeyMonthlyReport.year == year,
            KeyMonthlyReport.month == month,
        )
    ).scalar_one_or_none()
    submitted = str(version or "").strip()
    if (existing is None and submitted) or (
        existing is not None and submitted != str(existing.version)
    ):
        raise ServiceError(STALE_MESSAGE)
    errors: dict[str, str] = {}
    if invested_wan is None:
        errors["invested_wan"] = "请填写本月完成投资（万元），没有投资填 0"
    elif invested_wan < 0:
        errors["invested_wan"] = "完成投资不能为负数"
    elif wan_to_yuan(invested_wan) > key_project.total_investment:
        errors["invested_wan"] = "本月完成投资不能超过项目总投资"
    text = (progress or "").strip()
    if not text:
        errors["progress"] = "请填写形象进度"
    elif len(text) > MAX_PROGRESS:
        errors["progress"] = f"形象进度不能超过 {MAX_PROGRESS} 字"
    if errors:
        raise ServiceError(errors)
    report = existing or KeyMonthlyReport(key_project_id=key_project.id, year=year, month=month)
    report.invested = wan_to_yuan(invested_wan)
    report.progress = text
    report.reported_on = today()
    report.reported_by_id = actor.id
    if existing is None:
        db.session.add(report)
    db.session.flush()
    return report


def _may_lock(actor: Any) -> None:
    if getattr(actor, "role", None) != "bureau":
        raise ServiceError("月调度的锁定和解锁由投资促进局负责")


def lock_month(year: int, month: int, actor: Any) -> KeyScheduleLock:
    """The bureau locks a month that has ended: no report of it is entered or changed."""
    _may_lock(actor)
    if not 1 <= month <= 12:
        raise ServiceError({"month": "月份须在 1—12 之间"})
    if not has_ended(year, month):
        raise ServiceError({"month": f"{year}年{month}月尚未结束，不能锁定"})
    existing = month_lock(year, month)
    if existing is not None:
        return existing
    lock = KeyScheduleLock(year=year, month=month, locked_by_id=actor.id)
    db.session.add(lock)
    db.session.flush()
    return lock


def unlock_month(year: int, month: int, reason: str | None, actor: Any) -> None:
    """The bureau unlocks a month, with a reason the history keeps."""
    _may_lock(actor)
    lock = month_lock(year, month)
    if lock is None:
        raise ServiceError({"month": f"{year}年{month}月调度未锁定"})
    text = (reason or "").strip()
    if not text:
        raise ServiceError({"reason": "请填写解锁原因"})
    if len(text) > MAX_PROGRESS:
        raise ServiceError({"reason": f"解锁原因不能超过 {MAX_PROGRESS} 字"})
    history.note_reason(db.session, f"解锁：{text}")
    db.session.delete(lock)
    db.session.flush()


# ---------------------------------------------------------------- the quarterly 督查 view


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and the last day of the quarter."""
    first = date(year, 3 * quarter - 2, 1)
    last_month = 3 * quarter
    last = date(year + (last_month == 12), last_month % 12 + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


@dataclass
class InspectionRow:
    """Key-project problems raised in the quarter, handled by one unit (or not handed yet)."""

    handling_unit_id: int | None  # None: 未交办; in the total row, every unit
    unit_name: str
    kind: str = "unit"  # "unit", "unassigned" or "total"
    raised: int = 0
    open: int = 0
    overdue: int = 0
    in_time: int = 0
    late: int = 0

    def add(self, status: str, deadline: date | None, resolved_on: date | None, on: date) -> None:
        """Count one problem, by the same rules as the problem list's filters."""
        self.raised += 1
        if status != "resolved":
            self.open += 1
            self.overdue += deadline is not None and deadline < on
        elif deadline is not None and resolved_on is not None:
            if resolved_on <= deadline:
                self.in_time += 1
            else:
                self.late += 1


def inspection(
    actor: Any, year: int, quarter: int, on: date | None = None
) -> tuple[list[InspectionRow], InspectionRow]:
    """Per handling unit and in total: problems raised on key projects in the quarter, open,
    open past the deadline, resolved in time, resolved late. A unit sees its own row only."""
    on = on or today()
    first, last = quarter_bounds(year, quarter)
    f = ProblemFilters(key=True, raised_from=first, raised_to=last)
    stmt = problem_statement(actor, f, on).with_only_columns(
        Problem.handling_unit_id, Problem.status, Problem.deadline, Problem.resolved_on
    )
    own = own_handling_unit(actor)
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    rows: dict[int | None, InspectionRow] = {}
    total = InspectionRow(None, "合计", "total")
    for unit_id, status, deadline, resolved_on in db.session.execute(stmt):
        if own is not None and unit_id != own:
            continue
        if unit_id not in rows:
            rows[unit_id] = (
                InspectionRow(unit_id, names[unit_id])
                if unit_id is not None
                else InspectionRow(None, "未交办", "unassigned")
            )
        rows[unit_id].add(status, deadline, resolved_on, on)
        total.add(status, deadline, resolved_on, on)
    ordered = sorted(rows.values(), key=lambda r: (r.handling_unit_id is None, -r.overdue, -r.open))
    return ordered, total


def own_handling_unit(actor: Any) -> int | None:
    """The handling unit a unit user's 督查 rows are limited to; None for district readers."""
    return actor.unit_id if getattr(actor, "role", None) == "unit" else None
