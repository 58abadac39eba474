"""Leaders (领导名录): list (the register's filters), get; the bureau creates, updates,
deactivates and reactivates."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_login import current_user

from app.api.core import (
    Day,
    Id,
    PageArgsSchema,
    StrictSchema,
    Text,
    call_service,
    expect_version,
    page_schema,
    paged,
    read_version,
    resource_blueprint,
)
from app.api.errors import ApiError
from app.api.idempotency import idempotent
from app.core.params import MAX_ID
from app.core.permissions import IsBureau, ReadsBusinessData, requires
from app.extensions import db
from app.leaders import services
from app.leaders.lists import ACTIVE, DISTRICT, LEADERS
from app.leaders.models import HEAD_KINDS, Leader

blp = resource_blueprint(
    "leaders", "/leaders", "领导名录：列表、查看；投资促进局登记、修改、停用、启用"
)


class LeaderSchema(ma.Schema):
    """A leader as the API shows it (unit_id empty: the district as a whole, 全区)."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    post = ma.fields.String(required=True)
    unit_id = ma.fields.Integer(allow_none=True)
    jurisdiction = ma.fields.String()
    head_kind = ma.fields.String(allow_none=True, metadata={"enum": [*HEAD_KINDS, None]})
    is_baobao = ma.fields.Boolean()
    active = ma.fields.Boolean()
    user_id = ma.fields.Integer(allow_none=True)
    took_office_on = ma.fields.Date(allow_none=True)
    version = ma.fields.Integer(required=True)


class LeaderListArgs(PageArgsSchema):
    """The register's filters: jurisdiction (a unit id or "district"), status, search, sort."""

    unit = ma.fields.String(
        validate=ma.validate.Regexp(
            rf"^({DISTRICT}|[1-9][0-9]{{0,17}})$", error="须为 district 或单位编号"
        ),
        metadata={"description": "district（全区）或单位编号"},
    )
    active = ma.fields.String(validate=ma.validate.OneOf(ACTIVE))
    q = Text(50)
    sort = ma.fields.String(
        validate=ma.validate.OneOf([s for k in LEADERS.sorts for s in (k, f"-{k}")])
    )


class LeaderInSchema(StrictSchema):
    """A leader's fields as the bureau sends them."""

    name = Text(50, required=True)
    post = Text(50, required=True)
    unit_id = Id(allow_none=True, metadata={"description": "空：全区"})
    head_kind = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(list(HEAD_KINDS)))
    is_baobao = ma.fields.Boolean()
    user_id = Id(allow_none=True)
    took_office_on = Day(allow_none=True)


class LeaderPatchSchema(LeaderInSchema):
    """The fields to change (any subset) and the version read (or an If-Match header)."""

    version = ma.fields.Integer(strict=True, metadata={"description": "读取时的 version"})


LEADER = LeaderSchema()
FIELDS = ("name", "post", "unit_id", "head_kind", "is_baobao", "user_id", "took_office_on")


def _data(values: dict, base: Leader | None = None) -> services.LeaderData:
    """LeaderData from the sent fields, over the leader's current ones for an update."""
    current = {name: getattr(base, name, None) for name in FIELDS}
    current.update({k: v for k, v in values.items() if k in FIELDS})
    return services.LeaderData(
        name=current["name"] or "",
        post=current["post"] or "",
        unit_id=current["unit_id"],
        head_kind=current["head_kind"],
        is_baobao=bool(current["is_baobao"]),
        user_id=current["user_id"],
        took_office_on=current["took_office_on"],
    )


def _leader(leader_id: int) -> Leader:
    """One leader of the register (every reader sees the whole register), or 404."""
    leader = db.session.get(Leader, leader_id) if 0 < leader_id <= MAX_ID else None
    if leader is None:
        raise ApiError(404)
    return leader


@blp.route("")
@requires(ReadsBusinessData)
@blp.arguments(LeaderListArgs, location="query")
@blp.response(200, page_schema(LeaderSchema, "LeaderPage"))
def list_leaders(args):
    """The register, the district's leaders first, filtered like the register's screen."""
    return paged(LEADERS.sorted_statement(current_user, request.args), args)


@blp.route("", methods=["POST"])
@requires(IsBureau)
@idempotent
@blp.arguments(LeaderInSchema)
@blp.response(201, LeaderSchema)
def create_leader(values):
    """Add a leader; honours Idempotency-Key."""
    leader = call_service(lambda: services.create_leader(_data(values), current_user))
    return leader


@blp.route("/<int:leader_id>")
@requires(ReadsBusinessData)
@blp.response(200, LeaderSchema)
def get_leader(leader_id):
    """One leader."""
    return _leader(leader_id)


@blp.route("/<int:leader_id>", methods=["PATCH"])
@requires(IsBureau)
@blp.arguments(LeaderPatchSchema(partial=True))
@blp.response(200, LeaderSchema)
def update_leader(values, leader_id):
    """Change a leader's record; needs the version read (409 if stale)."""
    leader = _leader(leader_id)
    version = read_version(values)
    expect_version(leader, version, LEADER.dump(leader))
    call_service(
        lambda: services.update_leader(leader, _data(values, leader), current_user, version)
    )
    return leader


def _set_active(leader_id: int, active: bool) -> dict:
    leader = _leader(leader_id)
    call_service(lambda: services.set_active(leader, active, current_user))
    return leader


@blp.route("/<int:leader_id>/deactivate", methods=["POST"])
@requires(IsBureau)
@blp.response(200, LeaderSchema)
def deactivate_leader(leader_id):
    """Deactivate a leader (left office); nothing is deleted."""
    return _set_active(leader_id, False)


@blp.route("/<int:leader_id>/activate", methods=["POST"])
@requires(IsBureau)
@blp.response(200, LeaderSchema)
def activate_leader(leader_id):
    """Bring a deactivated leader back (refused while another holds their head post)."""
    return _set_active(leader_id, True)
