"""The API's errors: one JSON shape for every error under /api/v1, never an HTML page.

    {"error": {"code": "not_found", "message": "中文说明", "fields": {"field": "中文说明"}}}

Errors raised inside an API view go through the handlers of the API's blueprints
(`register_handlers`); errors answered before any API view runs (no token, a role without the
permission, an unknown route, a lost database) are answered by the application's own hooks and
rewritten into this shape by `normalise` (an after_request hook for the API's paths).
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, g, request
from flask_limiter import RateLimitExceeded
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.core import limits
from app.core.forms import STALE_MESSAGE, ServiceError
from app.core.web import error_response
from app.core.write_guard import WriteRefused

PREFIX = "/api/v1"

CODES = {
    400: ("bad_request", "请求无效"),
    401: ("unauthorized", "请提供有效的 API 令牌"),
    403: ("forbidden", "您的角色无权进行此操作"),
    404: ("not_found", "接口或记录不存在"),
    405: ("method_not_allowed", "该接口不支持此请求方式"),
    409: ("conflict", "记录已被他人修改，请重新读取后再提交"),
    413: ("payload_too_large", "请求内容过大"),
    415: ("unsupported_media_type", "请求体须为 JSON（Content-Type: application/json）"),
    422: ("validation_error", "提交的数据有误"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
    500: ("server_error", "系统内部错误，已记录，请稍后再试或联系系统管理员"),
    503: ("unavailable", "数据库暂时不可用，请稍后重试"),
}


class ApiError(Exception):
    """An API refusal with its status, code, Chinese message and field messages."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str | None = None,
        fields: dict[str, str] | None = None,
        *,
        current: Any = None,
        headers: dict[str, str] | None = None,
    ):
        default_code, default_message = CODES.get(status, ("error", "请求出错"))
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.fields = fields or {}
        self.current = current
        self.headers = headers or {}
        super().__init__(f"{status} {self.code}: {self.message}")


def is_api_request() -> bool:
    """True for a request under /api/v1."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def body(error: ApiError) -> dict:
    """The error's JSON body."""
    payload: dict[str, Any] = {
        "error": {"code": error.code, "message": error.message, "fields": error.fields}
    }
    if error.current is not None:
        payload["current"] = error.current
    return payload


def respond(error: ApiError):
    """Answer an ApiError: the request's writes rolled back, a refusal logged, JSON sent."""
    response = current_app.make_response(error_response(error.status, error.message))
    response.set_data(json.dumps(body(error), ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers.update(error.headers)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="crm"'
    return response


def _flat(messages: Any, prefix: str = "") -> dict[str, str]:
    """webargs/marshmallow messages ({"json": {"name": ["..."]}}) as {"name": "..."}."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "headers", "form", "path", "view_args") and not prefix:
                out.update(_flat(value))
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flat(value, name))
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "_schema"] = "；".join(messages)
        else:
            for index, item in enumerate(messages):
                out.update(_flat(item, f"{prefix}[{index}]"))
    else:
        out[prefix or "_schema"] = str(messages)
    return out


def _http_error(error: HTTPException):
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    if code == 422 and "messages" in data:
        fields = _flat(data["messages"])
        return respond(ApiError(422, fields=fields, message="提交的数据有误：" + _summary(fields)))
    if code == 400 and "messages" in data:
        return respond(ApiError(400, message="请求体不是有效的 JSON"))
    message = g.get("api_token_refusal") if code == 401 else None
    return respond(ApiError(code, message=message))


def _summary(fields: dict[str, str]) -> str:
    return "；".join(f"{name}：{message}" for name, message in list(fields.items())[:5])


def _service_error(error: ServiceError):
    if STALE_MESSAGE in error.errors.values():
        return respond(ApiError(409, "stale", current=g.pop("api_current", None)))
    fields = {name or "_schema": message for name, message in error.errors.items()}
    return respond(ApiError(422, fields=fields, message=_summary(fields) or None))


def _stale(error: StaleDataError):
    return respond(ApiError(409, "stale", current=g.pop("api_current", None)))


def _too_large(error: RequestEntityTooLarge):
    limits.drain_body()
    limit = request.max_content_length or 0
    return respond(ApiError(413, message=f"请求内容过大：不能超过 {limit // 1024} KB"))


def _too_many(error: RateLimitExceeded):
    from app.auth import throttle

    wait = throttle.seconds_to_wait()
    return respond(
        ApiError(
            429,
            message=f"请求过于频繁（每个令牌 {error.limit.limit}），请 {wait} 秒后再试",
            headers={"Retry-After": str(wait)},
        )
    )


def _write_refused(error: WriteRefused):
    g.refused = {"write": error.action, "table": error.table, "role": error.role}
    return respond(ApiError(403, message="您的角色不能修改业务数据（三员分立），此操作未执行"))


def _unexpected(error: Exception):
    current_app.logger.exception("unexpected error in the API")
    return respond(ApiError(500))


def register_handlers(blueprint) -> None:
    """The API's error handlers, on one of its blueprints."""
    blueprint.register_error_handler(ApiError, respond)
    blueprint.register_error_handler(ServiceError, _service_error)
    blueprint.register_error_handler(StaleDataError, _stale)
    blueprint.register_error_handler(RequestEntityTooLarge, _too_large)
    blueprint.register_error_handler(RateLimitExceeded, _too_many)
    blueprint.register_error_handler(WriteRefused, _write_refused)
    blueprint.register_error_handler(HTTPException, _http_error)
    blueprint.register_error_handler(Exception, _unexpected)


def normalise(response):
    """An error answered under /api/v1 by the application's own hooks, in the API's shape."""
    if not is_api_request() or response.status_code < 400:
        return response
    payload = response.get_json(silent=True) if response.is_json else None
    error = (payload or {}).get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict) and "fields" in error:
        return response
    code, message = CODES.get(response.status_code, ("error", "请求出错"))
    if response.status_code in (401, 503, 413, 429) and isinstance(error, dict):
        message = error.get("message") or message
    if response.status_code == 401 and g.get("api_token_refusal"):
        message = g.api_token_refusal
        response.headers["WWW-Authenticate"] = 'Bearer realm="crm"'
    elif response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="crm"'
    new = {"error": {"code": code, "message": message, "fields": {}}}
    response.set_data(json.dumps(new, ensure_ascii=False))
    response.mimetype = "application/json"
    return response
