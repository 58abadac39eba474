"""The monthly bulletin (月度通报): its sentences, its tables, and the .docx and .xlsx files.

Everything is read from one `Dashboard` (and the attention lists of app.reports.figures), so
the bulletin says exactly what the leaders' page shows. Settings: BULLETIN_ISSUER (the issuing
body, default 区投资促进局) and BULLETIN_DOCX_ROWS (rows of a long list printed in the Word
file, default 20; the workbook has them all)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from app.core import word
from app.core.dates import today
from app.core.money import format_wan, format_yi
from app.core.spreadsheets import Column, Sheet, Styled, write_workbook
from app.reports import bulletin_keyprojects, snapshot
from app.reports.bulletin_tables import DASH, BulletinTable, all_tables, statement_table
from app.reports.closing import IssuedFiles
from app.reports.dashboard import Dashboard, build
from app.reports.figures import targets as target_figures
from app.reports.figures import trips as trip_figures
from app.reports.figures.funds_statement import FundsStatement, funds_statement
from app.reports.figures.period import Period

DEFAULT_ISSUER = "区投资促进局"
DEFAULT_DOCX_ROWS = 20
NUMERALS = "一二三四五六七八九十"


@dataclass
class Bulletin:
    """One month's bulletin as the actor would issue it."""

    dashboard: Dashboard
    issuer: str
    issued_on: date
    paragraphs: list[str]
    tables: list[BulletinTable]
    statement: FundsStatement | None = None

    @property
    def period(self) -> Period:
        return self.dashboard.period

    @property
    def title(self) -> str:
        return f"{self.period.label}全区招商引资工作通报"

    @property
    def file_stem(self) -> str:
        month = self.period.month
        span = "1月" if month == 1 else f"1-{month}月"
        return f"{self.period.year}年{span}全区招商引资工作通报"


def day_text(on: date) -> str:
    """A date as Chinese papers write it: 2026年11月22日."""
    return f"{on.year}年{on.month}月{on.day}日"


def _pct(value: Decimal | None) -> str:
    return DASH if value is None else f"{value}%"


def progress_phrase(lag: Decimal | None) -> str:
    """落后时间进度 V 个百分点 / 超进度 V 个百分点 / 与时间进度持平."""
    if lag is None:
        return ""
    if lag > 0:
        return f"落后时间进度{lag}个百分点"
    if lag < 0:
        return f"超进度{-lag}个百分点"
    return "与时间进度持平"


def _signing(dash: Dashboard) -> str:
    cohort, label = dash.cohort, dash.period.label
    if not cohort.signed:
        return f"{label}，全区暂无新签约项目。"
    total = dash.table.total
    big = total.figures["big_count"].achieved if total else 0
    text = (
        f"{label}，全区新签约项目{cohort.signed}个，"
        f"合同投资{format_yi(cohort.funnel.signed_contract)}亿元"
    )
    return text + (f"，其中亿元以上项目{big}个。" if big else "。")


def _landing(dash: Dashboard) -> str:
    cohort, previous = dash.cohort, dash.previous
    if not cohort.signed:
        return "因本期无新签约项目，签约落地率、注册率、开工率、投产率和资金到位率均记为“—”。"
    funnel = cohort.funnel
    stage = funnel.landed_stage
    text = (
        f"签约项目中已{stage.label}{cohort.landed}个，签约落地率{_pct(cohort.landed_rate)}"
        f"（{cohort.landed}/{cohort.signed}），按合同投资额计{_pct(cohort.landed_amount_rate)}"
    )
    if previous.signed:
        text += (
            f"（{previous.year}年签约项目落地率{_pct(previous.landed_rate)}，"
            f"{previous.landed}/{previous.signed}）"
        )
    rates = [
        f"{label}率{_pct(cohort.stage_rate(key))}"
        for key, label in (("registered", "注册"), ("started", "开工"), ("operating", "投产"))
        if key != stage.key
    ]
    return (
        text + "；" + "、".join(rates) + f"；签约项目累计到位资金"
        f"{format_yi(cohort.funds_verified)}亿元，资金到位率{_pct(cohort.funds_rate)}。"
    )


def _funds(dash: Dashboard) -> str:
    funds, received = dash.funds_figure, dash.funds_received
    amount = f"全区到位资金{format_yi(received)}亿元"
    if funds is None or funds.rate is None:
        if not received:
            return "全区暂无已核实的到位资金，年度目标任务尚未下达。"
        return amount + "，年度目标任务尚未下达。"
    return (
        f"{amount}，完成年度目标{format_yi(funds.target)}亿元的{funds.rate}%，"
        f"{progress_phrase(funds.lag)}（时间进度{dash.period.time_progress}%）。"
    )


def _names(rows: list) -> str:
    return "、".join(f"{r.unit_name}（{_pct(r.funds.rate)}）" for r in rows)


