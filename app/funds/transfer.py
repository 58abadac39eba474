"""Funds from spreadsheets: the import template, and each row checked against the actor's
projects and the ledger before anything is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from app.core import cells, history
from app.core.cells import CellError, CheckedRows, RowError
from app.core.db import utcnow
from app.core.forms import ServiceError
from app.core.money import wan_to_yuan
from app.core.scoping import scoped_select
from app.core.spreadsheets import Column, Sheet, Table
from app.extensions import db
from app.funds.models import ORIGINS, USES, FundsEntry, evidence_key
from app.funds.services import (
    EntryData,
    amount_problem,
    date_problem,
    lock_projects,
    recompute_funded_on,
    signing_problem,
    taken_references,
)
from app.projects.models import Project
from app.projects.names import normalise_investor
from app.projects.transfer import help_sheet, name_key

HEADERS = (
    "项目名称",
    "投资方",
    "到位日期",
    "金额（万元）",
    "资金类型",
    "资金用途",
    "凭证号",
    "备注",
)
REQUIRED = ("项目名称", "投资方", "到位日期", "金额（万元）", "资金类型", "凭证号")
CHUNK = 2000
TEMPLATE_COLUMNS = [
    Column("项目名称", width=30),
    Column("投资方", width=32),
    Column("到位日期", "date"),
    Column("金额（万元）", "money", total=True),
    Column("资金类型", width=11),
    Column("资金用途", width=13),
    Column("凭证号", width=22),
    Column("备注", width=30),
]


@dataclass(frozen=True)
class Row:
    """A checked row: the project it belongs to and the entry's data."""

    number: int
    project_id: int
    data: EntryData


def _projects(actor: Any) -> dict[tuple[str, str], list[tuple[int, date | None]]]:
    """The actor's live projects by (name, investor), both normalised: (id, signing date)."""
    stmt = scoped_select(Project, actor).with_only_columns(
        Project.id, Project.name, Project.investor_key, Project.signed_on
    )
    found: dict[tuple[str, str], list[tuple[int, date | None]]] = {}
    for project_id, name, investor, signed_on in db.session.execute(stmt):
        found.setdefault((name_key(name), investor), []).append((project_id, signed_on))
    return found


def _cell(errors: dict, header: str, parse, *args):
    try:
        return parse(*args)
    except CellError as error:
        errors[header] = str(error)
        return None


def _read(table: Table, row: list[Any], projects: dict, errors: dict) -> tuple[int | None, Any]:
    name = cells.text(table.get(row, "项目名称"))
    investor = cells.text(table.get(row, "投资方"))
    project_id = signed_on = None
    if not name:
        errors["项目名称"] = "请填写项目名称"
    if not investor:
        errors["投资方"] = "请填写投资方"
    if name and investor:
        found = projects.get((name_key(name), normalise_investor(investor)), [])
        if not found:
            errors["项目名称"] = f"找不到项目“{name}”（投资方 {investor}），或它不属于您的单位"
        elif len(found) > 1:
            errors["项目名称"] = (
                f"“{name}”（投资方 {investor}）匹配到 {len(found)} 个项目，请先合并重复项目"
            )
        else:
            project_id, signed_on = found[0]
    received_on = _cell(errors, "到位日期", cells.parse_date, table.get(row, "到位日期"))
    if "到位日期" not in errors and date_problem(received_on):
        errors["到位日期"] = date_problem(received_on)
    if project_id is not None and "到位日期" not in errors:
        problem = signing_problem(signed_on, received_on)
        if problem:
            errors["到位日期"] = problem
    amount = _cell(errors, "金额（万元）", cells.parse_amount, table.get(row, "金额（万元）"))
    if "金额（万元）" not in errors and amount_problem(amount):
        errors["金额（万元）"] = amount_problem(amount)
    origin = _cell(
        errors, "资金类型", cells.choice, table.get(row, "资金类型"), ORIGINS, "资金类型"
    )
    use = _cell(
        errors, "资金用途", cells.choice, table.get(row, "资金用途"), USES, "资金用途", USES[0]
    )
    reference = cells.text(table.get(row, "凭证号"))
    if not reference:
        errors["凭证号"] = "请填写凭证号"
    elif len(reference) > 100:
        errors["凭证号"] = "凭证号不能超过 100 字"
    notes = cells.text(table.get(row, "备注")) or None
    return project_id, EntryData(received_on, amount, origin or "", use or "", reference, notes)


