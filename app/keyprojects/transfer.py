"""The yearly key-project list from a spreadsheet: the template's columns, each row checked with
the same rules as the form (app.keyprojects.rules), then every project and its procedures
written, or none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.core import cells, history, scoping
from app.core.cells import CellError, CheckedRows, RowError
from app.core.dates import today
from app.core.spreadsheets import Column, Sheet, Table
from app.extensions import db
from app.keyprojects import rules
from app.keyprojects.models import (
    CATEGORIES,
    FUNDING_CHANNELS,
    LEVELS,
    PROCEDURE_KINDS,
    PROCEDURE_STATUSES,
    KeyProcedure,
    KeyProject,
)
from app.projects.transfer import References, help_sheet, name_key

REQUIRED = (
    "年度",
    "项目名称",
    "所属工程",
    "项目类别",
    "总投资（万元）",
    "年度计划投资（万元）",
    "责任单位",
)
OPTIONAL = (
    "项目级别",
    "包保领导",
    "联络单位",
    "资金渠道",
    "计划开工日期",
    "实际开工日期",
    "竣工日期",
    "是否入统",
    "形象进度目标",
    "备注",
)
HEADERS = (*REQUIRED, *OPTIONAL, *PROCEDURE_KINDS)
CHUNK = 500  # projects written per flush
DATES = {
    "计划开工日期": "planned_start_on",
    "实际开工日期": "started_on",
    "竣工日期": "completed_on",
}
# The rules' field names -> the column a problem belongs to.
COLUMN_OF = {
    "year": "年度",
    "name": "项目名称",
    "programme": "所属工程",
    "category": "项目类别",
    "total_wan": "总投资（万元）",
    "plan_wan": "年度计划投资（万元）",
    "unit_id": "责任单位",
    "level": "项目级别",
    "leader_id": "包保领导",
    "liaison_unit_id": "联络单位",
    "funding_channel": "资金渠道",
    "in_statistics": "是否入统",
    "goal": "形象进度目标",
    "notes": "备注",
    **{field: header for header, field in DATES.items()},
}
# A procedure cell: a date (已办结 on that day) or one of these words; blank is 未办.
PROCEDURE_WORDS = {"办理中": "doing", "未办": "todo", "不需要": "na"}
_YEAR = re.compile(r"^([0-9]{4})(?:年|年度)?$")


@dataclass(frozen=True)
class Row:
    """A checked row: the project's fields and its procedures as (status, done_on) by kind."""

    number: int
    data: rules.KeyProjectData
    procedures: dict[str, tuple[str, date | None]]


def parse_year(value: Any) -> int:
    """A year cell: 2026, 2026.0, "2026" or "2026年"."""
    raw = cells.text(value).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    match = _YEAR.match(raw)
    if not match:
        if not raw:
            raise CellError("请填写四位数的年度，如 2026")
        raise CellError(f"年度“{raw}”应为四位数字，如 2026")
    return int(match.group(1))


def parse_procedure(value: Any) -> tuple[str, date | None]:
    """A procedure cell as (status key, date done); blank is 未办."""
    raw = cells.text(value)
    if not raw:
        return "todo", None
    if raw in PROCEDURE_WORDS:
        return PROCEDURE_WORDS[raw], None
    if raw == PROCEDURE_STATUSES["done"]:
        raise CellError("已办结的要件请填写办结日期（填日期即为已办结）")
    try:
        on = cells.parse_date(value)
    except CellError as error:
        if "无法识别" not in str(error):
            raise
        words = " / ".join(PROCEDURE_WORDS)
        raise CellError(f"“{raw}”应填写办结日期，或 {words}，不填为未办") from None
    if on > today():
        raise CellError("办结日期不能晚于今天")
    return "done", on


