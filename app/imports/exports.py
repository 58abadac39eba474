"""The export registry: each export builds its sheets from the actor and a filter; one route
(and one command) writes them, streams the file and logs who exported what and how much."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, after_this_request, current_app, send_file

from app.core import lists, scoping, security_log
from app.core.dates import today
from app.core.permissions import Permission, ReadsBusinessData, ReadsReports
from app.core.spreadsheets import Sheet, write_workbook
from app.core.web import client_ip
from app.extensions import db
from app.funds import lists as funds_lists
from app.funds.exports import ledger_sheet, statement_sheet, unit_report_sheet
from app.funds.queries import LedgerFilters, default_period
from app.jobs import kinds as job_kinds
from app.jobs import services as job_services
from app.jobs.kinds import JobRefused, JobResult
from app.keyprojects import exports as key_exports
from app.projects.queries import ProjectFilters
from app.projects.transfer import export_sheet as project_sheet
from app.reports.bulletin import DEFAULT_ISSUER
from app.reports.figures.funds_statement import funds_statement
from app.reports.figures.keyprojects import key_ledger
from app.reports.figures.period import read_period
from app.reports.figures.targets import target_table
from app.targets import exports as target_exports
from app.trips import exports as trip_exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    """The ledger list's export (app/funds/lists.py): its filter, in the order it shows."""
    filters = LedgerFilters.from_args(args)
    sheet = ledger_sheet(actor, filters, lambda statement: funds_lists.ordered(statement, args))
    sort = {"sort": funds_lists.LEDGER.sort_of(args.get("sort"))} if args.get("sort") else {}
    return [sheet], {**filters.to_args(), **sort}, filters.period_label