def _units(dash: Dashboard) -> str:
    table = dash.table
    if not table.ranked_count:
        text = "各单位到位资金目标任务尚未下达，暂不排名。"
    else:
        lights = target_figures.light_counts(table)
        text = (
            f"从各单位看，{table.ranked_count}个下达到位资金目标的单位中，绿灯{lights['green']}个、"
            f"黄灯{lights['yellow']}个、红灯{lights['red']}个。"
        )
        if table.red:
            text += f"完成率居前的{_names(table.red)}列入红榜"
            text += f"；居后的{_names(table.black)}列入黑榜。" if table.black else "。"
    if table.silent:
        names = "、".join(r.unit_name for r in table.silent)
        span = "1月" if table.month == 1 else f"1—{table.month}月"
        text += f"有目标任务的单位中，{len(table.silent)}个{span}未提报项目：{names}。"
    return text


def _trips(dash: Dashboard) -> str:
    month = dash.period.month
    heads = [r for r in dash.compliance if r.required]
    if not heads:
        return "领导外出招商方面，尚未登记党政主要负责人。"
    totals = [trip_figures.totals_through(r, month) for r in heads]
    trips = sum(t for t, _ in totals)
    missing = [m for _, m in totals if m]
    span = "1月" if month == 1 else f"1—{month}月"
    text = f"领导外出招商方面，{span}全区{len(heads)}名党政主要负责人共外出招商{trips}次"
    if missing:
        text += (
            f"，其中{len(heads) - len(missing)}名每月均有外出；{len(missing)}名有未外出招商的月份，"
            f"累计{sum(missing)}个月。"
        )
    else:
        text += "，均做到每月至少外出一次。"
    overlaps = trip_figures.overlaps_through(dash.overlaps, dash.period.year, month)
    if overlaps:
        text += (
            f"同一辖区党政主要负责人同时外出{len(overlaps)}次，"
            "不符合“一个在家主持、一个外出招商”的要求。"
        )
    return text


def _attention(dash: Dashboard) -> str:
    a = dash.attention
    return (
        f"截至{day_text(dash.generated_on)}，进而不快（超过阶段时限）项目{a.stalled}个，"
        f"签约后超时限未开工项目{a.not_started}个，逾期未办结问题{a.overdue_problems}个，"
        f"逾期未兑现承诺{a.overdue_commitments}项。"
    )


def _statement(statement: FundsStatement) -> str:
    """到位资金情况表 in a sentence: 履约项目, by origin, 亿元以上."""
    total, big = statement.total, statement.big
    text = f"全区履约项目{total.projects}个，其中本期新签约{total.new_projects}个"
    parts = [r.phrase for r in statement.by_origin if r.amount]
    if parts:
        text += "；按资金来源，" + "，".join(parts)
    if big.amount:
        text += f"；亿元以上项目到位资金{format_wan(big.amount)}万元，占{big.share}%"
    return text + "。"


def paragraphs(dash: Dashboard, statement: FundsStatement | None = None) -> list[str]:
    """The summary as the bulletin's opening paragraphs, figures written out in sentences."""
    return [
        _signing(dash) + _landing(dash),
        _funds(dash) + (_statement(statement) if statement else "") + _units(dash),
        _trips(dash),
        _attention(dash),
    ]


def make_bulletin(actor: Any, period: Period, on: date | None = None) -> Bulletin:
    """The bulletin of the period as the actor sees it, dated today."""
    on = on or today()
    dash = build(actor, period, on)
    statement = funds_statement(actor, period, on)
    limit = int(current_app.config.get("BULLETIN_DOCX_ROWS", DEFAULT_DOCX_ROWS))
    issuer = current_app.config.get("BULLETIN_ISSUER", DEFAULT_ISSUER)
    tables = all_tables(actor, dash, on, limit)
    tables.insert(1, statement_table(statement, issuer))  # after the units' targets
    tables += bulletin_keyprojects.tables(dash.keyprojects, issuer, on)  # 重点项目推进情况
    return Bulletin(
        dashboard=dash,
        issuer=issuer,
        issued_on=on,
        paragraphs=paragraphs(dash, statement),
        tables=tables,
        statement=statement,
    )


# ---------------------------------------------------------------- the Word file


def cell_text(kind: str, value: Any) -> str:
    """A value as printed in a Word table."""
    if value is None:
        return DASH if kind in ("percent", "points", "money") else ""
    if value == "":  # a group's heading row
        return ""
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "percent":
        return f"{value}%"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _docx_table(doc, table: BulletinTable) -> None:
    for text in getattr(table, "intro", ()):  # sentences above a table (重点项目推进情况)
        word.body(doc, text)
    if table.caption:
        word.centred(doc, table.caption, 14, word.HEADING_FONT)
    if not table.rows:
        word.body(doc, table.empty_text)
        return
    rows = table.rows[: table.docx_limit] if table.docx_limit else table.rows
    word.table(
        doc,
        [c.header for c in table.columns],
        [[cell_text(c.kind, v) for c, v in zip(table.columns, row, strict=True)] for row in rows],
        widths_mm=[c.mm for c in table.columns],
        fills=table.fills[: len(rows)] or None,
    )
    if len(rows) < len(table.rows):
        word.note(
            doc, f"共{len(table.rows)}条，此处列出前{len(rows)}条，完整名单见同期 Excel 附表。"
        )
    if table.note:
        word.note(doc, table.note)


