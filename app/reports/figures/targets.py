"""Target figures (docs/domain.md, "Completion, lag and light", "Ranking and 红黑榜")."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, and_, case, func, select

from app.core import scoping
from app.core.scoping import scoped_select
from app.extensions import db
from app.funds.queries import LedgerFilters
from app.projects.models import BIG_PROJECT_YUAN, Project
from app.reports.figures.funds import by_unit
from app.targets.models import BY_KEY, FUNDS_KEY, MEASURES, OPTIONAL_KEYS, Measure, Target
from app.units.models import Unit

# For year Y, months 1..M: each unit's achievement against its targets; the ranking by funds
# completion rate (ties by amount) with the 红榜 and 黑榜; units holding a target but with no
# project reported. Rounding, as the published reports quote it: rates and time progress in
# percent, lag in percentage points, all to FIGURE_DECIMALS places (two by default),
# ROUND_HALF_UP (away from zero) from the exact fractions, never from rounded values. The
# light is decided on the lag as shown, so a lag shown as 10.00 is always yellow. Ranking uses
# the funds rate as shown, then the amount; units equal in both share a place (1, 2, 2, 4).

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHTS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}
PODIUM = 3  # 红榜 top three, 黑榜 bottom three

# Ranking needs every unit's figures: they are read district-wide, and only the rows of the
# units the actor may see (the scoping's allow-list) leave this module.
WHOLE_DISTRICT = "ranking, 红黑榜 and 全区合计 need every unit's figures"


def round_half_up(value: Fraction, places: int) -> Decimal:
    """An exact fraction rounded half away from zero to `places` decimals."""
    scaled = abs(value) * 10**places
    whole = int(scaled + Fraction(1, 2))  # floor(x + 1/2) for x >= 0
    sign = -1 if value < 0 else 1
    return (Decimal(sign * whole) / Decimal(10**places)).quantize(Decimal(1).scaleb(-places))


def figure_decimals() -> int:
    """Places of completion rates, time progress, shares and lags (setting FIGURE_DECIMALS,
    two by default; two outside an application, as in a plain unit test)."""
    if not has_app_context():
        return 2
    return int(current_app.config.get("FIGURE_DECIMALS", 2))


def number_format(percent: bool = False) -> str:
    """The spreadsheet number format showing FIGURE_DECIMALS places ("0.00", "0.00%")."""
    places = figure_decimals()
    shown = "0." + "0" * places if places else "0"
    return shown + "%" if percent else shown


def completion_rate(achieved: int, target: int | None) -> Decimal | None:
    """完成率 = achieved / target, in percent to FIGURE_DECIMALS places; None without a target."""
    if not target:
        return None
    return round_half_up(Fraction(achieved, target) * 100, figure_decimals())


def time_progress(month: int) -> Decimal:
    """时间进度 = M / 12, in percent to FIGURE_DECIMALS places (16.67 at M = 2)."""
    return round_half_up(Fraction(month, 12) * 100, figure_decimals())


def lag(achieved: int, target: int | None, month: int) -> Decimal | None:
    """落后时间进度 = (time progress − completion rate) × 100, in points to FIGURE_DECIMALS
    places (positive behind, negative ahead), from the exact fractions; None without a
    target."""
    if not target:
        return None
    return round_half_up((Fraction(month, 12) - Fraction(achieved, target)) * 100,
                         figure_decimals())  # fmt: skip


def light(lag_points: Decimal | None, yellow_max: Decimal | None = None) -> str | None:
    """Green when lag ≤ 0, yellow when 0 < lag ≤ LIGHT_YELLOW_MAX_LAG, red above it."""
    if lag_points is None:
        return None
    if yellow_max is None:
        yellow_max = Decimal(str(current_app.config["LIGHT_YELLOW_MAX_LAG"]))
    if lag_points <= 0:
        return GREEN
    return YELLOW if lag_points <= yellow_max else RED


def period(year: int, month: int) -> tuple[date, date]:
    """The first day of the year and the first day after month M (date.max after 9999-12)."""
    if month == 12:
        end = date(year + 1, 1, 1) if year < date.max.year else date.max
    else:
        end = date(year, month + 1, 1)
    return date(year, 1, 1), end


# ---------------------------------------------------------------- what each figure counts


def signed_condition(year: int, month: int) -> ColumnElement[bool]:
    """Signed in Y, months 1..M (dropped ones included: they count in their cohort)."""
    start, end = period(year, month)
    return and_(Project.signed_on >= start, Project.signed_on < end)


def started_condition(year: int, month: int) -> ColumnElement[bool]:
    """Started (开工) in Y, months 1..M."""
    start, end = period(year, month)
    return and_(Project.started_on >= start, Project.started_on < end)


def reported_condition(year: int, month: int) -> ColumnElement[bool]:
    """Reported (提报) in Y, months 1..M: the lead dates from the period."""
    start, end = period(year, month)
    return and_(Project.lead_on >= start, Project.lead_on < end)


RECORDS = {  # the project lists behind the figures: key -> (title, condition)
    "signed": ("签约项目", lambda y, m: signed_condition(y, m)),
    "big": (
        "亿元以上签约项目",
        lambda y, m: and_(signed_condition(y, m), Project.planned_investment >= BIG_PROJECT_YUAN),
    ),
    "started": ("开工项目", lambda y, m: started_condition(y, m)),
    "reported": ("提报项目", lambda y, m: reported_condition(y, m)),
}
MEASURE_RECORDS = {
    "signed_count": "signed",
    "signed_investment": "signed",
    "big_count": "big",
    "started_count": "started",
}


def records_statement(actor: Any, unit_id: int, year: int, month: int, key: str):
    """The actor's projects behind one figure of one unit (the achieved figure's link)."""
    condition = RECORDS[key][1](year, month)
    stmt = scoped_select(Project, actor).where(Project.unit_id == unit_id, condition)
    return stmt.order_by(Project.signed_on.desc().nulls_last(), Project.id.desc())


def _per_unit(condition: ColumnElement[bool], *columns) -> dict[int, tuple[int, ...]]:
    """Per unit, the columns over the live projects meeting the condition (a date range, read
    from the index on that date rather than from every project)."""
    stmt = (
        select(Project.unit_id, func.count(), *columns)
        .where(Project.deleted_at.is_(None), condition)
        .group_by(Project.unit_id)
    )
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in db.session.execute(stmt)}


def project_counts(year: int, month: int) -> dict[int, dict[str, int]]:
    """Per unit: signed count and contracted investment, 亿元以上 signed, started, reported."""
    big = case((Project.planned_investment >= BIG_PROJECT_YUAN, 1), else_=0)
    signed = _per_unit(
        signed_condition(year, month),
        func.sum(func.coalesce(Project.contract_investment, 0)),
        func.sum(big),
    )
    started = _per_unit(started_condition(year, month))
    reported = _per_unit(reported_condition(year, month))
    counts = {}
    for unit_id in signed.keys() | started.keys() | reported.keys():
        signed_count, signed_investment, big_count = signed.get(unit_id, (0, 0, 0))
        counts[unit_id] = {
            "signed_count": signed_count,
            "signed_investment": signed_investment,
            "big_count": big_count,
            "started_count": started.get(unit_id, (0,))[0],
            "reported": reported.get(unit_id, (0,))[0],
        }
    return counts


def funds_by_unit(year: int, month: int, origin: str = "") -> dict[int, int]:
    """Verified funds received per unit in the period (the funds figures' own function)."""
    filters = LedgerFilters(year=year, month_from=1, month_to=month, origin=origin)
    return {int(line.key): line.amount for line in by_unit(scoping.SYSTEM, filters)}


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Figure:
    """One measure of one unit: target, achieved, rate, lag, light."""

    measure: Measure
    target: int | None
    achieved: int
    rate: Decimal | None
    lag: Decimal | None
    light: str | None

    @property
    def sentence(self) -> str:
        """The figure as the bulletins write it."""
        if self.rate is None:
            return f"{self.measure.label}未下达目标"
        text = f"{self.measure.label}完成全年目标任务的{self.rate}%"
        if self.lag > 0:
            return text + f"，落后时间进度{self.lag}个百分点"
        if self.lag < 0:
            return text + f"，超进度{-self.lag}个百分点"
        return text + "，与时间进度持平"


def figure(measure: Measure, target: int | None, achieved: int, month: int) -> Figure:
    """Compute one figure."""
    points = lag(achieved, target, month)
    return Figure(measure, target, achieved, completion_rate(achieved, target), points,
                  light(points))  # fmt: skip


@dataclass
class UnitRow:
    """One unit of the table."""

    unit_id: int
    unit_name: str
    target: Target | None
    figures: dict[str, Figure]
    reported: int = 0
    rank: int | None = None
    tied: bool = False  # shares its place with another unit
    board: str | None = None  # "red" (红榜), "black" (黑榜) or None

    @property
    def holds_target(self) -> bool:
        return self.target is not None and not self.target.is_empty

    @property
    def funds(self) -> Figure:
        return self.figures[FUNDS_KEY]


@dataclass
class TargetTable:
    """目标任务完成情况 for year Y, months 1..M, as the actor may see it."""

    year: int
    month: int
    time_progress: Decimal
    measures: list[Measure]
    rows: list[UnitRow]
    total: UnitRow | None = None  # 全区合计 (not shown to a unit user)
    ranked_count: int = 0
    red: list[UnitRow] = field(default_factory=list)
    black: list[UnitRow] = field(default_factory=list)
    holders: int = 0
    reporting: int = 0
    silent: list[UnitRow] = field(default_factory=list)
    own_unit_id: int | None = None  # set for a unit user: only its row is here


def _rank(rows: list[UnitRow]) -> list[UnitRow]:
    """Rank by funds completion rate (as shown), ties by amount; equal both share a rank."""
    ranked = sorted(
        (r for r in rows if r.funds.rate is not None),
        key=lambda r: (-r.funds.rate, -r.funds.achieved, r.unit_name),
    )
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        key = (row.funds.rate, row.funds.achieved)
        if key != previous:
            rank, previous = position, key
        row.rank = rank
    size = Counter(r.rank for r in ranked)
    for row in ranked:
        row.tied = size[row.rank] > 1
    return ranked


def _boards(ranked: list[UnitRow]) -> tuple[list[UnitRow], list[UnitRow]]:
    """红榜: the first three places; 黑榜: the last three (ties share a place). A unit in both
    (few units, or a wide tie) goes where it belongs more: to 黑榜 when more units did better
    than worse, to 红榜 when more did worse, to neither when as many (everyone tied)."""
    size = Counter((r.funds.rate, r.funds.achieved) for r in ranked)
    red, black = [], []
    for row in ranked:
        better = row.rank - 1
        worse = len(ranked) - better - size[(row.funds.rate, row.funds.achieved)]
        top, bottom = row.rank <= PODIUM, worse < PODIUM
        if top and bottom:
            top, bottom = worse > better, better > worse
        if top:
            row.board = "red"
            red.append(row)
        elif bottom:
            row.board = "black"
            black.append(row)
    return red, black[::-1]


def _units(year: int, achieving: set[int]) -> list[tuple[int, str]]:
    """Active units, and any unit (even one since disabled) that holds a target of the year or
    achieved something in it: the 全区合计 must add up to the district's figures."""
    with_target = select(Target.unit_id).where(Target.year == year)
    stmt = (
        select(Unit.id, Unit.name)
        .where(Unit.active.is_(True) | Unit.id.in_(with_target) | Unit.id.in_(achieving))
        .order_by(Unit.kind, Unit.name)
    )
    return [(r.id, r.name) for r in db.session.execute(stmt)]


def shown_measures(targets: list[Target]) -> list[Measure]:
    """Every measure, except per-origin funds that no unit has a target for."""
    return [
        m for m in MEASURES if m.key not in OPTIONAL_KEYS or any(t.value(m.key) for t in targets)
    ]


def target_table(actor: Any, year: int, month: int) -> TargetTable:
    """The whole table; a unit user gets only its own row, rank and place on the boards."""
    with scoping.district_wide(WHOLE_DISTRICT):
        table = _whole_table(year, month)
    return _for_actor(table, actor)


def _whole_table(year: int, month: int) -> TargetTable:
    targets = {
        t.unit_id: t
        for t in db.session.execute(select(Target).where(Target.year == year)).scalars()
    }
    measures = shown_measures(list(targets.values()))
    counts = project_counts(year, month)
    achieved: dict[str, dict[int, int]] = {FUNDS_KEY: funds_by_unit(year, month)}
    for m in measures:
        if m.origin:
            achieved[m.key] = funds_by_unit(year, month, m.origin)
    rows = []
    achieving = set(counts).union(*(by_unit.keys() for by_unit in achieved.values()))
    for unit_id, name in _units(year, achieving):
        target, done = targets.get(unit_id), counts.get(unit_id, {})
        figures = {}
        for m in measures:
            value = achieved[m.key].get(unit_id, 0) if m.key in achieved else done.get(m.key, 0)
            figures[m.key] = figure(m, target.value(m.key) if target else None, value, month)
        rows.append(UnitRow(unit_id, name, target, figures, reported=done.get("reported", 0)))
    ranked = _rank(rows)
    red, black = _boards(ranked)
    holders = [r for r in rows if r.holds_target]
    table = TargetTable(
        year=year,
        month=month,
        time_progress=time_progress(month),
        measures=measures,
        rows=ranked + [r for r in rows if r.rank is None],
        total=_total_row(rows, measures, month),
        ranked_count=len(ranked),
        red=red,
        black=black,
        holders=len(holders),
        reporting=sum(1 for r in holders if r.reported),
        silent=[r for r in holders if not r.reported],
    )
    return table


def _total_row(rows: list[UnitRow], measures: list[Measure], month: int) -> UnitRow:
    figures = {}
    for m in measures:
        targets = [r.figures[m.key].target for r in rows if r.figures[m.key].target]
        done = sum(r.figures[m.key].achieved for r in rows)
        figures[m.key] = figure(m, sum(targets) if targets else None, done, month)
    return UnitRow(0, "全区合计", None, figures)


def _for_actor(table: TargetTable, actor: Any) -> TargetTable:
    """The rows of the units the actor may see (scoping's allow-list, deny by default): the
    whole district for those who see it; a unit user its own row, rank and board place, with
    no other unit and no district total; a role the scoping does not know, nothing."""
    if scoping.sees_whole_district(actor):
        return table
    visible = set(db.session.scalars(select(Unit.id).where(scoping.scope_condition(Unit, actor))))

    def mine(rows: list[UnitRow]) -> list[UnitRow]:
        return [r for r in rows if r.unit_id in visible]

    table.rows, table.red, table.black = mine(table.rows), mine(table.red), mine(table.black)
    table.silent = mine(table.silent)
    table.total, table.holders, table.reporting = None, 0, 0
    table.own_unit_id = scoping.own_unit(actor)
    return table


def measure_for(key: str) -> Measure:
    """The measure with this key."""
    return BY_KEY[key]


def light_counts(table: TargetTable, key: str = FUNDS_KEY) -> dict[str, int]:
    """How many units show each light on one measure (units without its target left out)."""
    counts = dict.fromkeys(LIGHTS, 0)
    for row in table.rows:
        shown = row.figures[key].light if key in row.figures else None
        if shown:
            counts[shown] += 1
    return counts
