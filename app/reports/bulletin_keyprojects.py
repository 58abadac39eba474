"""The bulletin's section 重点项目推进情况: its sentences (headline, roll call, lag), one table
of the programmes (工程) and the 合计, the counts of 已开工未入库 and of each 三类现象; in the
.docx as paragraphs and a table, in the .xlsx as one sheet. Every figure comes from
`app.reports.figures.keyprojects`, read once by the dashboard (`Dashboard.keyprojects`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.core.money import yuan_to_wan
from app.core.spreadsheets import Column, Sheet, Styled
from app.reports.bulletin_tables import DASH, LIGHT_FILLS, BulletinTable, Col
from app.reports.figures import keyprojects as kf
from app.reports.figures.targets import LIGHTS, number_format

SECTION = "重点项目推进情况"
SHEET_NAME = "重点项目推进情况"
# fmt: off
COLUMNS = [
    Col("工程", "text", 52), Col("项目数（个）", "int", 22), Col("总投资（万元）", "money", 34),
    Col("年度计划（万元）", "money", 34), Col("累计完成（万元）", "money", 34),
    Col("完成率", "percent", 24), Col("落后时间进度（百分点）", "points", 30),
    Col("亮灯", "text", 18),
]
# fmt: on
LIGHT_COLUMN = len(COLUMNS) - 1


@dataclass
class KeyProjectsTable(BulletinTable):
    """The section's table, with the paragraphs the .docx prints above it."""

    intro: list[str] = field(default_factory=list)


def sentences(ledger: kf.KeyLedger) -> str:
    """Headline, roll call and the total's lag as one paragraph."""
    period = ledger.period
    parts = [f"{period.label}，{kf.headline(ledger)}"]
    roll_call = kf.roll_call_sentence(ledger)
    if roll_call:
        parts.append(roll_call)
    parts.append(kf.lag_sentence(ledger.total, period))
    return "。".join(parts) + "。"


def flag_counts(ledger: kf.KeyLedger) -> dict[str, int]:
    """How many key projects show each 三类现象 (the records pages list exactly these)."""
    return {key: len(kf.records(ledger, key)) for key in kf.FLAGS}


def counts_sentence(ledger: kf.KeyLedger) -> str:
    """已开工未入库项目1个；三类现象：包而不推2个、推而不进0个、进而不快1个。"""
    counts = flag_counts(ledger)
    flags = "、".join(f"{name}{counts[key]}个" for key, name in kf.FLAGS.items())
    return (
        f"亿元以上项目{ledger.big_count}个；已开工未入库项目{len(ledger.unlisted)}个；"
        f"三类现象：{flags}。"
    )


def _row(label: str, group: kf.KeyGroup) -> list[Any]:
    return [
        label,
        group.count,
        yuan_to_wan(group.total_investment),
        yuan_to_wan(group.annual_plan),
        yuan_to_wan(group.completed),
        group.rate,
        group.lag,
        LIGHTS.get(group.light or "", DASH),
    ]


def _groups(ledger: kf.KeyLedger) -> list[tuple[str, kf.KeyGroup]]:
    return [(g.label, g) for g in ledger.programmes] + [("合计", ledger.total)]


def _fill(group: kf.KeyGroup) -> list[str | None]:
    fills: list[str | None] = [None] * len(COLUMNS)
    fills[LIGHT_COLUMN] = LIGHT_FILLS.get(group.light or "")
    return fills


def _sheet_rows(ledger: kf.KeyLedger) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for label, group in _groups(ledger):
        bold = group is ledger.total
        colour = LIGHT_FILLS.get(group.light or "")
        cells = _row(label, group)
        rate = (
            DASH
            if group.rate is None
            else Styled(
                group.rate / Decimal(100), num_format=number_format(percent=True), bold=bold
            )
        )
        points = (
            DASH if group.lag is None else Styled(group.lag, num_format=number_format(), bold=bold)
        )
        light = Styled(cells[-1], fill=f"#{colour}" if colour else None, align="center")
        if bold:
            cells[:5] = [Styled(v, bold=True) for v in cells[:5]]
        rows.append([*cells[:5], rate, points, light])
    blank = [None] * len(COLUMNS)
    counts = flag_counts(ledger)
    rows += [
        blank,
        ["亿元以上项目", ledger.big_count, *blank[2:]],
        ["已开工未入库项目", len(ledger.unlisted), *blank[2:]],
        *[[f"三类现象：{name}", counts[key], *blank[2:]] for key, name in kf.FLAGS.items()],
        blank,
        [sentences(ledger), *blank[1:]],
    ]
    return rows


def section_sheet(ledger: kf.KeyLedger, issuer: str, issued_on: date) -> Sheet:
    """The section as one worksheet: the programmes and 合计, the counts, the sentences."""
    period = ledger.period
    return Sheet(
        name=SHEET_NAME,
        columns=[
            Column(
                c.header, "text" if c.kind in ("percent", "points") else c.kind, width=c.mm * 0.55
            )
            for c in COLUMNS
        ],  # fmt: skip
        rows=_sheet_rows(ledger),
        title=f"{period.label}{SECTION}",
        subtitle=(
            f"{issuer} {issued_on.year}年{issued_on.month}月{issued_on.day}日。"
            f"{period.as_of_label(issued_on)}；时间进度{period.time_progress}%"
        ),
    )


def tables(ledger: kf.KeyLedger | None, issuer: str, issued_on: date) -> list[BulletinTable]:
    """The section for the bulletin: nothing when the actor has no key projects that year."""
    if ledger is None or not ledger.rows:
        return []
    groups = _groups(ledger)
    return [
        KeyProjectsTable(
            "keyprojects",
            SECTION,
            "各工程重点项目推进情况",
            SHEET_NAME,
            COLUMNS,
            rows=[_row(label, g) for label, g in groups],
            fills=[_fill(g) for _label, g in groups],
            note=(
                f"注：时间进度{ledger.period.time_progress}%。落后时间进度为正数表示落后、负数表示"
                "超进度；累计完成为1月至本月月调度填报的完成投资之和。"
            ),
            sheet=section_sheet(ledger, issuer, issued_on),
            intro=[sentences(ledger), counts_sentence(ledger)],
        )
    ]
