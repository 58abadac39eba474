"""Request plumbing shared by every blueprint: permissions, errors, security headers."""

from __future__ import annotations

from flask import current_app, g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.core import security_log
from app.core.permissions import Public, permission_of
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
        return login_manager.unauthorized()
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


def error_response(code: int, message: str | None = None):
    """One place decides whether an error is a page or JSON."""
    db.session.rollback()
    _log_refusal()
    message = message or MESSAGES.get(code, "请求出错")
    if wants_json():
        return jsonify({"error": {"code": str(code), "message": message}}), code
    return render_template("errors/error.html", code=code, message=message), code


def register_errorhandlers(app) -> None:
    """Chinese error pages (or JSON) for HTTP errors and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, "页面已过期或请求无效（CSRF 校验失败），请刷新页面后重试")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_response(413, f"上传的文件过大，最大 {limit} MB")

    @app.errorhandler(HTTPException)
    def http_error(error):
        return error_response(error.code or 500)

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
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response
