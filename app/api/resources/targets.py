"""Targets (目标任务): list and get; the bureau sets a unit's targets for a year, the unit
claims (认领) them. Amounts in 万元 as strings, counts as integers, null for not set."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from app.api.core import (
    Id,
    PageArgsSchema,
    StrictSchema,
    Wan,
    call_service,
    expect_version,
    load,
    page_schema,
    paged,
    read_version,
    resource_blueprint,
    yuan,
)
from app.api.errors import ApiError
from app.core.permissions import IsBureau, IsUnit, ReadsBusinessData, requires
from app.core.scoping import scoped_select
from app.extensions import db
from app.targets import services
from app.targets.models import MEASURES, Target

blp = resource_blueprint(
    "targets", "/targets", "目标任务：列表、查看；投资促进局下达与修改，责任单位认领"
)


def _measure_field(measure, *, loading: bool):
    """A measure's field: 万元 strings for money, integers for counts; null = not set."""
    description = measure.header
    if measure.money:
        if not loading:
            return Wan(allow_none=True, metadata={"description": description})
        return Wan(
            allow_none=True,
            validate=ma.validate.Range(
                min=0, max=services.MAX_WAN, error="目标须在 0 至 1 万亿元之间"
            ),
            metadata={"description": description},
        )
    if not loading:
        return ma.fields.Integer(allow_none=True, metadata={"description": description})
    return ma.fields.Integer(
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(
            min=0, max=services.MAX_COUNT, error="个数须在 0 至 100000 之间"
        ),
        metadata={"description": description},
    )


TargetSchema = ma.Schema.from_dict(
    {
        "id": ma.fields.Integer(required=True),
        "unit_id": ma.fields.Integer(required=True),
        "year": ma.fields.Integer(required=True),
        **{m.key: _measure_field(m, loading=False) for m in MEASURES},
        "origin_note": ma.fields.String(allow_none=True),
        "claimed_at": ma.fields.DateTime(allow_none=True),
        "claimed_by_id": ma.fields.Integer(allow_none=True),
        "version": ma.fields.Integer(required=True),
    },
    name="Target",
)

_MEASURE_INPUTS = {m.key: _measure_field(m, loading=True) for m in MEASURES}


class TargetListArgs(PageArgsSchema):
    """The filters: year and unit."""

    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    unit_id = Id(strict=False)


class TargetInSchema(StrictSchema.from_dict(_MEASURE_INPUTS, name="TargetMeasures")):
    """A unit's targets for a year (measures left out: not set)."""

    class Meta:
        unknown = ma.RAISE

    unit_id = Id(required=True)
    year = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(min=2000, max=2100)
    )


class TargetPatchSchema(StrictSchema.from_dict(_MEASURE_INPUTS, name="TargetMeasureChanges")):
    """The measures to change (null clears one) and the version read (or If-Match)."""

    class Meta:
        unknown = ma.RAISE

    version = ma.fields.Integer(strict=True, metadata={"description": "读取时的 version"})


TARGET = TargetSchema()


def _values(values: dict, base: Target | None = None) -> services.Values:
    """measure key → count or whole 元 (None: not set), over the target's current values."""
    out: services.Values = {m.key: base.value(m.key) if base else None for m in MEASURES}
    for m in MEASURES:
        if m.key in values:
            raw = values[m.key]
            out[m.key] = None if raw is None else (yuan(raw) if m.money else raw)
    return out


def _names(unit_id: int) -> dict[str, str]:
    """set_targets' grid names (unit-3, t-3-funds_total) as the API's fields."""
    return {f"unit-{unit_id}": "unit_id", **{f"t-{unit_id}-{m.key}": m.key for m in MEASURES}}


def _target_of(unit_id: int, year: int) -> Target | None:
    stmt = select(Target).where(Target.unit_id == unit_id, Target.year == year)
    return db.session.execute(stmt).scalar_one_or_none()


@blp.route("")
@requires(ReadsBusinessData)
@blp.arguments(TargetListArgs, location="query")
@blp.response(200, page_schema(TargetSchema, "TargetPage"))
def list_targets(args):
    """The targets the caller may see (a unit: its own), newest year first."""
    stmt = scoped_select(Target, current_user).order_by(
        Target.year.desc(), Target.unit_id, Target.id
    )
    if "year" in args:
        stmt = stmt.where(Target.year == args["year"])
    if "unit_id" in args:
        stmt = stmt.where(Target.unit_id == args["unit_id"])
    return paged(stmt, args)


@blp.route("", methods=["POST"])
@requires(IsBureau)
@blp.arguments(TargetInSchema)
@blp.response(201, TargetSchema)
def create_target(values):
    """Set (下达) a unit's targets for a year; a unit and year that have them already: 422."""
    unit_id, year = values["unit_id"], values["year"]
    if _target_of(unit_id, year) is not None:
        raise ApiError(
            422,
            message=f"该单位已有{year}年目标任务，请用 PATCH 修改",
            fields={"year": "该单位该年度已有目标任务"},
        )
    row = _values(values)
    if all(v is None for v in row.values()):
        raise ApiError(422, message="请至少填写一项目标", fields={"_schema": "请至少填写一项目标"})
    call_service(lambda: services.set_targets(year, {unit_id: row}, current_user), _names(unit_id))
    return _target_of(unit_id, year)


@blp.route("/<int:target_id>")
@requires(ReadsBusinessData)
@blp.response(200, TargetSchema)
def get_target(target_id):
    """One target (another unit's, for a unit user: 404)."""
    return load(Target, target_id)


@blp.route("/<int:target_id>", methods=["PATCH"])
@requires(IsBureau)
@blp.arguments(TargetPatchSchema(partial=True))
@blp.response(200, TargetSchema)
def update_target(values, target_id):
    """Change a target's figures (a claimed target must then be claimed again); needs the
    version read (409 if stale)."""
    target = load(Target, target_id)
    version = read_version(values)
    expect_version(target, version, TARGET.dump(target))
    unit_id = target.unit_id
    call_service(
        lambda: services.set_targets(
            target.year, {unit_id: _values(values, target)}, current_user, {unit_id: version}
        ),
        _names(unit_id),
    )
    return target


@blp.route("/<int:target_id>/claim", methods=["POST"])
@requires(IsUnit)
@blp.response(200, TargetSchema)
def claim_target(target_id):
    """The unit claims (认领) its target; a second claim leaves the first one standing."""
    target = load(Target, target_id)
    call_service(lambda: services.claim(target, current_user))
    return target
