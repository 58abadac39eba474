"""Funds out to spreadsheets: the ledger of a period and the report by unit with a 合计 row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.core.dates import local_zone, today
from app.core.money import yuan_to_wan
from app.core.spreadsheets import Column, Sheet, Styled
from app.extensions import db
from app.funds.models import ORIGINS, STATUSES, USES, FundsEntry
from app.funds.queries import LedgerFilters, apply_ledger_filters, scoped_entries
from app.projects.models import Project
from app.reports.figures.funds import unit_table
from app.units.models import Unit

LEDGER_COLUMNS = [
    Column("项目名称", width=30),
    Column("投资方", width=32),
    Column("到位日期", "date"),
    Column("金额（万元）", "money"),
    Column("资金类型", width=11),
    Column("资金用途", width=13),
    Column("凭证号", width=22),
    Column("备注", width=24),
    Column("责任单位", width=14),
    Column("产业类别", width=9),
    Column("投资方所在省", width=13),
    Column("状态", width=14),
    Column("计入统计（万元）", "money", total=True),
    Column("录入人", width=10),
    Column("核实人", width=10),
    Column("核实时间", width=17),
    Column("核实意见", width=24),
    Column("记录编号", "int"),
]


def _status(status: str, reverses_id: int | None, replaces_id: int | None) -> str:
    if reverses_id:
        return f"冲销 #{reverses_id}"
    if replaces_id:
        return f"{STATUSES[status]}（更正 #{replaces_id}）"
    return STATUSES.get(status, status)


def _local_time_text():
    """Stored UTC moments as local "YYYY-MM-DD HH:MM", the zone's offset looked up once an hour
    (the export's hot loop; offsets change on the hour where they change at all)."""
    zone, offsets = local_zone(), {}

    def text(moment: datetime | None) -> str:
        if moment is None:
            return ""
        hour = moment.replace(minute=0, second=0, microsecond=0)
        offset = offsets.get(hour)
        if offset is None:
            offset = offsets[hour] = hour.replace(tzinfo=UTC).astimezone(zone).utcoffset()
        local = moment + offset
        return f"{local.year}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"

    return text


Arrange = Callable[[Select], Select]  # puts a ledger statement in a list's order


def ledger_rows(
    actor: Any, filters: LedgerFilters, arrange: Arrange | None = None
) -> Iterator[list[Any]]:
    """The filtered, scoped ledger as rows, streamed from the database in date order (or in
    the order `arrange` gives: the ledger list's shown order)."""
    entered, verified = aliased(User), aliased(User)
    stmt = select(
        Project.name,
        Project.investor_name,
        FundsEntry.received_on,
        FundsEntry.amount,
        FundsEntry.origin,
        FundsEntry.use,
        FundsEntry.evidence_ref,
        FundsEntry.notes,
        Unit.name,
        Project.industry,
        Project.origin_province,
        FundsEntry.status,
        FundsEntry.reverses_id,
        FundsEntry.replaces_id,
        entered.name,
        verified.name,
        FundsEntry.verified_at,
        FundsEntry.verification_note,
        FundsEntry.id,
    )
    stmt = apply_ledger_filters(scoped_entries(stmt, actor), filters)
    stmt = (
        stmt.join(Unit, Unit.id == Project.unit_id)
        .outerjoin(entered, entered.id == FundsEntry.entered_by_id)
        .outerjoin(verified, verified.id == FundsEntry.verified_by_id)
        .order_by(FundsEntry.received_on, FundsEntry.id)
        .execution_options(yield_per=2000)
    )
    if arrange is not None:
        stmt = arrange(stmt)
    local_text = _local_time_text()
    for r in db.session.execute(stmt):
        amount = yuan_to_wan(r[3])
        yield [
            r[0],
            r[1],
            r[2],
            amount,
            r[4],
            r[5],
            r[6],
            r[7] or "",
            r[8],
            r[9],
            r[10],
            _status(r[11], r[12], r[13]),
            amount if r[11] == "verified" else None,
            r[14] or "",
            r[15] or "",
            local_text(r[16]),
            r[17] or "",
            r[18],
        ]


def _subtitle(filters: LedgerFilters, note: str) -> str:
    return f"统计期间：{filters.period_label}　单位：万元　{note}　导出日期：{today():%Y-%m-%d}"


def ledger_sheet(actor: Any, filters: LedgerFilters, arrange: Arrange | None = None) -> Sheet:
    """The ledger export: every entry in the filters; the 合计 counts verified ones only."""
    return Sheet(
        "到位资金台账",
        LEDGER_COLUMNS,
        ledger_rows(actor, filters, arrange),
        title="招商引资到位资金台账",
        subtitle=_subtitle(filters, "“计入统计”列只含已核实资金（冲销为负数）"),
        paper=8,  # A3: 18 columns
    )


def unit_report_columns() -> list[Column]:
    return [
        Column("序号", "int", width=6),
        Column("责任单位", width=18),
        Column("到位资金（万元）", "money", total=True),
        *(Column(f"{o}（万元）", "money", total=True) for o in ORIGINS),
        *(Column(f"{u}（万元）", "money", total=True) for u in USES),
        Column("笔数", "int", total=True),
        Column("待核实（万元）", "money", total=True),
    ]


def unit_report_sheet(actor: Any, filters: LedgerFilters) -> Sheet:
    """Verified funds of the period by unit, split by origin and use, with a 合计 row."""
    rows = [
        [
            i,
            row.name,
            yuan_to_wan(row.verified),
            *(yuan_to_wan(row.by_origin.get(o, 0)) for o in ORIGINS),
            *(yuan_to_wan(row.by_use.get(u, 0)) for u in USES),
            row.count,
            yuan_to_wan(row.pending),
        ]
        for i, row in enumerate(unit_table(actor, filters), start=1)
    ]
    return Sheet(
        "按单位汇总",
        unit_report_columns(),
        rows,
        title=f"招商引资到位资金完成情况表（{filters.period_label}）",
        subtitle=_subtitle(filters, "只统计已核实资金；待核实资金单列，不计入到位资金"),
    )


STATEMENT_COLUMNS = [
    Column("项目", width=22),
    Column("合计（个）", "int", width=11),
    Column("其中新签约（个）", "int", width=16),
    Column("到位资金（万元）", "money", width=16),
    Column("占比（%）", width=10),
    Column("目标（万元）", "money", width=16),
    Column("完成率（%）", width=10),
    Column("落后时间进度（百分点）", width=22),
]
STATEMENT_GROUPS = (("", 1), ("履约项目", 2), ("", 2), ("年度目标", 3))


def _two(value: Any) -> Any:
    """A share, rate or lag as a number with its published decimals, or a centred dash."""
    if value is None:
        return Styled("—", align="center")
    return Styled(value, num_format="0." + "0" * max(-value.as_tuple().exponent, 0))


def statement_sheet(report: Any, issuer: str) -> Sheet:
    """The 到位资金情况表 as printed: title, 填报单位 and date line, merged headers, groups."""
    rows: list[list[Any]] = []
    group = None
    for r in report.rows:
        if r.group != group and r is not report.total:
            rows.append([Styled(r.group, bold=True)] + [None] * 7)
        group = r.group
        rows.append(
            [
                Styled(r.label, bold=r is report.total),
                r.projects,
                r.new_projects,
                yuan_to_wan(r.amount),
                _two(r.share),
                Styled("—", align="center") if r.target is None else yuan_to_wan(r.target),
                _two(r.rate),
                _two(r.lag),
            ]
        )
    return Sheet(
        "到位资金情况表",
        STATEMENT_COLUMNS,
        rows,
        title=f"{report.period.label}招商引资到位资金情况表",
        subtitle=f"填报单位：{issuer}　　{report.period.as_of_label()}　　单位：万元、个、%",
        groups=STATEMENT_GROUPS,
        paper=9,
    )
