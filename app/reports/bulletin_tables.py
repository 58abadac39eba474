"""The tables of the monthly bulletin, built once for both the .docx and the .xlsx.

Rows hold plain values per column kind: text, int, date, money (Decimal 万元), percent and
points (Decimal or None). Every figure comes from the dashboard or app.reports.figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Select

from app.core.money import yuan_to_wan
from app.core.spreadsheets import Sheet
from app.extensions import db
from app.funds.exports import statement_sheet
from app.projects.stages import BY_KEY as STAGE_BY_KEY
from app.reports.figures import attention
from app.reports.figures import targets as target_figures
from app.reports.figures import trips as trip_figures
from app.targets import exports as target_exports

LIGHT_FILLS = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}
MISS_FILL, CURRENT_FILL = "F4B6B6", "FFE699"
DASH = "—"


@dataclass(frozen=True)
class Col:
    """One column: header, kind, width in the .docx (mm), summed in the workbook's 合计."""

    header: str
    kind: str = "text"
    mm: float = 20
    total: bool = False


@dataclass
class BulletinTable:
    """One table of the bulletin: its section, caption, columns, rows and cell colours."""

    key: str
    section: str
    caption: str
    sheet_name: str
    columns: list[Col]
    rows: list[list[Any]] = field(default_factory=list)
    fills: list[list[str | None]] = field(default_factory=list)
    note: str = ""
    empty_text: str = "本期无。"
    docx_limit: int | None = None
    sheet: Sheet | None = None  # a ready-made workbook sheet (the targets table)


def _fraction(f: target_figures.Figure) -> str:
    target = DASH if f.target is None else str(f.target)
    return f"{f.achieved}/{target}"


def _fill(f: target_figures.Figure) -> str | None:
    return LIGHT_FILLS.get(f.light or "")


# Column layouts: header, kind, width in the .docx (mm; a landscape A4 page holds 257).
# fmt: off
UNIT_COLUMNS = [
    Col("排名", "int", 12), Col("单位", "text", 34), Col("签约项目（个）完成/目标", "text", 20),
    Col("签约投资额完成（万元）", "money", 27), Col("签约投资额完成率", "percent", 18),
    Col("到位资金目标（万元）", "money", 27), Col("到位资金完成（万元）", "money", 27),
    Col("完成率", "percent", 19), Col("落后时间进度（百分点）", "points", 17),
    Col("亮灯", "text", 12), Col("亿元以上项目（个）完成/目标", "text", 20),
    Col("开工项目（个）完成/目标", "text", 20),
]
BOARD_COLUMNS = [
    Col("名次", "int", 14), Col("单位", "text", 40), Col("到位资金年度目标（万元）", "money", 40),
    Col("到位资金完成（万元）", "money", 40), Col("完成率", "percent", 25),
    Col("落后时间进度（百分点）", "points", 30),
]
OVERLAP_COLUMNS = [
    Col("辖区", "text", 30), Col("党委主要负责人", "text", 40), Col("政府主要负责人", "text", 40),
    Col("重叠日期", "text", 60), Col("重叠天数", "int", 20, True), Col("说明", "text", 40),
]
PROBLEM_COLUMNS = [
    Col("序号", "int", 12), Col("项目", "text", 40), Col("类别", "text", 15),
    Col("问题描述", "text", 57), Col("承办单位", "text", 28), Col("提出日期", "date", 23),
    Col("办理期限", "date", 23), Col("逾期天数", "int", 14), Col("督办层级", "text", 20),
    Col("状态", "text", 13),
]
COMMITMENT_COLUMNS = [
    Col("序号", "int", 12), Col("项目", "text", 50), Col("承诺事项", "text", 98),
    Col("兑现单位", "text", 35), Col("到期日期", "date", 25), Col("逾期天数", "int", 20),
]
# fmt: on


def _project_columns(last: str) -> list[Col]:
    return [
        Col("序号", "int", 12), Col("项目名称", "text", 52), Col("投资方", "text", 44),
        Col("责任单位", "text", 30), Col("包保领导", "text", 18), Col("所处阶段", "text", 14),
        Col(last, "date", 22), Col("已用天数", "int", 12), Col("时限天数", "int", 12),
        Col("超出天数", "int", 12), Col("最近跟进", "date", 22),
    ]  # fmt: skip


