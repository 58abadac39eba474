"""Request plumbing shared by every blueprint: permissions, errors, security headers."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.core import kept_work, limits, security_log
from app.core.dates import to_local
from app.core.forms import STALE_MESSAGE, ServiceError, safe_next
from app.core.permissions import Public, permission_of
from app.core.unit_of_work import is_connection_lost
from app.extensions import db, login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

MESSAGES = {
    400: "请求无效",
    401: "请先登录",
    403: "您没有权限访问此页面",
    404: "页面或记录不存在",
    405: "不支持的请求方式",
    409: "记录已被他人修改，请刷新后重试",
    413: "上传的文件过大",
    422: "提交的数据有误",
    500: "系统内部错误，已记录，请稍后再试或联系系统管理员",
    503: "数据库暂时不可用，请稍后重试",
    507: limits.STORAGE_FULL,
}


def client_ip() -> str:
    """The caller's address as the server sees it (a proxy sets it via ProxyFix)."""
    return request.remote_addr or ""


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON errors; people get pages."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def enforce_permission():
    """Deny by default: a route without a permission rule is refused to everyone."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    permission = permission_of(view)
    if permission is Public:
        return None
    if permission is None:
        current_app.logger.error("route %s has no permission rule", request.endpoint)
        g.refused = {"reason": "no_rule"}
        return error_response(403)
    if not current_user.is_authenticated:
        # A session ended elsewhere (logged out on another device, password reset): keep the form.
        return kept_work.answer_expired_post() or login_manager.unauthorized()
    if not permission(current_user):
        g.refused = {"permission": permission.name}
        return error_response(403)
    return None


def _log_refusal() -> None:
    """Write the refusal noted during the request into the security log."""
    detail = g.pop("refused", None)
    if detail is None:
        return
    user = current_user if current_user.is_authenticated else None
    security_log.record(
        db.session,
        "refused",
        user=user,
        ip=client_ip(),
        path=request.path,
        method=request.method,
        **detail,
    )
    db.session.commit()


def _log_database_loss() -> None:
    """Note the lost database in the security log when it can be written (its own commit)."""
    try:
        db.session.rollback()
        user = g.get("_login_user")  # the user already loaded, if any: no query to find it
        security_log.record(
            db.session,
            "db_unavailable",
            user=user if getattr(user, "is_authenticated", False) else None,
            ip=client_ip(),
            path=request.path,
            method=request.method,
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - the database is down: the page is answered anyway
        db.session.rollback()


def error_response(code: int, message: str | None = None):
    """One place decides whether an error is a page or JSON."""
    db.session.rollback()
    _log_refusal()
    message = message or MESSAGES.get(code, "请求出错")
    if wants_json():
        return jsonify({"error": {"code": str(code), "message": message}}), code
    return render_template("errors/error.html", code=code, message=message), code


_NOT_SHOWN = {"version", "created_at", "updated_at", "deleted_by_id", "submission_id"}
_NOT_TYPED = {"csrf_token", "version", "submission_id"}


def _shown(value) -> str:
    """A stored value as the stale page shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _current_values(cls, identity) -> dict:
    """The record as it is now in the database (label, whether it still exists, fields)."""
    obj = db.session.get(cls, identity[0] if len(identity) == 1 else identity)
    if obj is None:
        return {"label": "", "gone": True, "rows": []}
    hidden = _NOT_SHOWN | set(getattr(cls, "__history_redact__", ()))
    typed = request.form
    rows = [
        (attr.key, _shown(getattr(obj, attr.key)), typed.get(attr.key))
        for attr in db.inspect(cls).column_attrs
        if attr.key not in hidden
    ]
    label = getattr(obj, "history_label", "")
    return {"label": label() if callable(label) else label, "gone": False, "rows": rows}


def _back_link() -> str:
    """The page to go back to: this URL when it is a page, else the page the user came from."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return request.path
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc != request.host:
        return "/"
    return safe_next(came_from.path + (f"?{came_from.query}" if came_from.query else "")) or "/"


def stale_page(identities: list, message: str):
    """The 409 page: the record's current values beside what the user typed, and a way back."""
    records = [_current_values(cls, identity) for cls, identity in identities]
    columns = {key for record in records for key, _current, _typed in record["rows"]}
    typed = [
        (key, value)
        for key, value in request.form.items(multi=True)
        if key not in _NOT_TYPED and key not in columns
    ]
    page = render_template(
        "errors/stale.html",
        message=message,
        records=records,
        typed=typed,
        back=_back_link(),
    )
    return page, 409


def register_errorhandlers(app) -> None:
    """Chinese error pages (or JSON) for HTTP errors and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # A form from our pages whose session or token ended: its values come back, not a 400.
        user = current_user if current_user.is_authenticated else None
        answer = kept_work.answer_expired_post(signed_in=user)
        if answer is not None:
            db.session.rollback()
            return answer
        if user is None and request.endpoint == "auth.logout":  # already signed out
            return redirect(url_for("auth.login"))
        return error_response(400, "页面已过期或请求无效（CSRF 校验失败），请刷新页面后重试")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        limits.drain_body()  # else the client, still sending, never reads the answer
        return error_response(413, limits.too_large_message())

    @app.errorhandler(HTTPException)
    def http_error(error):
        return error_response(error.code or 500)

    @app.errorhandler(ServiceError)
    def refused(error):  # a refusal no view turned into a form message
        if STALE_MESSAGE in error.errors.values():
            return error_response(409)
        return error_response(422, "；".join(m for m in error.errors.values() if m) or None)

    @app.errorhandler(StaleDataError)
    def stale(error):
        db.session.rollback()
        if wants_json():
            return error_response(409)
        return stale_page(g.pop("stale_records", []), MESSAGES[409])

    @app.errorhandler(DBAPIError)
    def database_error(error):
        if not (isinstance(error, OperationalError) or is_connection_lost(error)):
            return unexpected(error)
        app.logger.warning("database unavailable: %s", error.orig)
        if g.get("_login_user") is None:  # the templates must not try to load the user again
            g._login_user = login_manager.anonymous_user()
        _log_database_loss()
        message = MESSAGES[503]
        if wants_json():
            response = jsonify({"error": {"code": "503", "message": message}})
        else:  # a page that needs no database: no navigation, no user
            response = current_app.make_response(
                render_template("errors/unavailable.html", message=message)
            )
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(OSError)
    def storage_error(error):
        if not limits.storage_full(error):
            return unexpected(error)
        db.session.rollback()
        app.logger.error("storage full or read-only: %s", error)
        return error_response(507)

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unexpected error")
        return error_response(500)


def register_security_headers(app) -> None:
    """Headers on every response: CSP without inline script, no framing, no sniffing."""

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.endpoint != "static":  # over send_file's no-cache: files hold personal data
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response
