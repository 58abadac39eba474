"""Who calls the API: the user of the `Authorization: Bearer` token, never a session cookie.

Under /api/v1 the session cookie is neither read nor written (`ApiSessionInterface`): a browser
signed in to the screens cannot be made to call the API (so the API needs no CSRF token), and an
API client gets no cookie. Flask-Login then finds no user in the session and asks the request
loader, which turns the token into its user; from there the application's own hooks treat the
request like any other: the actor of scoping and history is that user, the permission of the
view is checked, a missing or refused token is answered 401.
"""

from __future__ import annotations

import hashlib
import time

from flask import g, request
from flask.sessions import SecureCookieSessionInterface

from app.api.errors import is_api_request
from app.auth import tokens
from app.core.scoping import district_wide
from app.core.web import client_ip


def bearer_token() -> str:
    """The token of the Authorization header ("" when there is none)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def load_user_from_token(req):
    """Flask-Login's request loader: the token's user for API requests, nobody elsewhere."""
    if not is_api_request():
        return None
    with district_wide("finding the user of an API token"):
        user, refusal = tokens.user_of_token(bearer_token())
    if user is None:
        g.api_token_refusal = refusal
    return user


def rate_limit_key() -> str:
    """The rate limit counts per token (hashed); a request without one counts per address."""
    token = bearer_token()
    if token:
        return "api-token:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-address:" + client_ip()


class ApiSessionInterface(SecureCookieSessionInterface):
    """The cookie session for the screens; under /api/v1 a fresh session that is never saved.

    It holds `last_seen` = now so the screens' idle timeout (app.auth.views) sees no idle
    session to end: a token has no idle time.
    """

    def open_session(self, app, request):
        if _api_path(request.path):
            return self.session_class({"last_seen": int(time.time())})
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if _api_path(request.path):
            return None
        return super().save_session(app, session, response)


def _api_path(path: str) -> bool:
    return path == "/api/v1" or path.startswith("/api/v1/")
