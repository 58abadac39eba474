"""The trip workbook: the month-by-leader grid, the overlaps and the yields, as printed; and
the year a request asks for, shared by the screens and the export."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.core.dates import today
from app.core.money import yuan_to_wan
from app.core.params import whole_number
from app.core.spreadsheets import Column, Sheet, Styled
from app.reports.figures import trips as figures
from app.reports.figures.period import read_period
from app.trips.models import Trip
from app.trips.queries import trips_in_year

MISS_FILL = "#F4B6B6"  # a head's month without a trip
PENDING_FILL = "#FFE699"  # this month, no trip yet
BARREN_FILL = "#F4B6B6"


def year_from(args: Any) -> int:
    """The year asked for (2000..2100), this year if none or not a year."""
    return whole_number(args.get("year"), 2000, 2100) or today().year


def _month_cell(cell: figures.MonthCell) -> Any:
    if cell.state == figures.FUTURE:
        return None
    if cell.state == figures.MISS:
        return Styled(cell.trips, fill=MISS_FILL)
    if cell.state == figures.CURRENT:
        return Styled(cell.trips, fill=PENDING_FILL)
    return cell.trips


def grid_sheet(actor: Any, year: int, on: date) -> Sheet:
    """Trips per leader per month; a head's missed months filled red."""
    rows = figures.compliance(actor, year, on)
    columns = [
        Column("领导", width=10),
        Column("职务", width=24),
        Column("辖区", width=12),
        Column("主要负责人", width=14),
        *(Column(f"{m}月", "int", width=6) for m in figures.MONTHS),
        Column("全年合计", "int", width=9, total=True),
        Column("未外出月数", "int", width=10, total=True),
    ]
    data = [
        [
            r.leader.name,
            r.leader.post,
            r.leader.jurisdiction,
            r.leader.head_label or Styled("—", align="center"),
            *(_month_cell(c) for c in r.months),
            r.total,
            r.misses if r.required else None,
        ]
        for r in rows
    ]
    return Sheet(
        name="月度外出情况",
        columns=columns,
        rows=data,
        title=f"{year}年领导外出招商情况",
        subtitle=f"截至 {on}。红色：主要负责人当月未外出招商（每月至少一次）；"
        "黄色：本月尚未外出；其他领导的外出只作记录、不考核。按外出开始日期计入月份。",
        groups=[("", 4), ("各月外出招商次数", 12), ("", 2)],
    )


def _trip_text(trip) -> str:
    return f"{trip.started_on}—{trip.ended_on} 赴{trip.destination}"


def overlap_sheet(actor: Any, year: int) -> Sheet:
    """Party and government heads of one jurisdiction away on the same days."""
    data = [
        [
            o.jurisdiction,
            o.party.label,
            _trip_text(o.party_trip),
            o.government.label,
            _trip_text(o.government_trip),
            f"{o.first_day}—{o.last_day}",
            o.days,
            "同一次外出" if o.same_trip else ("含计划中的外出" if o.planned else ""),
        ]
        for o in figures.overlaps(actor, year)
    ]
    return Sheet(
        name="党政一把手同时外出",
        columns=[
            Column("辖区", width=12),
            Column("党委主要负责人", width=18),
            Column("其外出", width=30),
            Column("政府主要负责人", width=18),
            Column("其外出", width=30),
            Column("重叠日期", width=24),
            Column("重叠天数", "int"),
            Column("说明", width=14),
        ],
        rows=data,
        title=f"{year}年党政主要负责人同时外出情况",
        subtitle="“一个在家主持、一个外出招商”：同一辖区党政主要负责人外出日期重叠的，逐条列出。",
    )


def trips_of_period(actor: Any, year: int, as_of: date) -> list[Trip]:
    """The actor's trips that started in the year on or before `as_of` (a period's end)."""
    return [
        t for t in trips_in_year(actor, year) if t.started_on.year == year and t.started_on <= as_of
    ]


def yields_as_of(args: Any, on: date | None = None) -> date:
    """The day the yields are counted at for a request: the end of its period (year and
    month; a year alone is the whole of a past year, this year to the last ended month)."""
    return read_period(args, on)[0].as_of(on)


def yield_sheet(actor: Any, year: int, on: date, as_of: date | None = None) -> Sheet:
    """Each trip of the year (started by `as_of`) with what it produced as of that day."""
    as_of = as_of or on
    trips = trips_of_period(actor, year, as_of)
    window = figures.yield_days()
    data = []
    for r in figures.trip_yields(actor, trips, on, as_of=as_of):
        t = r.trip
        if t.status == "planned":
            verdict = "计划中"
        elif r.barren:
            verdict = Styled(f"{window}天内无成果", fill=BARREN_FILL)
        elif r.waiting:
            verdict = "待观察"
        else:
            verdict = "有成果"
        data.append(
            [
                t.started_on,
                t.ended_on,
                t.days,
                t.leader_names,
                t.destination,
                t.enterprises or "",
                r.produced,
                r.signed,
                yuan_to_wan(r.contract),
                yuan_to_wan(r.funds),
                verdict,
            ]
        )
    return Sheet(
        name="外出成效",
        columns=[
            Column("开始日期", "date"),
            Column("结束日期", "date"),
            Column("天数", "int", width=6),
            Column("外出领导", width=20),
            Column("目的地", width=16),
            Column("走访企业", width=40),
            Column("促成项目（个）", "int", total=True),
            Column("已签约（个）", "int", total=True),
            Column("合同投资额（万元）", "money", total=True),
            Column("到位资金（万元）", "money", total=True),
            Column("成效", width=14),
        ],
        rows=data,
        title=f"{year}年领导外出招商成效",
        subtitle=(
            f"数据截至 {as_of}：只计当日及以前登记的项目、签约和到账并已核实的到位资金；"
            f"结束 {window} 天后仍未促成项目的标为无成果。"
        ),
    )


def compliance_workbook(actor: Any, year: int, on: date, as_of: date | None = None) -> list[Sheet]:
    """The three sheets of the trip export, within the actor's scope; the yields as of
    `as_of` (a period's end)."""
    return [
        grid_sheet(actor, year, on),
        overlap_sheet(actor, year),
        yield_sheet(actor, year, on, as_of),
    ]