class _Reader:
    """Reads one row's cells into KeyProjectData, noting unreadable cells by column."""

    def __init__(self, table: Table, refs: References, actor: Any):
        self.table, self.refs, self.actor = table, refs, actor

    def row(self, cells_: list[Any], errors: dict[str, str]) -> Row | None:
        row = cells.RowCells(self.table, cells_, errors)
        read, text, ref = row.read, row.text, row.ref
        year = read("年度", parse_year)
        dates = {field: read(header, cells.parse_date) for header, field in DATES.items()}
        data = rules.KeyProjectData(
            year=year or 0,
            name=text("项目名称"),
            programme=text("所属工程"),
            category=text("项目类别"),
            unit_id=ref("责任单位", self.refs.unit_id, self.actor),
            total_wan=read("总投资（万元）", cells.optional_amount),
            plan_wan=read("年度计划投资（万元）", cells.optional_amount),
            level=text("项目级别") or "区重点",
            leader_id=ref("包保领导", self.refs.leader_id),
            liaison_unit_id=ref("联络单位", self.liaison_id),
            funding_channel=text("资金渠道") or "社会投资",
            in_statistics=bool(read("是否入统", cells.parse_yes_no)),
            goal=text("形象进度目标") or None,
            notes=text("备注") or None,
            **dates,
        )
        present = [kind for kind in PROCEDURE_KINDS if kind in self.table.columns]
        procedures = {kind: read(kind, parse_procedure) for kind in present}
        for header, message in rules.field_problems(data, self.actor).items():
            column = COLUMN_OF.get(header, "")
            if header == "year" and "年度" in errors:
                continue
            if header in ("total_wan", "plan_wan") and column in errors:
                continue  # the cell itself was unreadable: that reason, not "请填写"
            if header == "unit_id" and "责任单位" in errors:
                continue
            errors.setdefault(column, message)
        if data.started_on and "项目类别" not in errors and all(procedures.values()):
            statuses = {kind: status for kind, (status, _on) in procedures.items()}
            problem = rules.start_problem(data.category, statuses)
            if problem:
                errors.setdefault("实际开工日期", problem)
        if errors:
            return None
        return Row(0, data, procedures)

    def liaison_id(self, raw: str) -> int | None:
        if not raw:
            return None
        unit = self.refs.units.get(raw)
        if unit is None:
            raise CellError(f"联络单位“{raw}”不存在，请填写系统中的单位全称")
        return unit.id


def _listed(years: set[int]) -> dict[tuple[int, str], str]:
    """The live key projects of those years across the district: (year, name key) -> name.
    A name is unique in a year's list whoever entered it, so the check is district-wide."""
    if not years:
        return {}
    with scoping.district_wide("a key project's name is unique in the district's yearly list"):
        rows = db.session.execute(
            select(KeyProject.year, KeyProject.name).where(
                KeyProject.year.in_(years), KeyProject.deleted_at.is_(None)
            )
        ).all()
    return {(year, name_key(name)): name for year, name in rows}


def prepare(table: Table, actor: Any, verified: bool = False, progress: Any = None) -> CheckedRows:
    """Check every row; the result lists every problem and what would be written (and tells
    `progress`, when given, of each row read)."""
    reader = _Reader(table, References(), actor)
    read = []
    for number, cells_ in table.rows:
        errors: dict[str, str] = {}
        row = reader.row(cells_, errors)
        year = _year_of(table, cells_)
        read.append((number, row, errors, year, cells.text(table.get(cells_, "项目名称"))))
        if progress is not None:
            progress.advance()
    listed = _listed({year for *_rest, year, _name in read if year})
    seen: dict[tuple[int, str], int] = {}
    items: list[Row] = []
    problems: list[RowError] = []
    for number, row, errors, year, name in read:
        key = (year, name_key(name))
        if year and name:
            if key in listed:
                message = f"{year}年重点项目名单中已有“{listed[key]}”，不能重复导入"
                errors.setdefault("项目名称", message)
            elif key in seen:
                message = f"与第 {seen[key]} 行重名（同一年度的项目名称不能重复）"
                errors.setdefault("项目名称", message)
            seen.setdefault(key, number)
        problems.extend(RowError(number, column, message) for column, message in errors.items())
        if not errors and row is not None:
            items.append(Row(number, row.data, row.procedures))
    summary = _summary(len(table.rows), items)
    return CheckedRows(items, problems, [], summary, PREVIEW, _preview(items))


def _year_of(table: Table, cells_: list[Any]) -> int | None:
    try:
        return parse_year(table.get(cells_, "年度"))
    except CellError:
        return None


PREVIEW = [
    "行号",
    "年度",
    "项目名称",
    "所属工程",
    "项目类别",
    "总投资（万元）",
    "年度计划投资（万元）",
]


def _preview(items: list[Row]) -> list[list[Any]]:
    return [
        [r.number, r.data.year, r.data.name, r.data.programme, r.data.category,
         r.data.total_wan, r.data.plan_wan]
        for r in items[:10]
    ]  # fmt: skip


def _yi(total_wan: Decimal) -> str:
    return f"{(total_wan / 10_000).quantize(Decimal('0.01')):,.2f}"