def docx_bytes(bulletin: Bulletin) -> bytes:
    """The bulletin as a .docx: title, issuer and date, summary, then the tables (landscape)."""
    created = datetime.combine(bulletin.issued_on, datetime.min.time())
    doc = word.new_document(created)
    word.title(doc, bulletin.title)
    word.centred(doc, f"{bulletin.issuer}　　{day_text(bulletin.issued_on)}")
    word.heading(doc, "一、总体情况")
    for text in bulletin.paragraphs:
        word.body(doc, text)
    word.landscape_section(doc)
    section = None
    number = 1
    for table in bulletin.tables:
        if table.section != section:
            section, number = table.section, number + 1
            word.heading(doc, f"{NUMERALS[number - 1]}、{section}")
        _docx_table(doc, table)
    return word.to_bytes(doc)


# ---------------------------------------------------------------- the workbook


def _xlsx_value(kind: str, value: Any, fill: str | None) -> Any:
    colour = f"#{fill}" if fill else None
    if kind == "percent":
        if value is None:
            return Styled(DASH, fill=colour) if colour else DASH
        shown = target_figures.number_format(percent=True)
        return Styled(value / Decimal(100), fill=colour, num_format=shown)
    if kind == "points":
        shown = target_figures.number_format()
        return DASH if value is None else Styled(value, fill=colour, num_format=shown)
    if kind == "money" and value is None:
        return DASH
    return Styled(value, fill=colour) if colour else value


_SHEET_KINDS = {"percent": "text", "points": "text"}


def table_sheet(table: BulletinTable, bulletin: Bulletin) -> Sheet:
    """One bulletin table as a worksheet (the targets table uses its own, fuller sheet)."""
    if table.sheet is not None:
        return table.sheet
    columns = [
        Column(c.header, _SHEET_KINDS.get(c.kind, c.kind), width=c.mm * 0.55 or None, total=c.total)
        for c in table.columns
    ]
    rows = []
    for r, row in enumerate(table.rows):
        fills = table.fills[r] if r < len(table.fills) else [None] * len(row)
        rows.append(
            [_xlsx_value(c.kind, v, f) for c, v, f in zip(table.columns, row, fills, strict=True)]
        )
    return Sheet(
        name=table.sheet_name,
        columns=columns,
        rows=rows,
        title=f"{bulletin.period.label}{table.caption or table.section}",
        subtitle=table.note or f"{bulletin.issuer} {day_text(bulletin.issued_on)}",
    )


def figures_sheet(bulletin: Bulletin) -> Sheet:
    """主要指标: the key figures of the summary, one a row."""
    rows = [[f.label, f.text] for f in snapshot.key_figures(bulletin.dashboard)]
    dash = bulletin.dashboard
    return Sheet(
        name="主要指标",
        columns=[Column("指标", width=24), Column("数值", width=36)],
        rows=rows,
        title=bulletin.title,
        subtitle=f"{bulletin.issuer} {day_text(bulletin.issued_on)}。"
        f"{dash.period.as_of_label(dash.generated_on)}；到位资金只计已核实的。",
    )


def xlsx_bytes(bulletin: Bulletin) -> tuple[bytes, int]:
    """The bulletin's tables as a workbook, one sheet each; returns the bytes and row count."""
    buffer = io.BytesIO()
    sheets = [figures_sheet(bulletin)] + [table_sheet(t, bulletin) for t in bulletin.tables]
    rows = write_workbook(buffer, sheets)
    return buffer.getvalue(), rows


def issued_files(bulletin: Bulletin) -> IssuedFiles:
    """Both files of the bulletin and the key figures they state, as a close keeps them."""
    workbook, rows = xlsx_bytes(bulletin)
    figures = snapshot.snapshot(bulletin.dashboard, bulletin.statement)
    figures["paragraphs"] = bulletin.paragraphs
    figures["rows"] = {"docx": sum(len(t.rows) for t in bulletin.tables), "xlsx": rows}
    return IssuedFiles(
        docx=docx_bytes(bulletin),
        xlsx=workbook,
        docx_name=f"{bulletin.file_stem}.docx",
        xlsx_name=f"{bulletin.file_stem}（附表）.xlsx",
        snapshot=figures,
        issued_on=bulletin.issued_on,
    )
