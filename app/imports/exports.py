"""The export registry: each export builds its sheets from the actor and a filter; one route
(and one command) writes them, streams the file and logs who exported what and how much."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import security_log
from app.core.dates import today
from app.core.permissions import Permission, ReadsBusinessData, ReadsReports
from app.core.spreadsheets import Sheet, write_workbook
from app.extensions import db
from app.funds.exports import ledger_sheet, unit_report_sheet
from app.funds.queries import LedgerFilters, default_period
from app.projects.queries import ProjectFilters
from app.projects.transfer import export_sheet as project_sheet


@dataclass(frozen=True)
class Export:
    """One export: who may run it and how its sheets are built from the filters given."""

    name: str
    title: str
    permission: Permission
    build: Callable[[Any, Any], tuple[list[Sheet], dict[str, str], str]]


def _projects(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
    filters = ProjectFilters.from_args(args)
    return [project_sheet(actor, filters)], filters.to_args(), ""


def _period(args: Any) -> LedgerFilters:
    filters = LedgerFilters.from_args(args)
    if not filters.year:
        default = default_period()
        filters.year, filters.month_from, filters.month_to = (
            default.year,
            default.month_from,
            default.month_to,
        )
    return filters


def _ledger(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
    filters = LedgerFilters.from_args(args)
    return [ledger_sheet(actor, filters)], filters.to_args(), filters.period_label


def _by_unit(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
    filters = _period(args)
    filters.status = ""
    return [unit_report_sheet(actor, filters)], filters.to_args(), filters.period_label


EXPORTS = {
    e.name: e
    for e in (
        Export("projects", "招商项目", ReadsBusinessData, _projects),
        Export("funds-ledger", "到位资金台账", ReadsBusinessData, _ledger),
        Export("funds-by-unit", "到位资金按单位汇总", ReadsReports, _by_unit),
    )
}


def filename(export: Export, label: str) -> str:
    """A download name people recognise: 到位资金台账_2026年1—10月_20261122.xlsx."""
    parts = [export.title, label.replace("—", "-")] if label else [export.title]
    return "_".join([*parts, f"{today():%Y%m%d}"]) + ".xlsx"


def run(
    sheets: list[Sheet],
    target: Path,
    *,
    name: str,
    filters: dict[str, str],
    actor: Any = None,
    username: str = "",
    ip: str = "",
) -> int:
    """Write the sheets to `target` and log the export; return the number of data rows."""
    rows = write_workbook(target, sheets)
    security_log.record(
        db.session,
        "export",
        user=actor,
        username=username,
        ip=ip,
        export=name,
        filter=filters,
        rows=rows,
    )
    return rows
