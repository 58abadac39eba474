"""The dashboard's figures (驾驶舱) for year Y, months 1..M, computed by app/reports/figures."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask_login import current_user

from app.api.core import Id, StrictSchema, resource_blueprint
from app.api.errors import ApiError
from app.core.dates import today
from app.core.money import yuan_to_wan
from app.core.permissions import ReadsReports, requires
from app.core.scoping import own_unit
from app.reports import dashboard
from app.reports.figures import attention, overview
from app.reports.figures.period import Period, last_ended, period_problem
from app.units.models import Unit

blp = resource_blueprint(
    "figures", "/figures", "驾驶舱指标：落地率、漏斗、到位资金、目标完成、外出招商、进而不快"
)

RATE = {
    "allow_none": True,
    "metadata": {"description": "百分比（两位或一位小数），无分母时为 null"},
}


class PeriodArgs(StrictSchema):
    """year and month (default: the last month that has ended)."""

    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    month = ma.fields.Integer(validate=ma.validate.Range(min=1, max=12))


class UnitPeriodArgs(PeriodArgs):
    """year, month and optionally one unit (a unit user: only its own)."""

    unit_id = Id(strict=False)


class PeriodSchema(ma.Schema):
    """The period the figures cover and the day they are counted at."""

    year = ma.fields.Integer(required=True)
    month = ma.fields.Integer(required=True)
    label = ma.fields.String(required=True)
    as_of = ma.fields.Date(required=True)
    unit_id = ma.fields.Integer(allow_none=True)


class LandedRateSchema(ma.Schema):
    """签约落地率 and the other rates of the signed cohort."""

    period = ma.fields.Nested(PeriodSchema, required=True)
    signed = ma.fields.Integer(required=True)
    landed = ma.fields.Integer(required=True)
    landed_stage = ma.fields.String(required=True)
    landed_rate = ma.fields.String(**RATE)
    signed_contract = ma.fields.String(required=True)
    landed_contract = ma.fields.String(required=True)
    landed_amount_rate = ma.fields.String(**RATE)
    registered_rate = ma.fields.String(**RATE)
    started_rate = ma.fields.String(**RATE)
    operating_rate = ma.fields.String(**RATE)
    funds_verified = ma.fields.String(required=True)
    funds_rate = ma.fields.String(**RATE)


class StageCountSchema(ma.Schema):
    """One step of the funnel."""

    stage = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    reached = ma.fields.Integer(required=True)
    current = ma.fields.Integer(required=True)


class FunnelSchema(ma.Schema):
    """The signed cohort's funnel."""

    period = ma.fields.Nested(PeriodSchema, required=True)
    total = ma.fields.Integer(required=True)
    dropped = ma.fields.Integer(required=True)
    signed = ma.fields.Integer(required=True)
    landed = ma.fields.Integer(required=True)
    stages = ma.fields.List(ma.fields.Nested(StageCountSchema), required=True)


class FigureSchema(ma.Schema):
    """One measure against its target: target, achieved, completion rate, lag, light."""

    measure = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    target = ma.fields.String(allow_none=True)
    achieved = ma.fields.String(required=True)
    rate = ma.fields.String(**RATE)
    lag = ma.fields.String(allow_none=True)
    light = ma.fields.String(allow_none=True)


class FundsFigureSchema(ma.Schema):
    """到位资金 in the period, month by month (万元)."""

    period = ma.fields.Nested(PeriodSchema, required=True)
    funds_received = ma.fields.String(required=True)
    months = ma.fields.List(ma.fields.String(), required=True)
    months_previous_year = ma.fields.List(ma.fields.String(), required=True)
    target = ma.fields.Nested(FigureSchema, allow_none=True)


class UnitRowSchema(ma.Schema):
    """One unit of the target table."""

    unit_id = ma.fields.Integer(allow_none=True)
    unit_name = ma.fields.String(required=True)
    rank = ma.fields.Integer(allow_none=True)
    board = ma.fields.String(allow_none=True)
    figures = ma.fields.List(ma.fields.Nested(FigureSchema), required=True)


class TargetsSchema(ma.Schema):
    """目标任务完成情况: every unit's figures, the total, the ranking's red and black lists."""

    period = ma.fields.Nested(PeriodSchema, required=True)
    time_progress = ma.fields.String(required=True)
    rows = ma.fields.List(ma.fields.Nested(UnitRowSchema), required=True)
    total = ma.fields.Nested(UnitRowSchema, allow_none=True)
    red = ma.fields.List(ma.fields.Integer(), required=True)
    black = ma.fields.List(ma.fields.Integer(), required=True)