def units_table(dash: Any, on: date) -> BulletinTable:
    """各单位目标任务完成情况: the funds figures in full, the others as done/target."""
    columns = UNIT_COLUMNS
    yellow_max = current_app.config["LIGHT_YELLOW_MAX_LAG"]
    table = BulletinTable(
        "units",
        "各单位目标任务完成情况",
        "",
        "目标任务完成情况",
        columns,
        sheet=target_exports.table_sheet(dash.table, on, yellow_max),
        note=(
            f"注：时间进度{dash.table.time_progress}%。落后时间进度为正数表示落后、负数表示超进度；"
            f"亮灯：绿灯 落后≤0，黄灯 0<落后≤{yellow_max}，红灯 落后>{yellow_max}（个百分点）。"
            "按到位资金完成率排名，完成率相同按金额。到位资金只计已核实的。"
        ),
        empty_text="尚无单位。",
    )
    rows = list(dash.table.rows) + ([dash.table.total] if dash.table.total else [])
    for row in rows:
        f = row.figures
        funds, invest = f["funds_total"], f["signed_investment"]
        table.rows.append(
            [
                row.rank,
                row.unit_name,
                _fraction(f["signed_count"]),
                yuan_to_wan(invest.achieved),
                invest.rate,
                None if funds.target is None else yuan_to_wan(funds.target),
                yuan_to_wan(funds.achieved),
                funds.rate,
                funds.lag,
                target_figures.LIGHTS.get(funds.light or "", DASH),
                _fraction(f["big_count"]),
                _fraction(f["started_count"]),
            ]
        )
        table.fills.append(
            [
                None,
                None,
                _fill(f["signed_count"]),
                None,
                _fill(invest),
                None,
                None,
                _fill(funds),
                None,
                _fill(funds),
                _fill(f["big_count"]),
                _fill(f["started_count"]),
            ]
        )
    return table


def board_table(dash: Any, board: str) -> BulletinTable:
    """红榜 (the first three by funds completion rate) or 黑榜 (the last three)."""
    red = board == "red"
    name = "红榜" if red else "黑榜"
    columns = BOARD_COLUMNS
    table = BulletinTable(
        board,
        "红榜和黑榜",
        f"{name}（到位资金完成率{'前' if red else '后'}三名）",
        name,
        columns,
        empty_text=(
            "暂无（尚无单位下达到位资金目标，或完成率并列无法区分先后）。"
            if red
            else "暂无（参与排名的单位较少，或完成率并列）。"
        ),
    )
    for row in dash.table.red if red else dash.table.black:
        funds = row.funds
        target = None if funds.target is None else yuan_to_wan(funds.target)
        table.rows.append(
            [row.rank, row.unit_name, target, yuan_to_wan(funds.achieved), funds.rate, funds.lag]
        )
        table.fills.append([None, None, None, None, _fill(funds), None])
    return table


def _month_fill(cell: trip_figures.MonthCell) -> str | None:
    if cell.state == trip_figures.MISS:
        return MISS_FILL
    return CURRENT_FILL if cell.state == trip_figures.CURRENT else None


def trips_table(dash: Any) -> BulletinTable:
    """Leaders' trips per month of the period; a head's month without one filled red."""
    month = dash.period.month
    columns = [Col("领导", "text", 17), Col("职务", "text", 36), Col("辖区", "text", 28)]
    columns += [Col(f"{m}月", "int", 12 if month > 9 else 13, True) for m in range(1, month + 1)]
    columns += [Col("合计", "int", 12, True), Col("未外出月数", "int", 15, True)]
    table = BulletinTable(
        "trips",
        "领导外出招商情况",
        "党政主要负责人每月外出招商次数",
        "领导外出招商",
        columns,
        note=(
            "注：党政主要负责人每月至少外出招商一次；红色为当月未外出，黄色为本月尚未外出。"
            "其他领导的外出只作记录、不考核。按外出开始日期计入月份。"
        ),
        empty_text="尚未登记党政主要负责人，也无领导外出招商记录。",
    )
    for row in dash.compliance:
        cells = row.months[:month]
        trips, misses = trip_figures.totals_through(row, month)
        table.rows.append(
            [
                row.leader.name,
                row.leader.post,
                row.leader.jurisdiction,
                *(c.trips for c in cells),
                trips,
                misses if row.required else None,
            ]
        )
        table.fills.append(
            [
                None,
                None,
                None,
                *(_month_fill(c) for c in cells),
                None,
                MISS_FILL if misses else None,
            ]
        )
    return table


def overlaps_table(dash: Any) -> BulletinTable:
    """Party and government heads of one jurisdiction away on the same days."""
    columns = OVERLAP_COLUMNS
    table = BulletinTable(
        "overlaps", "领导外出招商情况", "党政主要负责人同时外出", "党政同时外出", columns
    )
    found = trip_figures.overlaps_through(dash.overlaps, dash.period.year, dash.period.month)
    for o in found:
        note = "同一次外出" if o.same_trip else ("含计划中的外出" if o.planned else "")
        table.rows.append(
            [
                o.jurisdiction,
                o.party.label,
                o.government.label,
                f"{o.first_day}—{o.last_day}",
                o.days,
                note,
            ]
        )
    return table


def _project_rows(table: BulletinTable, rows: list[attention.AttentionRow], since) -> None:
    for n, row in enumerate(rows, start=1):
        p = row.project
        table.rows.append(
            [
                n,
                p.name,
                p.investor_name,
                p.unit.name,
                p.leader.name if p.leader else "",
                p.stage.label,
                since(p),
                row.days,
                row.limit,
                row.days_over,
                row.last_follow_up,
            ]
        )


