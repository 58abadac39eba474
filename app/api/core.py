"""The API's building blocks: the blueprint of a resource, loading, versions, pages, money.

A resource module (app/api/resources/<name>.py) makes its blueprint with `resource_blueprint`,
loads records with `load` (scoped: another unit's id is 404), checks an update's version with
`expect_version` (stale: 409 with the current record) and answers lists with `paged`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask import current_app, request
from flask_login import current_user
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from sqlalchemy import Select
from webargs.flaskparser import FlaskParser

from app.api.errors import ApiError, register_handlers
from app.core.dates import parse_typed_date
from app.core.forms import ServiceError
from app.core.money import parse_wan, wan_to_yuan, yuan_to_wan
from app.core.pagination import paginate
from app.core.params import MAX_ID, plain_text
from app.core.scoping import get_or_404

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50

# marshmallow's messages in Chinese (marshmallow serves the API only).
_FIELD_MESSAGES = {
    ma.fields.Field: {"required": "必填", "null": "不能为 null", "validator_failed": "取值无效"},
    ma.fields.Integer: {"invalid": "须为整数"},
    ma.fields.Number: {"invalid": "须为数字", "too_large": "数字过大"},
    ma.fields.String: {"invalid": "须为字符串", "invalid_utf8": "须为有效的 UTF-8 文本"},
    ma.fields.Boolean: {"invalid": "须为 true 或 false"},
    ma.fields.Date: {"invalid": "须为 YYYY-MM-DD 格式的日期", "format": "无法写成日期"},
    ma.fields.List: {"invalid": "须为数组"},
    ma.fields.Nested: {"type": "须为 JSON 对象"},
    ma.fields.Mapping: {"invalid": "须为 JSON 对象"},
}
for _field, _messages in _FIELD_MESSAGES.items():
    _field.default_error_messages = {
        **_field.__dict__.get("default_error_messages", {}),
        **_messages,
    }
ma.validate.OneOf.default_message = "须为以下之一：{choices}"


class ErrorBodySchema(ma.Schema):
    """The inner object of an error answer."""

    code = ma.fields.String(required=True, metadata={"description": "错误代码（英文）"})
    message = ma.fields.String(required=True, metadata={"description": "中文说明"})
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "各字段的中文说明"},
    )


class ErrorSchema(ma.Schema):
    """Every error answer: `{"error": {...}}`; a 409 adds the record as it is now (`current`)."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)
    current = ma.fields.Dict(metadata={"description": "409：记录的当前内容"})


class Api(SmorestApi):
    """flask-smorest's Api without its app-wide error handler (ours sit on the API blueprints,
    and the screens keep their own pages) and without its documentation blueprint (the spec
    and the docs page are our routes, with our permissions and vendored assets)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        return None

    def _register_doc_blueprint(self):
        return None


def make_api(app) -> Api:
    """The app's Api (one per application: tests make many), kept in app.extensions."""
    api = Api()
    api.init_app(app)
    if "Error" not in api.spec.components.schemas:
        api.spec.components.schema("Error", schema=ErrorSchema)
    app.extensions["crm_api"] = api
    return api


class Blueprint(SmorestBlueprint):
    """A resource's blueprint: unknown query arguments are refused too, like unknown fields
    (webargs would otherwise drop them silently: a misspelt filter would go unnoticed)."""

    ARGUMENTS_PARSER = FlaskParser(unknown=None)


_blueprints: list[Blueprint] = []


def resource_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """A resource's blueprint under /api/v1 with the API's error handlers and rate limit."""
    from app.api.auth import rate_limit_key
    from app.auth.throttle import limiter

    blueprint = Blueprint(
        f"api_{name}", __name__, url_prefix="/api/v1" + url_prefix, description=description
    )
    register_handlers(blueprint)
    limiter.shared_limit(
        lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=rate_limit_key
    )(blueprint)
    _blueprints.append(blueprint)
    return blueprint


def blueprints() -> list[Blueprint]:
    """Every resource blueprint made so far."""
    return list(_blueprints)


# ---------------------------------------------------------------- records


def load(model: type, record_id: Any, *options: Any) -> Any:
    """One record in the caller's scope, or 404 (another unit's record is not found)."""
    if not isinstance(record_id, int) or not 0 < record_id <= MAX_ID:
        raise ApiError(404)
    return get_or_404(model, record_id, current_user, *options)


