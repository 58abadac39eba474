"""Units (责任单位): read only; a unit's users see their own unit alone."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from app.api.core import PageArgsSchema, load, page_schema, paged, resource_blueprint
from app.core.permissions import ReadsBusinessData, requires
from app.core.scoping import scoped_select
from app.units.models import UNIT_KINDS, Unit

blp = resource_blueprint(
    "units", "/units", "责任单位：列表、查看（只读；责任单位用户只看到本单位）"
)


class UnitSchema(ma.Schema):
    """A unit as the API shows it."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(UNIT_KINDS)})
    active = ma.fields.Boolean(required=True)
    version = ma.fields.Integer(required=True)


class UnitListArgs(PageArgsSchema):
    """The filters: kind and active (as the unit screen's)."""

    kind = ma.fields.String(validate=ma.validate.OneOf(UNIT_KINDS))
    active = ma.fields.Boolean()


UNIT = UnitSchema()


@blp.route("")
@requires(ReadsBusinessData)
@blp.arguments(UnitListArgs, location="query")
@blp.response(200, page_schema(UnitSchema, "UnitPage"))
def list_units(args):
    """The units the caller may see (a unit user: their own), active first, by kind and name."""
    stmt = scoped_select(Unit, current_user).order_by(Unit.active.desc(), Unit.kind, Unit.name)
    if "kind" in args:
        stmt = stmt.where(Unit.kind == args["kind"])
    if "active" in args:
        stmt = stmt.where(Unit.active.is_(args["active"]))
    return paged(stmt, args)


@blp.route("/<int:unit_id>")
@requires(ReadsBusinessData)
@blp.response(200, UnitSchema)
def get_unit(unit_id):
    """One unit (another unit's, for a unit user: 404)."""
    return load(Unit, unit_id)
