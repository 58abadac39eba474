"""The target workbooks: the completion table as the bureau prints it, and the import sheet;
and the period a request asks for, shared by the screens and the export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.core.dates import today
from app.core.money import yuan_to_wan
from app.core.params import whole_number
from app.core.spreadsheets import Column, Sheet, Styled
from app.reports.figures import targets as figures
from app.reports.figures.period import read_period
from app.targets.importer import UNIT_HEADER
from app.targets.models import MEASURES, Target

FILLS = {"green": "#C6EFCE", "yellow": "#FFEB9C", "red": "#FFC7CE"}
BOARDS = {"red": "红榜", "black": "黑榜"}
DASH = Styled("—", align="center")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_from(args: Any) -> int:
    """The year asked for (2000..2100), this year if none or not a year."""
    return whole_number(args.get("year"), FIRST_YEAR, LAST_YEAR) or today().year


def period_from(args: Any) -> tuple[int, int]:
    """The period asked for (the last month that has ended by default), as (Y, M)."""
    period, _message = read_period(args)
    return period.year, period.month


def period_label(year: int, month: int) -> str:
    """2026年1—10月, or 2026年1月."""
    return f"{year}年1月" if month == 1 else f"{year}年1—{month}月"


def _amount(measure, value: int | None) -> Any:
    if value is None:
        return DASH
    return yuan_to_wan(value) if measure.money else value


def _figure_cells(f: figures.Figure, bold: bool = False) -> list[Any]:
    rate = (
        DASH
        if f.rate is None
        else Styled(
            f.rate / Decimal(100),
            fill=FILLS.get(f.light or ""),
            num_format=figures.number_format(percent=True),
            bold=bold,
        )
    )
    lag = DASH if f.lag is None else Styled(f.lag, num_format=figures.number_format(), bold=bold)
    return [_amount(f.measure, f.target), _amount(f.measure, f.achieved), rate, lag]


def _claim_text(row: figures.UnitRow) -> str:
    if not row.holds_target:
        return "未下达"
    if row.target.claimed_at is None:
        return "未认领"
    return f"已认领 {row.target.claimed_at:%Y-%m-%d}"


def table_sheet(table: figures.TargetTable, on: date, yellow_max: Any = 10) -> Sheet:
    """Units as rows; per measure 目标, 完成, 完成率, 落后进度; the rate cell shows the light."""
    columns = [Column("排名", "int", width=6), Column("单位", width=16)]
    groups: list[tuple[str, int]] = [("", 2)]
    for m in table.measures:
        kind = "money" if m.money else "int"
        columns += [
            Column("目标", kind, width=12 if m.money else 7),
            Column("完成", kind, width=12 if m.money else 7),
            Column("完成率", width=9),
            Column("落后进度", width=9),
        ]
        groups.append((m.header, 4))
    columns += [Column("认领情况", width=16), Column("红黑榜", width=8)]
    groups.append(("", 2))
    rows = []
    for row in table.rows:
        cells = [row.rank, row.unit_name]
        for m in table.measures:
            cells += _figure_cells(row.figures[m.key])
        cells += [_claim_text(row), BOARDS.get(row.board or "", "")]
        rows.append(cells)
    if table.total is not None:
        cells = [None, Styled("全区合计", bold=True)]
        for m in table.measures:
            cells += _figure_cells(table.total.figures[m.key], bold=True)
        rows.append([*cells, "", ""])
    return Sheet(
        name="目标任务完成情况",
        columns=columns,
        rows=rows,
        title=f"{period_label(table.year, table.month)}各单位目标任务完成情况",
        subtitle=(
            f"时间进度 {table.time_progress}%。落后进度单位为百分点，正数为落后、负数为超进度；"
            f"完成率底色即亮灯：绿 落后≤0，黄 0<落后≤{yellow_max}，红 落后>{yellow_max}。"
            f"按到位资金完成率排名（相同时按金额）。到位资金只计已核实的。制表日期 {on}。"
        ),
        groups=groups,
        paper=8,  # A3: some thirty columns
    )


def template_sheet(year: int, units: list, targets: dict[int, Target]) -> Sheet:
    """The import sheet: one row per unit with its current targets (blank = not set)."""
    columns = [Column(UNIT_HEADER, width=18)] + [
        Column(m.header, "money" if m.money else "int") for m in MEASURES
    ]
    rows = []
    for unit in units:
        target = targets.get(unit.id)
        values = [target.value(m.key) if target else None for m in MEASURES]
        rows.append(
            [unit.name]
            + [
                None if v is None else (yuan_to_wan(v) if m.money else v)
                for m, v in zip(MEASURES, values, strict=True)
            ]
        )
    return Sheet(
        name=f"{year}年目标任务",
        columns=columns,
        rows=rows,
        title=f"{year}年各单位目标任务",
        subtitle="金额单位万元、最多两位小数；个数为整数；留空表示不设该项目标。导入时选择年份。",
    )