def prepare(table: Table, actor: Any, verified: bool = False, progress: Any = None) -> CheckedRows:
    """Check every row; the result lists every problem and what would be written (and tells
    `progress`, when given, of each row read)."""
    if verified and actor.role != "bureau":
        raise ServiceError("只有投资促进局可以按“已核实”导入")
    projects = _projects(actor)
    read = []
    for number, row in table.rows:
        errors: dict[str, str] = {}
        project_id, data = _read(table, row, projects, errors)
        read.append((number, project_id, data, errors, cells.text(table.get(row, "项目名称"))))
        if progress is not None:
            progress.advance()
    taken = taken_references(pid for _n, pid, _d, _e, _name in read if pid)
    seen: dict[tuple[int, str], int] = {}
    items, problems, preview, total = [], [], [], 0
    for number, project_id, data, errors, name in read:
        if project_id and data.evidence_ref and "凭证号" not in errors:
            key = (project_id, evidence_key(data.evidence_ref))
            if key in taken:
                errors["凭证号"] = f"该项目已登记过凭证号“{data.evidence_ref}”，不能重复录入"
            elif key in seen:
                errors["凭证号"] = f"与第 {seen[key]} 行的凭证号重复（同一项目）"
            seen.setdefault(key, number)
        problems.extend(RowError(number, column, message) for column, message in errors.items())
        if not errors:
            items.append(Row(number, project_id, data))
            total += data.amount_wan
            if len(preview) < 10:
                preview.append(
                    [
                        number,
                        name,
                        data.received_on,
                        data.amount_wan,
                        data.origin,
                        data.evidence_ref,
                    ]
                )
    touched = len({r.project_id for r in items})
    state = "已核实" if verified else "待核实"
    summary = [
        f"共 {len(table.rows)} 行，可导入 {len(items)} 笔，"
        f"合计 {total:,.2f} 万元，涉及 {touched} 个项目",
        f"导入后状态：{state}" + ("（历史台账，由您核实，记入操作历史）" if verified else ""),
    ]
    headers = ["行号", "项目名称", "到位日期", "金额（万元）", "资金类型", "凭证号"]
    return CheckedRows(items, problems, [], summary, headers, preview)


def _entry(r: Row, actor: Any, verified: bool, batch_id: int, now) -> FundsEntry:
    entry = FundsEntry(
        project_id=r.project_id,
        received_on=r.data.received_on,
        amount=wan_to_yuan(r.data.amount_wan),
        origin=r.data.origin,
        use=r.data.use,
        evidence_ref=r.data.evidence_ref,
        evidence_key=evidence_key(r.data.evidence_ref),
        notes=r.data.notes,
        status="verified" if verified else "pending",
        entered_by_id=actor.id,
        import_batch_id=batch_id,
    )
    if verified:
        entry.verified_by_id = actor.id
        entry.verified_at = now
        entry.verification_note = "导入历史台账时按已核实记录"
    return entry


def write(
    checked: CheckedRows,
    actor: Any,
    verified: bool,
    batch_id: int,
    note: str,
    progress: Any = None,
) -> int:
    """Add every checked row to the ledger (the check has passed); return how many."""
    rows: list[Row] = checked.items
    project_ids = {r.project_id for r in rows}
    lock_projects(project_ids)
    taken = taken_references(project_ids)
    clash = [r for r in rows if (r.project_id, evidence_key(r.data.evidence_ref)) in taken]
    if clash:
        raise ServiceError(f"第 {clash[0].number} 行的凭证号刚被他人录入，请重新检查文件")
    now = utcnow()
    for start in range(0, len(rows), CHUNK):  # flushed in chunks: memory stays flat
        history.note_reason(db.session, note)
        chunk = rows[start : start + CHUNK]
        db.session.add_all(_entry(r, actor, verified, batch_id, now) for r in chunk)
        db.session.flush()
        if progress is not None:
            progress.advance(len(chunk))
    if verified:
        history.note_reason(db.session, note)
        recompute_funded_on(project_ids)
        db.session.info.pop("history_reason", None)
    return len(rows)


def figure_dates(checked: CheckedRows, verified: bool) -> Iterator[tuple[int, date]]:
    """Entries imported as verified count at once, in the month each arrived."""
    if verified:
        for row in checked.items:
            yield row.number, row.data.received_on


HELP = {
    "项目名称": ("必填", "与系统中的项目名称一致", "新能源电池材料项目"),
    "投资方": (
        "必填",
        "与系统中的投资方一致（按项目名称 + 投资方找到项目）",
        "宁德示例新能源科技有限公司",
    ),
    "到位日期": (
        "必填",
        "2026-03-05、2026/3/5、2026.3.5、2026年3月5日 或 Excel 日期",
        "2026-03-05",
    ),
    "金额（万元）": ("必填", "单位万元，大于 0，最多两位小数", "1250.50"),
    "资金类型": ("必填", " / ".join(ORIGINS) + "；区内资金不属于招商引资到位资金", "国内省外"),
    "资金用途": ("", " / ".join(USES) + "，不填为固定资产投资", "固定资产投资"),
    "凭证号": ("必填", "银行回单号、验资报告号等；同一项目不能重复", "YH20260305001"),
    "备注": ("", "", ""),
}


def template_sheets() -> list[Sheet]:
    """The downloadable template: the header row alone, and a sheet explaining each column."""
    columns = [replace(c, total=False) for c in TEMPLATE_COLUMNS]
    footer = "导入后为“待核实”，由投资促进局核实后计入统计"
    return [Sheet("到位资金导入", columns, []), help_sheet(HEADERS, HELP, footer)]