def renamed(error: ServiceError, names: dict[str, str]) -> ServiceError:
    """A service's refusal with its field names as the API calls them (planned_wan →
    planned_investment)."""
    errors = {names.get(key, key): message for key, message in error.errors.items()}
    renamed_error = ServiceError(errors)
    renamed_error.__cause__ = error
    return renamed_error


def call_service(call, names: dict[str, str] | None = None):
    """Run a service call and flush; its refusal comes back with the API's field names."""
    from app.extensions import db

    try:
        value = call()
        db.session.flush()
    except ServiceError as error:
        raise renamed(error, names or {}) from error
    return value


def read_version(data: dict) -> int:
    """The version the client read: the body's `version`, else the If-Match header."""
    version = data.pop("version", None)
    if version is None:
        raw = (request.headers.get("If-Match") or "").strip().strip('"').removeprefix("W/")
        raw = raw.strip('"')
        version = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
    if version is None:
        raise ApiError(
            422,
            message="修改须带上读取时的 version（请求体字段或 If-Match 头）",
            fields={"version": "必填：读取记录时得到的 version"},
        )
    return version


def expect_version(record: Any, version: int, current: dict) -> None:
    """Refuse (409, with the record as it is now) an update based on an older read."""
    if record.version != version:
        raise ApiError(409, "stale", current=current)


def paged(stmt: Select, args: dict) -> dict:
    """A page of a statement as `{"items", "total", "page", "per_page"}` (the page's schema
    dumps the items)."""
    page = paginate(stmt, args.get("page", 1), args.get("per_page", DEFAULT_PER_PAGE))
    return {
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    }


# ---------------------------------------------------------------- schemas


class StrictSchema(ma.Schema):
    """Unknown fields are refused (422 naming the field)."""

    error_messages = {"unknown": "未知字段", "type": "须为 JSON 对象"}

    class Meta:
        unknown = ma.RAISE


class Text(ma.fields.String):
    """Text without control characters (as the forms read it), at most `max_length` long."""

    def __init__(self, max_length: int, *, multiline: bool = False, **kwargs):
        self.max_length = max_length
        self.multiline = multiline
        kwargs.setdefault(
            "validate", ma.validate.Length(max=max_length, error=f"最多 {max_length} 个字")
        )
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("maxLength", max_length)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return plain_text(text, multiline=self.multiline).strip()


class Id(ma.fields.Integer):
    """A record id: 1..2^63-1 (a larger number is refused, never sent to the database)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault(
            "validate", ma.validate.Range(min=1, max=MAX_ID, error="须为有效的记录编号")
        )
        super().__init__(**kwargs)


class Day(ma.fields.Date):
    """An ISO date within the product's bounds (2000-01-01 to five years ahead)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ma.ValidationError("日期须为 YYYY-MM-DD 字符串")
        try:
            return parse_typed_date(value, "日期")
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None


class PageArgsSchema(StrictSchema):
    """`page` (from 1) and `per_page` (1..200, default 50); beyond 200 is refused, not capped."""

    page = ma.fields.Integer(
        load_default=1,
        strict=False,
        validate=ma.validate.Range(min=1, max=10**9, error="页码须为 1 以上的整数"),
    )
    per_page = ma.fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=ma.validate.Range(min=1, max=MAX_PER_PAGE, error=f"每页条数须为 1—{MAX_PER_PAGE}"),
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The schema of a list answer: items, total, page, per_page."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "total": ma.fields.Integer(required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
        },
        name=name,
    )


class Wan(ma.fields.Field):
    """An amount in 万元 as a string with two decimals ("1234.56"); stored as whole 元.

    Dumps whole 元 (int) as that string; loads a string (or a whole number) into a Decimal in 万元.
    """

    default_error_messages = {"invalid": '金额须为万元数字字符串，如 "1234.56"'}

    def __init__(self, **kwargs):
        metadata = {"pattern": r"^\d{1,14}(\.\d{1,2})?$", "example": "1234.56", "type": "string"}
        kwargs["metadata"] = {**metadata, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return f"{yuan_to_wan(value):.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.make_error("invalid")
        try:
            return parse_wan(str(value))
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None


def wan_string(amount: Decimal | None) -> str | None:
    """A Decimal 万元 amount as the API writes it."""
    return None if amount is None else f"{Decimal(amount):.2f}"


def yuan(amount_wan: Decimal) -> int:
    """万元 (Decimal) to whole 元."""
    return wan_to_yuan(amount_wan)
