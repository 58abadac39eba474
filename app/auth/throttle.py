"""Login throttling: failed logins counted per client address and per username (Flask-Limiter).

Both limits are checked before the password is (a refused attempt costs no Argon2 work and adds
nothing to the account's lock-out count) and both count only failed attempts, so people who type
their password right are never slowed down. The address limit is what keeps one machine from
locking many accounts out; the account limit bounds the guesses many machines make at one
account. Counts live in RATELIMIT_STORAGE_URI: Redis when several processes serve, memory for one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Callable

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import ConfigurationError
from app.core import security_log
from app.core.web import client_ip
from app.extensions import db

# One limiter per process, bound by init_app. Flask-Limiter keeps the first application's strategy
# and key prefix when a second one is bound (only tests make several applications in a process).
limiter = Limiter(key_func=client_ip)

# One security-log entry per throttled address or account per quarter hour, not one per request
# (a flood would otherwise write a thousand chained rows).
_LOG_EVERY = parse("1 per 15 minutes")

NO_SHARED_STORAGE = (
    "生产环境（CRM_ENV=production）必须为登录限流设置各进程共用的计数存储："
    "export REDIS_URL=redis://127.0.0.1:6379/0 。只运行一个进程（gunicorn -w 1）时，"
    "可设置 RATELIMIT_STORAGE_URI=memory:// 明确使用进程内计数。"
)


def init_app(app: Flask) -> None:
    """Bind the limiter; refuse production without a storage chosen; trust configured proxies."""
    storage = app.config.get("RATELIMIT_STORAGE_URI")
    if app.config.get("PRODUCTION"):
        if not storage:
            raise ConfigurationError(NO_SHARED_STORAGE)
        if storage.startswith("memory://"):
            app.logger.warning(
                "登录限流使用进程内计数（memory://）：每个进程各自计数，重启即清零。"
                "多个 gunicorn 进程时限流次数按进程数放大，请设置 REDIS_URL。"
            )
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # The address limit needs the client's address, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    limiter.init_app(app)


def address_key() -> str:
    """The client's address; IPv6 by its /64, which one machine usually holds whole."""
    raw = client_ip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return f"address:{raw}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"address:{address.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"address:{address}"


def account_key() -> str:
    """The username as submitted, known or not (hashed: the store holds no usernames)."""
    return "account:" + username_digest(request.form.get("username") or "")


def username_digest(username: str) -> str:
    """A username as the account limit counts it: trimmed, case folded, hashed."""
    return hashlib.sha256(username.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]


def note_failure() -> None:
    """This attempt failed: it counts toward both limits (after the response is made)."""
    g.login_failed = True


def _failed(response) -> bool:
    return bool(g.get("login_failed"))


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def limit_login(view: Callable) -> Callable:
    """Apply the per-address and per-account limits to the login view's POSTs."""
    for setting, key in (
        ("LOGIN_LIMIT_PER_ACCOUNT", account_key),
        ("LOGIN_LIMIT_PER_ADDRESS", address_key),
    ):
        view = limiter.limit(
            _setting(setting),
            key_func=key,
            methods=["POST"],
            deduct_when=_failed,
            scope=setting.lower(),
        )(view)
    return view


def seconds_to_wait() -> int:
    """How long until the breached limit lets the next attempt through (Retry-After)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    try:
        return max(1, math.ceil(breached.window.reset_time - time.time()))
    except Exception:  # noqa: BLE001 - the store went away: a minute is a fair answer
        return 60


def refusal_message(wait: int) -> str:
    """The Chinese message of a throttled login."""
    span = f"{wait} 秒" if wait < 60 else f"{math.ceil(wait / 60)} 分钟"
    return f"登录失败次数过多，请 {span}后再试"


def log_breach(error: RateLimitExceeded) -> None:
    """Note the throttling in the security log, once per address or account per quarter hour."""
    kind = "account" if error.limit.key_func is account_key else "address"
    key = error.limit.key_func()
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    try:
        first = limiter.limiter.hit(_LOG_EVERY, prefix, "throttle-logged", key)
    except Exception:  # noqa: BLE001 - the store went away: log this one
        first = True
    if not first:
        return
    username = (request.form.get("username") or "").strip()[:80] if kind == "account" else ""
    security_log.record(
        db.session,
        "login_throttled",
        username=username,
        ip=client_ip(),
        limit=kind,
        rule=str(error.limit.limit),
    )
    # Answered as an error, so the request's unit of work was rolled back: this entry commits
    # on its own, like the refusals logged by app.core.web.
    db.session.commit()