class LeaderMonthsSchema(ma.Schema):
    """One leader's trips month by month."""

    leader_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    post = ma.fields.String(allow_none=True)
    required = ma.fields.Boolean(required=True)
    months = ma.fields.List(ma.fields.Integer(), required=True)
    states = ma.fields.List(ma.fields.String(), required=True)
    total = ma.fields.Integer(required=True)
    misses = ma.fields.Integer(required=True)


class OverlapSchema(ma.Schema):
    """The two heads of one jurisdiction away on the same days."""

    jurisdiction = ma.fields.String(required=True)
    party_leader_id = ma.fields.Integer(required=True)
    government_leader_id = ma.fields.Integer(required=True)
    first_day = ma.fields.Date(required=True)
    last_day = ma.fields.Date(required=True)
    days = ma.fields.Integer(required=True)


class TripsSchema(ma.Schema):
    """外出招商: each leader's months and the overlaps of the year."""

    period = ma.fields.Nested(PeriodSchema, required=True)
    leaders = ma.fields.List(ma.fields.Nested(LeaderMonthsSchema), required=True)
    overlaps = ma.fields.List(ma.fields.Nested(OverlapSchema), required=True)


class StalledRowSchema(ma.Schema):
    """One stalled project."""

    project_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    unit_id = ma.fields.Integer(required=True)
    stage = ma.fields.String(required=True)
    days = ma.fields.Integer(required=True)
    limit = ma.fields.Integer(required=True)
    days_over = ma.fields.Integer(required=True)
    last_follow_up = ma.fields.Date(allow_none=True)


class StalledSchema(ma.Schema):
    """进而不快 and 超时限未开工 as counted today (the dashboard's attention cards)."""

    as_of = ma.fields.Date(required=True)
    stalled = ma.fields.Integer(required=True)
    not_started = ma.fields.Integer(required=True)
    stalled_projects = ma.fields.List(ma.fields.Nested(StalledRowSchema), required=True)


# ---------------------------------------------------------------- reading the arguments


def _period(args: dict) -> Period:
    """The period asked for; a future or impossible one is refused (422)."""
    default = last_ended()
    if "year" not in args and "month" not in args:
        return default
    year = args.get("year", default.year)
    month = args.get("month", 12 if year < today().year else default.month)
    problem = period_problem(year, month)
    if problem:
        raise ApiError(
            422, message=problem, fields={"month" if "月" in problem else "year": problem}
        )
    return Period(year, month)


def _unit(args: dict) -> int | None:
    """The unit the figures are cut to: a unit user's own; another's is not found (404)."""
    mine = own_unit(current_user)
    asked = args.get("unit_id")
    if asked is None:
        return mine
    if (mine is not None and asked != mine) or _missing_unit(asked):
        raise ApiError(404, message="单位不存在")
    return asked


def _missing_unit(unit_id: int) -> bool:
    from app.extensions import db

    return db.session.get(Unit, unit_id) is None