def _summary(rows: int, items: list[Row]) -> list[str]:
    by_category = {c: sum(1 for r in items if r.data.category == c) for c in CATEGORIES}
    parts = "、".join(f"{c} {n} 个" for c, n in by_category.items() if n)
    total = sum((r.data.total_wan for r in items), Decimal(0))
    plan = sum((r.data.plan_wan for r in items), Decimal(0))
    return [
        f"共 {rows} 行，可导入 {len(items)} 个重点项目" + (f"，其中{parts}" if parts else ""),
        f"总投资 {_yi(total)} 亿元，年度计划投资 {_yi(plan)} 亿元",
    ]


def _project(row: Row, batch_id: int | None = None) -> KeyProject:
    project = KeyProject(import_batch_id=batch_id)
    rules.apply(project, row.data)
    for kind, (status, done_on) in row.procedures.items():
        project.procedures.append(
            KeyProcedure(
                kind=kind, position=PROCEDURE_KINDS.index(kind), status=status, done_on=done_on
            )
        )
    return project


def write(
    checked: CheckedRows,
    actor: Any,
    verified: bool,
    batch_id: int,
    note: str,
    progress: Any = None,
) -> int:
    """Create every checked key project with its procedures (the check has passed)."""
    items: list[Row] = checked.items
    for start in range(0, len(items), CHUNK):  # one flush per chunk, not per row
        history.note_reason(db.session, note)
        chunk = items[start : start + CHUNK]
        db.session.add_all(_project(row, batch_id) for row in chunk)
        db.session.flush()
        if progress is not None:
            progress.advance(len(chunk))
    return len(items)


def figure_dates(checked: CheckedRows, verified: bool = False) -> Iterator[tuple[int, date]]:
    """A key project's fields alone change no closed month's bulletin: nothing to report."""
    return iter(())


PROCEDURE_HELP = f"办结日期（即已办结），或 {' / '.join(PROCEDURE_WORDS)}；不填为未办"
HELP = {
    "年度": ("必填", "重点项目名单的年度，四位数字", "2026"),
    "项目名称": ("必填", "同一年度的名单中不能重名", "城南污水处理厂提标改造项目"),
    "所属工程": ("必填", "如 城中村改造工程、产业升级工程", "生态环保工程"),
    "项目类别": ("必填", " / ".join(CATEGORIES), "新建"),
    "总投资（万元）": ("必填", "单位万元，最多两位小数", "25000"),
    "年度计划投资（万元）": ("必填", "单位万元，不能大于总投资", "8000"),
    "责任单位": ("必填", "系统中的单位全称；责任单位账户只能导入本单位的项目", "城关街道"),
    "项目级别": ("", " / ".join(LEVELS) + "，不填为区重点", "市重点"),
    "包保领导": ("", "系统中的领导姓名；重名时写“姓名（职务）”", ""),
    "联络单位": ("", "系统中的单位全称", "区发展和改革局"),
    "资金渠道": ("", " / ".join(FUNDING_CHANNELS) + "，不填为社会投资", "专项债"),
    "计划开工日期": ("", "日期写法见下", "2026-04-01"),
    "实际开工日期": ("", "不能晚于今天；新建、拟开工项目须先办齐前置要件", ""),
    "竣工日期": ("", "不能早于实际开工日期", ""),
    "是否入统": ("", "是 / 否，不填为否", "否"),
    "形象进度目标": ("", "本年度形象进度目标", "年底前主体工程完工"),
    "备注": ("", "", ""),
    **dict.fromkeys(PROCEDURE_KINDS, ("", PROCEDURE_HELP, "")),
    "环评": ("", PROCEDURE_HELP, "2026-03-20"),
    "施工许可": ("", PROCEDURE_HELP, "办理中"),
}
DATE_HELP = (
    "日期写成 2026-03-05、2026/3/5、2026.3.5、2026年3月5日 或 Excel 日期；"
    "前置要件各列（" + "、".join(PROCEDURE_KINDS) + "）可只保留需要的列"
)
TEMPLATE_COLUMNS = [
    Column("年度", width=8),
    Column("项目名称", width=30),
    Column("所属工程", width=16),
    Column("项目类别", width=9),
    Column("总投资（万元）", "money"),
    Column("年度计划投资（万元）", "money"),
    Column("责任单位", width=14),
    *[Column(h, width=12) for h in OPTIONAL],
    *[Column(kind, width=12) for kind in PROCEDURE_KINDS],
]


def template_sheets() -> list[Sheet]:
    """The downloadable template: the header row alone, and a sheet explaining each column
    with an example (kept off the import sheet, so it is never imported by mistake)."""
    return [
        Sheet("重点项目导入", TEMPLATE_COLUMNS, [], paper=8),
        help_sheet(HEADERS, HELP, DATE_HELP),
    ]