def stalled_table(actor: Any, on: date, limit: int) -> BulletinTable:
    """进而不快: projects longer in their stage than its time limit, most overdue first."""
    table = BulletinTable(
        "stalled",
        "进而不快项目",
        f"超时限未推进项目（截至{_day(on)}）",
        "进而不快项目",
        _project_columns("进入阶段日期"),
        docx_limit=limit,
        note="注：各阶段停留时限为"
        + "、".join(
            f"{STAGE_BY_KEY[k].label}{days}天" for k, days in attention.stage_limits().items()
        )
        + "（系统设置）；超过时限即列为进而不快。",
    )
    _project_rows(table, attention.stalled_projects(actor, on), lambda p: p.stage_since)
    return table


def not_started_table(actor: Any, on: date, limit: int) -> BulletinTable:
    """超时限未开工: signed projects not started within the limit after signing."""
    days = attention.not_started_limit()
    table = BulletinTable(
        "not_started",
        "进而不快项目",
        f"签约超过{days}天未开工项目（截至{_day(on)}）",
        "超时限未开工",
        _project_columns("签约日期"),
        docx_limit=limit,
    )
    _project_rows(table, attention.not_started_projects(actor, on), lambda p: p.signed_on)
    return table


def _all(stmt: Select) -> list:
    return list(db.session.execute(stmt).scalars())


def problems_table(actor: Any, on: date, limit: int) -> BulletinTable:
    """Problems not 已办结 whose deadline has passed, longest overdue first."""
    columns = PROBLEM_COLUMNS
    table = BulletinTable(
        "problems",
        "逾期未办结问题",
        f"逾期未办结问题（截至{_day(on)}）",
        "逾期未办结问题",
        columns,
        docx_limit=limit,
    )
    for n, p in enumerate(_all(attention.overdue_problems(actor, on)), start=1):
        unit = p.handling_unit.name if p.handling_unit else "未交办"
        table.rows.append(
            [
                n,
                p.subject_label,
                p.category,
                p.description,
                unit,
                p.raised_on,
                p.deadline,
                (on - p.deadline).days,
                p.level_label,
                p.status_label,
            ]
        )
    return table


def commitments_table(actor: Any, on: date, limit: int) -> BulletinTable:
    """Commitments to investors not fulfilled by their due date."""
    columns = COMMITMENT_COLUMNS
    table = BulletinTable(
        "commitments",
        "逾期未办结问题",
        f"逾期未兑现承诺（截至{_day(on)}）",
        "逾期未兑现承诺",
        columns,
        docx_limit=limit,
    )
    for n, c in enumerate(_all(attention.overdue_commitments(actor, on)), start=1):
        table.rows.append(
            [n, c.project.name, c.promise, c.delivering_unit.name, c.due_on, (on - c.due_on).days]
        )
    return table


STATEMENT_COLUMNS = [
    Col("项目", "text", 40), Col("履约项目（个）", "int", 24), Col("其中新签约（个）", "int", 24),
    Col("到位资金（万元）", "money", 34), Col("占比", "percent", 24),
    Col("年度目标（万元）", "money", 34), Col("完成率", "percent", 24),
    Col("落后时间进度（百分点）", "points", 30),
]  # fmt: skip


def statement_table(statement: Any, issuer: str) -> BulletinTable:
    """到位资金情况表: by origin, industry, 亿元以上 and in total, then by unit."""
    table = BulletinTable(
        "funds_statement",
        "到位资金情况",
        "招商引资到位资金情况表",
        "到位资金情况表",
        STATEMENT_COLUMNS,
        sheet=statement_sheet(statement, issuer),
        note=(
            f"注：{statement.period.as_of_label()}，只计已核实资金。履约项目为本期有到位资金的项目，"
            "新签约为本期签约的项目；落后时间进度为正数表示落后、负数表示超进度。"
        ),
    )
    group = None
    for r in statement.rows:
        if r.group != group and r is not statement.total:
            table.rows.append([r.group] + [""] * (len(STATEMENT_COLUMNS) - 1))
            table.fills.append(["F2F2F2"] * len(STATEMENT_COLUMNS))
        group = r.group
        label = r.label if r is statement.total else "　" + r.label
        table.rows.append(
            [label, r.projects, r.new_projects, yuan_to_wan(r.amount), r.share,
             None if r.target is None else yuan_to_wan(r.target), r.rate, r.lag]
        )  # fmt: skip
        table.fills.append([None] * len(STATEMENT_COLUMNS))
    return table


def _day(on: date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def all_tables(actor: Any, dash: Any, on: date, limit: int) -> list[BulletinTable]:
    """Every table, in the bulletin's order."""
    return [
        units_table(dash, on),
        board_table(dash, "red"),
        board_table(dash, "black"),
        trips_table(dash),
        overlaps_table(dash),
        stalled_table(actor, on, limit),
        not_started_table(actor, on, limit),
        problems_table(actor, on, limit),
        commitments_table(actor, on, limit),
    ]