def _period_json(period: Period, unit_id: int | None) -> dict:
    return {
        "year": period.year,
        "month": period.month,
        "label": period.label,
        "as_of": period.as_of(),
        "unit_id": unit_id,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _wan(yuan: int | None) -> str:
    return f"{yuan_to_wan(yuan or 0):.2f}"


def _cohort(args: dict):
    period, unit_id = _period(args), _unit(args)
    cohort = overview.signed_cohort(
        current_user, period.year, period.month, unit_id, period.as_of()
    )
    return period, unit_id, cohort


# ---------------------------------------------------------------- the endpoints


@blp.route("/landed-rate")
@requires(ReadsReports)
@blp.arguments(UnitPeriodArgs, location="query")
@blp.response(200, LandedRateSchema)
def landed_rate(args):
    """签约落地率 and 注册率, 开工率, 投产率, 资金到位率 of the projects signed in the period."""
    period, unit_id, cohort = _cohort(args)
    funnel = cohort.funnel
    return {
        "period": _period_json(period, unit_id),
        "signed": funnel.signed,
        "landed": funnel.landed,
        "landed_stage": funnel.landed_stage.key,
        "landed_rate": _text(funnel.landed_rate),
        "signed_contract": _wan(funnel.signed_contract),
        "landed_contract": _wan(funnel.landed_contract),
        "landed_amount_rate": _text(funnel.landed_amount_rate),
        "registered_rate": _text(cohort.stage_rate("registered")),
        "started_rate": _text(cohort.stage_rate("started")),
        "operating_rate": _text(cohort.stage_rate("operating")),
        "funds_verified": _wan(cohort.funds_verified),
        "funds_rate": _text(cohort.funds_rate),
    }


@blp.route("/funnel")
@requires(ReadsReports)
@blp.arguments(UnitPeriodArgs, location="query")
@blp.response(200, FunnelSchema)
def funnel(args):
    """How many of the projects signed in the period reached each stage."""
    period, unit_id, cohort = _cohort(args)
    found = cohort.funnel
    return {
        "period": _period_json(period, unit_id),
        "total": found.total,
        "dropped": found.dropped,
        "signed": found.signed,
        "landed": found.landed,
        "stages": [
            {
                "stage": s.stage.key,
                "label": s.stage.label,
                "reached": s.reached,
                "current": s.current,
            }
            for s in found.stages
        ],
    }


def _figure_json(figure) -> dict | None:
    if figure is None:
        return None
    amount = _wan if figure.measure.money else (lambda v: None if v is None else str(v))
    return {
        "measure": figure.measure.key,
        "label": figure.measure.label,
        "target": None if figure.target is None else amount(figure.target),
        "achieved": amount(figure.achieved),
        "rate": _text(figure.rate),
        "lag": _text(figure.lag),
        "light": figure.light,
    }


@blp.route("/funds")
@requires(ReadsReports)
@blp.arguments(UnitPeriodArgs, location="query")
@blp.response(200, FundsFigureSchema)
def funds(args):
    """到位资金 (verified entries dated in months 1..M), month by month, against the target."""
    period, unit_id = _period(args), _unit(args)
    months = overview.funds_months(current_user, [period.year - 1, period.year], unit_id)
    board = dashboard.build(current_user, period) if unit_id == own_unit(current_user) else None
    return {
        "period": _period_json(period, unit_id),
        "funds_received": _wan(sum(months[period.year][: period.month])),
        "months": [_wan(v) for v in months[period.year][: period.month]],
        "months_previous_year": [_wan(v) for v in months[period.year - 1]],
        "target": _figure_json(board.funds_figure) if board is not None else None,
    }


def _row_json(row) -> dict:
    return {
        "unit_id": row.unit_id or None,
        "unit_name": row.unit_name,
        "rank": row.rank,
        "board": row.board,
        "figures": [_figure_json(f) for f in row.figures.values()],
    }


@blp.route("/targets")
@requires(ReadsReports)
@blp.arguments(PeriodArgs, location="query")
@blp.response(200, TargetsSchema)
def targets(args):
    """目标任务完成情况: each unit's completion, lag and light, ranking, 红黑榜."""
    period = _period(args)
    table = dashboard.build(current_user, period).table
    return {
        "period": _period_json(period, own_unit(current_user)),
        "time_progress": str(table.time_progress),
        "rows": [_row_json(r) for r in table.rows],
        "total": _row_json(table.total) if table.total is not None else None,
        "red": [r.unit_id for r in table.red],
        "black": [r.unit_id for r in table.black],
    }


@blp.route("/trips")
@requires(ReadsReports)
@blp.arguments(PeriodArgs, location="query")
@blp.response(200, TripsSchema)
def trips(args):
    """外出招商: each leader's trips by month (misses marked) and the heads' overlaps."""
    period = _period(args)
    board = dashboard.build(current_user, period)
    return {
        "period": _period_json(period, board.unit_id),
        "leaders": [
            {
                "leader_id": row.leader.id,
                "name": row.leader.name,
                "post": row.leader.post,
                "required": row.required,
                "months": [c.trips for c in row.months],
                "states": [c.state for c in row.months],
                "total": row.total,
                "misses": row.misses,
            }
            for row in board.compliance
        ],
        "overlaps": [
            {
                "jurisdiction": o.jurisdiction,
                "party_leader_id": o.party.id,
                "government_leader_id": o.government.id,
                "first_day": o.first_day,
                "last_day": o.last_day,
                "days": o.days,
            }
            for o in board.overlaps
        ],
    }


@blp.route("/stalled")
@requires(ReadsReports)
@blp.arguments(UnitPeriodArgs, location="query")
@blp.response(200, StalledSchema)
def stalled(args):
    """进而不快 (over the stage's time limit) and 超时限未开工, as they stand today."""
    _period(args)  # checked like every figure's; the lists are always as of today
    unit_id = _unit(args)
    filters = attention.AttentionFilters(unit_id=unit_id)
    rows = attention.stalled_projects(current_user, filters=filters)
    not_started = attention.not_started_projects(current_user, filters=filters)
    return {
        "as_of": today(),
        "stalled": len(rows),
        "not_started": len(not_started),
        "stalled_projects": [
            {
                "project_id": r.project.id,
                "name": r.project.name,
                "unit_id": r.project.unit_id,
                "stage": r.project.stage.key,
                "days": r.days,
                "limit": r.limit,
                "days_over": r.days_over,
                "last_follow_up": r.last_follow_up,
            }
            for r in rows
        ],
    }
