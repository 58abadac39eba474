"""The key-project figures (重点项目台账) of year Y, months 1..M: the same numbers as the
台账 screen, computed by app/reports/figures/keyprojects.py key_ledger."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from app.api.core import Id, StrictSchema, Wan, resource_blueprint
from app.api.errors import ApiError
from app.core.dates import today
from app.core.permissions import ReadsReports, requires
from app.reports.figures import keyprojects as kf
from app.reports.figures.period import Period, last_ended, period_problem

blp = resource_blueprint(
    "key_figures", "/figures/key-projects", "重点项目台账：合计、按工程、按单位、按包保领导、逐项"
)


class KeyFigureArgs(StrictSchema):
    """The period (default: the last month that has ended) and, optionally, one 包保领导."""

    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    month = ma.fields.Integer(validate=ma.validate.Range(min=1, max=12))
    leader_id = Id(strict=False)


def _decimal(**kwargs):
    return ma.fields.Decimal(as_string=True, allow_none=True, **kwargs)


class GroupSchema(ma.Schema):
    """A group of key projects (合计, a 工程, a unit, a leader) and its completion."""

    label = ma.fields.String(required=True)
    key = ma.fields.Raw(
        allow_none=True, metadata={"description": "工程名称、单位编号或领导编号（0：未确定）"}
    )
    count = ma.fields.Integer(required=True)
    total_investment = Wan(required=True)
    annual_plan = Wan(required=True)
    completed = Wan(required=True)
    rate = _decimal(metadata={"description": "完成率（%）"})
    lag = _decimal(metadata={"description": "滞后时间进度（百分点）"})
    light = ma.fields.String(allow_none=True)
    flags = ma.fields.List(ma.fields.String())


class RowSchema(ma.Schema):
    """One key project's line of the 台账."""

    key_project_id = ma.fields.Function(lambda r: r.key_project.id)
    name = ma.fields.Function(lambda r: r.key_project.name)
    unit_id = ma.fields.Function(lambda r: r.key_project.unit_id)
    programme = ma.fields.Function(lambda r: r.key_project.programme)
    category = ma.fields.Function(lambda r: r.key_project.category)
    completed = Wan(required=True)
    month_invested = Wan(required=True)
    progress = ma.fields.String()
    rate = _decimal()
    lag = _decimal()
    light = ma.fields.String(allow_none=True)
    flags = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "idle 包而不推 / stuck 推而不进 / slow 进而不快"},
    )
    started = ma.fields.Boolean()
    last_activity_on = ma.fields.Date(allow_none=True)
    months_without_investment = ma.fields.Integer()


class RollCallSchema(ma.Schema):
    """Per category: how many, started, not started, starting soon."""

    category = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)
    started = ma.fields.Integer(required=True)
    not_started = ma.fields.Integer(required=True)
    soon = ma.fields.Integer()


class KeyLedgerSchema(ma.Schema):
    """The 台账 as of the period's end."""

    year = ma.fields.Function(lambda d: d.period.year)
    month = ma.fields.Function(lambda d: d.period.month)
    as_of = ma.fields.Function(lambda d: d.period.as_of().isoformat())
    total = ma.fields.Nested(GroupSchema)
    programmes = ma.fields.List(ma.fields.Nested(GroupSchema))
    units = ma.fields.List(ma.fields.Nested(GroupSchema))
    leaders = ma.fields.List(ma.fields.Nested(GroupSchema))
    roll_call = ma.fields.List(ma.fields.Nested(RollCallSchema))
    big_count = ma.fields.Integer(metadata={"description": "亿元以上项目个数"})
    big_total = Wan(metadata={"description": "亿元以上项目总投资（万元）"})
    unlisted_ids = ma.fields.Function(
        lambda d: [r.key_project.id for r in d.unlisted], metadata={"description": "已开工未入库"}
    )
    rows = ma.fields.List(ma.fields.Nested(RowSchema))


def _period(args: dict) -> Period:
    """The period asked for (nothing: the last month that has ended; a year alone: a past
    year whole, this year so far, as the screens read it), or 422 saying why not."""
    if "year" not in args and "month" not in args:
        return last_ended()
    on = today()
    year = args.get("year", on.year)
    month = args.get("month")
    if month is None:
        month = 12 if year < on.year else max(on.month - 1, 1)
    problem = period_problem(year, month)
    if problem:
        raise ApiError(422, message=problem, fields={"month": problem})
    return Period(year, month)


@blp.route("")
@requires(ReadsReports)
@blp.arguments(KeyFigureArgs, location="query")
@blp.response(200, KeyLedgerSchema)
def key_project_figures(args):
    """The key-project 台账 of the caller's key projects, as of the end of month M."""
    ledger = kf.key_ledger(current_user, _period(args), leader_id=args.get("leader_id"))
    return ledger
