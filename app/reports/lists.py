"""The lists behind the reports' figures (app/core/lists.py): the key projects behind one number
of the 重点项目台账 or the 三类现象 page, paged, sortable and exported exactly as counted.

A figure is computed in Python as of its period's end (app/reports/figures/keyprojects.py);
the list pages the key projects it holds, and every row shows the figure's own numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import g
from sqlalchemy import Select, case, select

from app.care.models import Commitment
from app.core import lists
from app.core.dates import today
from app.core.params import whole_number
from app.core.permissions import ReadsReports
from app.core.spreadsheets import Column
from app.keyprojects import exports as key_exports
from app.keyprojects.models import CATEGORIES, KeyProject
from app.leaders.models import Leader
from app.projects.models import Project
from app.reports.figures import attention
from app.reports.figures import keyprojects as kf
from app.reports.figures.period import Period, read_period
from app.units.models import Unit


def record_filters(args: Mapping[str, Any]) -> dict[str, Any]:
    """The refinements of a records link: category, 工程, unit, leader (0: none; -1: unreadable)."""
    filters: dict[str, Any] = {}
    category = str(args.get("category") or "").strip()
    if category in CATEGORIES:
        filters["category"] = category
    programme = str(args.get("programme") or "").strip()
    if programme:
        filters["programme"] = programme[:50]
    for name in ("unit_id", "leader_id"):
        raw = str(args.get(name) or "").strip()
        if raw:
            number = whole_number(raw)
            filters[name] = number if number is not None and number < 2**62 else -1
    return filters


def record_key(args: Mapping[str, Any]) -> str:
    """The figure asked for, or "all" when it is not one of the figures."""
    key = str(args.get("key") or "all").strip()
    return key if key in kf.RECORD_KEYS else "all"


@dataclass(frozen=True)
class Records:
    """The key projects behind one figure, as of its period's end."""

    period: Period
    key: str
    filters: dict[str, Any]
    ledger: kf.KeyLedger
    rows: tuple[kf.KeyRow, ...]

    @property
    def by_id(self) -> dict[int, kf.KeyRow]:
        return {r.key_project.id: r for r in self.rows}


def records(actor: Any, args: Mapping[str, Any]) -> Records:
    """The figure's rows for these arguments, computed once a request (page, count, export)."""
    period, _message = read_period(args)
    key, filters = record_key(args), record_filters(args)
    cache = g.setdefault("key_records", {})
    marker = (getattr(actor, "id", None), period, key, tuple(sorted(filters.items())))
    if marker not in cache:
        ledger = kf.key_ledger(actor, period)
        cache[marker] = Records(period, key, filters, ledger, kf.records(ledger, key, **filters))
    return cache[marker]


def _filter_args(args: Mapping[str, Any]) -> dict[str, str]:
    period, _message = read_period(args)
    kept = {"key": record_key(args), "year": str(period.year), "month": str(period.month)}
    return {**kept, **{k: str(v) for k, v in record_filters(args).items()}}


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    """The figure's key projects, in the 台账's order; their rows kept for the cells."""
    found = records(actor, args)
    g.key_records_shown = found.by_id
    ids = [r.key_project.id for r in found.rows]
    statement = (
        select(KeyProject)
        .join(Unit, Unit.id == KeyProject.unit_id)
        .outerjoin(Leader, Leader.id == KeyProject.leader_id)
        .where(KeyProject.id.in_(ids))
    )
    if ids:
        statement = statement.order_by(case({i: n for n, i in enumerate(ids)}, value=KeyProject.id))
    return statement


def _row(key_project: KeyProject) -> list[Any]:
    """The 台账's cells of one key project, without its 序号 (keyprojects/exports.py)."""
    return key_exports._row(0, g.key_records_shown[key_project.id])[1:]


def _title(args: Mapping[str, Any]) -> str:
    period, _message = read_period(args)
    return f"{period.label}{kf.RECORD_KEYS[record_key(args)]}（单位：万元、%）"


def _label(args: Mapping[str, Any]) -> str:
    period, _message = read_period(args)
    return f"{period.label}{kf.RECORD_KEYS[record_key(args)]}"


KEY_RECORDS = lists.register(
    lists.ListSpec(
        name="key-records",
        title="重点项目清单",
        endpoint="keyfigures.records",
        statement=_statement,
        columns=key_exports.COLUMNS[1:],
        row=_row,
        sorts={"name": KeyProject.name, "category": KeyProject.category,
               "leader": Leader.name, "unit": Unit.name,
               "total": KeyProject.total_investment, "plan": KeyProject.annual_plan},
        tiebreak=(KeyProject.id,),
        filter_args=_filter_args,
        label=_label,
        permission=ReadsReports,
        export_title=_title,
        paper=8,
    )
)  # fmt: skip


def _overdue_row(commitment: Commitment) -> list[Any]:
    return [
        commitment.due_on,
        (today() - commitment.due_on).days,
        commitment.project.name,
        commitment.promise,
        commitment.delivering_unit.name,
    ]


OVERDUE_COMMITMENTS = lists.register(
    lists.ListSpec(
        name="overdue-commitments",
        title="逾期未兑现承诺",
        endpoint="reports.overdue_commitments",
        statement=lambda actor, args: attention.overdue_commitments(actor),
        sorts={"due": Commitment.due_on, "project": Project.name},
        tiebreak=(Commitment.id,),
        columns=[
            Column("期限", "date"), Column("逾期天数", "int"), Column("项目", width=28),
            Column("承诺事项", width=40), Column("落实单位", width=14),
        ],
        row=_overdue_row,
        permission=ReadsReports,
    )
)  # fmt: skip
