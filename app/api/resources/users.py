"""Users (accounts): the administrator's alone — list, get, create, update, disable, enable.

Never shows a password hash or a session token; a new account's password is sent once and
must be changed at first login (as on the administrator's screen)."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import or_, select

from app.api.core import (
    Id,
    PageArgsSchema,
    StrictSchema,
    Text,
    call_service,
    load,
    page_schema,
    paged,
    resource_blueprint,
)
from app.api.idempotency import idempotent
from app.auth import services
from app.auth.models import ROLES, User
from app.core.pagination import contains_pattern
from app.core.permissions import IsAdmin, requires
from app.core.web import client_ip

blp = resource_blueprint(
    "users", "/users", "账户（仅系统管理员）：列表、查看、创建、修改、停用、启用"
)

ROLE_KEYS = list(ROLES)


class UserSchema(ma.Schema):
    """An account as the API shows it (no password hash, no session token)."""

    id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": ROLE_KEYS})
    role_label = ma.fields.String()
    unit_id = ma.fields.Integer(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean(required=True)
    must_change_password = ma.fields.Boolean()
    last_login_at = ma.fields.DateTime(allow_none=True)


class UserListArgs(PageArgsSchema):
    """The filters of the account screen: a name search, role, status."""

    q = Text(50)
    role = ma.fields.String(validate=ma.validate.OneOf(ROLE_KEYS))
    status = ma.fields.String(validate=ma.validate.OneOf(["active", "disabled"]))


class UserInSchema(StrictSchema):
    """An account's fields as an administrator sets them."""

    username = Text(50, required=True, validate=ma.validate.Length(min=1, max=50))
    name = Text(50, required=True, validate=ma.validate.Length(min=1, max=50))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLE_KEYS))
    unit_id = Id(allow_none=True, metadata={"description": "责任单位账户必填，其他角色留空"})
    phone = Text(30, allow_none=True)


class NewUserSchema(UserInSchema):
    """A new account: its fields and the initial password (changed at first login)."""

    password = ma.fields.String(required=True, validate=ma.validate.Length(max=200), load_only=True)


class UserPatchSchema(UserInSchema):
    """The fields to change (any subset)."""


USER = UserSchema()


def _data(values: dict, base: User | None = None) -> services.UserData:
    """UserData from the sent fields, over the account's current ones for an update."""

    def value(name: str):
        return values[name] if name in values else getattr(base, name, None)

    return services.UserData(
        username=value("username") or "",
        name=value("name") or "",
        role=value("role") or "",
        unit_id=value("unit_id"),
        phone=value("phone"),
    )


@blp.route("")
@requires(IsAdmin)
@blp.arguments(UserListArgs, location="query")
@blp.response(200, page_schema(UserSchema, "UserPage"))
def list_users(args):
    """Every account, by role and username, filtered like the account screen."""
    stmt = select(User).order_by(User.role, User.username)
    if args.get("q"):
        like = contains_pattern(args["q"].lower())
        stmt = stmt.where(
            or_(User.username.ilike(like, escape="\\"), User.name.ilike(like, escape="\\"))
        )
    if "role" in args:
        stmt = stmt.where(User.role == args["role"])
    if "status" in args:
        stmt = stmt.where(User.active.is_(args["status"] == "active"))
    return paged(stmt, args)


@blp.route("", methods=["POST"])
@requires(IsAdmin)
@idempotent
@blp.arguments(NewUserSchema)
@blp.response(201, UserSchema)
def create_user(values):
    """Create an account; it must change its password at first login."""
    user = call_service(
        lambda: services.create_user(_data(values), values["password"], current_user)
    )
    return user


@blp.route("/<int:user_id>")
@requires(IsAdmin)
@blp.response(200, UserSchema)
def get_user(user_id):
    """One account."""
    return load(User, user_id)


@blp.route("/<int:user_id>", methods=["PATCH"])
@requires(IsAdmin)
@blp.arguments(UserPatchSchema(partial=True))
@blp.response(200, UserSchema)
def update_user(values, user_id):
    """Change an account's username, name, role, unit or phone (nobody changes their own role)."""
    user = load(User, user_id)
    call_service(lambda: services.update_user(user, _data(values, user), current_user, client_ip()))
    return user


def _set_active(user_id: int, active: bool) -> dict:
    user = load(User, user_id)
    call_service(lambda: services.set_active(user, active, current_user, client_ip()))
    return user


@blp.route("/<int:user_id>/disable", methods=["POST"])
@requires(IsAdmin)
@blp.response(200, UserSchema)
def disable_user(user_id):
    """Disable an account: its sessions and API tokens stop working at once."""
    return _set_active(user_id, False)


@blp.route("/<int:user_id>/enable", methods=["POST"])
@requires(IsAdmin)
@blp.response(200, UserSchema)
def enable_user(user_id):
    """Re-enable a disabled account."""
    return _set_active(user_id, True)