def _by_unit(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
    filters = _period(args)
    filters.status = ""
    return [unit_report_sheet(actor, filters)], filters.to_args(), filters.period_label


def _trips(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
    year = trip_exports.year_from(args)
    sheets = trip_exports.compliance_workbook(actor, year, today(), trip_exports.yields_as_of(args))
    return sheets, {"year": str(year)}, f"{year}年"


def _targets(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
    year, month = target_exports.period_from(args)
    yellow_max = current_app.config["LIGHT_YELLOW_MAX_LAG"]
    sheet = target_exports.table_sheet(target_table(actor, year, month), today(), yellow_max)
    filters = {"year": str(year), "month": str(month)}
    return [sheet], filters, target_exports.period_label(year, month)


def _key_ledger(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
    period, _message = read_period(args)
    issuer = key_exports.issuer_of(actor, current_app.config.get("BULLETIN_ISSUER", DEFAULT_ISSUER))
    sheet = key_exports.ledger_sheet(key_ledger(actor, period), issuer)
    return [sheet], {"year": str(period.year), "month": str(period.month)}, period.label


def _statement(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
    period, _message = read_period(args)
    issuer = current_app.config.get("BULLETIN_ISSUER", DEFAULT_ISSUER)
    sheet = statement_sheet(funds_statement(actor, period), issuer)
    return [sheet], {"year": str(period.year), "month": str(period.month)}, period.label


EXPORTS = {
    e.name: e
    for e in (
        Export("projects", "招商项目", ReadsBusinessData, _projects),
        Export("funds-ledger", "到位资金台账", ReadsBusinessData, _ledger),
        Export("funds-by-unit", "到位资金按单位汇总", ReadsReports, _by_unit),
        Export("funds-statement", "到位资金情况表", ReadsReports, _statement),
        Export("trips", "领导外出招商情况", ReadsBusinessData, _trips),
        Export("targets", "目标任务完成情况", ReadsBusinessData, _targets),
        Export("key-ledger", "重点项目台账", ReadsBusinessData, _key_ledger),
    )
}


def _list_export(spec: lists.ListSpec) -> Export:
    """A registered list's export: its sheet of exactly the filtered rows, in the shown order."""

    def build(actor: Any, args: Any) -> tuple[list[Sheet], dict[str, str], str]:
        return [lists.sheet(spec, actor, args)], spec.filter_args(args), spec.label(args)

    return Export(spec.name, spec.title, spec.permission, build)


def find(name: str) -> Export | None:
    """The export of that name: one of the reports above or a registered list."""
    if name in EXPORTS:
        return EXPORTS[name]
    spec = lists.SPECS.get(name)
    return _list_export(spec) if spec else None


def names() -> list[str]:
    """Every export's name (the reports and the registered lists)."""
    return [*EXPORTS, *(n for n in lists.SPECS if n not in EXPORTS)]


def too_big_to_send(name: str, actor: Any, args: Any) -> bool:
    """A list export of more than EXPORT_INLINE_ROWS rows runs as a job, not in the request."""
    spec = lists.SPECS.get(name) if name not in EXPORTS else None
    limit = current_app.config["EXPORT_INLINE_ROWS"]
    return spec is not None and lists.count(spec, actor, args) > limit


def start_export_job(name: str, args: Any, actor: Any) -> Any:
    """Queue the export as a job for the actor; the job page offers the file when done."""
    export = find(name)
    params = {"name": name, "args": args.to_dict(flat=True) if hasattr(args, "to_dict") else args,
              "ip": client_ip()}  # fmt: skip
    return job_services.start("export", params, actor, title=f"导出{export.title}")


def _counted(rows: Any, progress: Any) -> Any:
    for row in rows:
        progress.advance()
        yield row


def _run_export_job(params: dict[str, Any], progress: Any) -> JobResult:
    """The export job: the same sheets as the route, written to the job's result file."""
    export = find(params["name"])
    if export is None:
        raise JobRefused("该导出已不存在")
    actor = scoping.current_actor(db.session)
    args = params.get("args") or {}
    spec = lists.SPECS.get(export.name)
    if spec is not None:
        progress.set_total(lists.count(spec, actor, args), "写入Excel")
    sheets, filters, label = export.build(actor, args)
    for sheet in sheets:
        sheet.rows = _counted(sheet.rows, progress)
    target = job_services.result_path(progress.job_id, ".xlsx")
    rows = run(sheets, target, name=export.name, filters=filters, title=export.title,
               actor=actor, ip=params.get("ip", ""))  # fmt: skip
    return JobResult(summary=f"已导出 {rows:,} 行", file=target.name,
                     file_name=filename(export, label))  # fmt: skip


job_kinds.register(job_kinds.JobKind("export", "导出Excel", _run_export_job))


def filename(export: Export, label: str) -> str:
    """A download name people recognise: 到位资金台账_2026年1-10月_20261122.xlsx."""
    parts = [export.title, label.replace("—", "-")] if label else [export.title]
    return "_".join([*parts, f"{today():%Y%m%d}"]) + ".xlsx"


def run(
    sheets: list[Sheet],
    target: Path,
    *,
    name: str,
    filters: dict[str, str],
    title: str = "",
    actor: Any = None,
    username: str = "",
    ip: str = "",
) -> int:
    """Write the sheets to `target` and log the export; return the number of data rows."""
    rows = write_workbook(target, sheets)
    # `what` is the name the auditor's security log reads, as for the other exports
    named = {"what": title} if title else {}
    security_log.record(
        db.session,
        "export",
        user=actor,
        username=username,
        ip=ip,
        export=name,
        filter=filters,
        rows=rows,
        **named,
    )
    return rows


def send_workbook(
    sheets: list[Sheet],
    download_name: str,
    *,
    name: str = "",
    title: str = "",
    filters: dict[str, str] | None = None,
    actor: Any = None,
    ip: str = "",
) -> Response:
    """Stream the sheets as an .xlsx attachment. With a `name` the file holds data: the export
    is logged first (the request commits it). Without one (a blank import template) nothing is
    logged."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    try:
        if name:
            run(sheets, path, name=name, filters=filters or {}, title=title, actor=actor, ip=ip)
        else:
            write_workbook(path, sheets)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return _send_temporary(path, download_name)


def _send_temporary(path: Path, download_name: str) -> Response:
    """Stream a temporary .xlsx as an attachment and delete it once sent."""

    @after_this_request
    def forget(response):
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response

    return send_file(path, mimetype=XLSX, as_attachment=True, download_name=download_name)
