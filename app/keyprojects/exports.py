"""The key-project 台账 as the bureau prints it: title, 填报单位 and date line, two-level
headers, the projects grouped by programme (工程) with a 小计 each, then 合计. Every number
comes from `app.reports.figures.keyprojects`; the sheet only lays them out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core.money import yuan_to_wan
from app.core.spreadsheets import Column, Sheet, Styled
from app.reports.figures.keyprojects import FLAGS, KeyGroup, KeyLedger, KeyRow
from app.reports.figures.period import Period
from app.reports.figures.targets import LIGHTS, number_format

FILLS = {"green": "#C6EFCE", "yellow": "#FFEB9C", "red": "#FFC7CE"}
SUBTOTAL_FILL = "#F2F2F2"
DASH = Styled("—", align="center")

# fmt: off
COLUMNS = [
    Column("序号", "int", width=6), Column("项目名称", width=30), Column("类别", width=7),
    Column("级别", width=8), Column("建设单位/责任单位", width=16), Column("包保领导", width=10),
    Column("总投资", "money", width=13), Column("年度计划", "money", width=13),
    Column("本月完成", "money", width=12), Column("累计完成", "money", width=13),
    Column("完成率", width=9), Column("落后时间进度", width=10),
    Column("形象进度", width=34), Column("亮灯", width=7), Column("三类现象", width=24),
    Column("是否入统", width=8),
]
GROUPS = [("基本情况", 6), ("投资情况（万元）", 6), ("推进情况", 4)]
# fmt: on


def ledger_title(period: Period) -> str:
    """2026年重点项目推进情况台账（1—11月）."""
    months = "1月" if period.month == 1 else f"1—{period.month}月"
    return f"{period.year}年重点项目推进情况台账（{months}）"


def issuer_of(actor: Any, bureau: str) -> str:
    """填报单位: a unit user's own unit, else the bureau."""
    unit = getattr(actor, "unit", None) if getattr(actor, "role", "") == "unit" else None
    return unit.name if unit is not None else bureau


def _rate(value: Decimal | None, fill: str | None = None, bold: bool = False) -> Any:
    if value is None:
        return DASH
    return Styled(
        value / Decimal(100), fill=fill, num_format=number_format(percent=True), bold=bold
    )


def _lag(value: Decimal | None, fill: str | None = None, bold: bool = False) -> Any:
    return (
        DASH if value is None else Styled(value, fill=fill, num_format=number_format(), bold=bold)
    )


def _light(code: str | None, bold: bool = False) -> Any:
    if code is None:
        return DASH
    return Styled(LIGHTS[code], fill=FILLS[code], align="center", bold=bold)


def flags_text(flags: tuple[str, ...]) -> str:
    """包而不推、进而不快 (empty when none holds)."""
    return "、".join(FLAGS[f] for f in flags if f in FLAGS)


def _row(number: int, row: KeyRow) -> list[Any]:
    kp = row.key_project
    return [
        number,
        kp.name,
        kp.category,
        kp.level,
        kp.unit.name,
        kp.leader.name if kp.leader else "",
        yuan_to_wan(kp.total_investment),
        yuan_to_wan(kp.annual_plan),
        yuan_to_wan(row.month_invested),
        yuan_to_wan(row.completed),
        _rate(row.rate),
        _lag(row.lag),
        row.progress,
        _light(row.light),
        flags_text(row.flags),
        "是" if kp.in_statistics else "否",
    ]


def _group_row(label: str, group: KeyGroup) -> list[Any]:
    def cell(value: Any) -> Styled:
        return Styled(value, fill=SUBTOTAL_FILL, bold=True)

    month_invested = sum(r.month_invested for r in group.rows)
    return [
        cell(""),
        cell(f"{label}（{group.count}个）"),
        *[cell("") for _ in range(4)],
        cell(yuan_to_wan(group.total_investment)),
        cell(yuan_to_wan(group.annual_plan)),
        cell(yuan_to_wan(month_invested)),
        cell(yuan_to_wan(group.completed)),
        _rate(group.rate, SUBTOTAL_FILL, True),
        _lag(group.lag, SUBTOTAL_FILL, True),
        cell(""),
        _light(group.light, True),
        cell(flags_text(group.flags)),
        cell(""),
    ]


def ledger_rows(ledger: KeyLedger) -> list[list[Any]]:
    """Per programme its projects (numbered through) and a 小计 row; then the 合计 row."""
    rows: list[list[Any]] = []
    number = 0
    for programme in ledger.programmes:
        for row in programme.rows:
            number += 1
            rows.append(_row(number, row))
        rows.append(_group_row(f"{programme.label}小计", programme))
    rows.append(_group_row("合计", ledger.total))
    return rows


def ledger_sheet(ledger: KeyLedger, issuer: str) -> Sheet:
    """The 台账 worksheet: A3 landscape, one page wide, headers repeated on every page."""
    period = ledger.period
    return Sheet(
        name="重点项目台账",
        columns=COLUMNS,
        rows=ledger_rows(ledger),
        title=ledger_title(period),
        subtitle=(
            f"填报单位：{issuer}　　{period.as_of_label()}　　时间进度 {period.time_progress}%　　"
            "单位：万元、%；落后时间进度为百分点，正数为落后、负数为超进度"
        ),
        groups=GROUPS,
        paper=8,  # A3
    )
