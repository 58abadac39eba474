"""Work kept across a lost session: a form posted after the session or its token expired.

The typed values travel in a signed, size-limited blob inside the sign-in-again page (no
server store, no cookie limit); after signing in, a page re-posts them to the original form
with a fresh token on one click. Password fields are never kept. Values are kept only for a
post that came from our own pages (Origin or Referer of this host): a cross-site post must not
plant values that a user would then be invited to submit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app, g, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core.forms import BaseForm, safe_next

SALT = "kept-form"
MAX_FIELDS = 300
MAX_BYTES = 64 * 1024  # of the typed values, as JSON
DEFAULT_MINUTES = 60  # how long a kept form may wait for the sign-in (KEPT_FORM_MINUTES)
SIGN_IN_MESSAGE = "登录已过期，请重新登录后提交"
CONFIRM_MESSAGE = "您上次填写的内容已保留，请确认后提交"

# Never kept: the token itself and anything that is or confirms a password.
_SECRET_FIELD = re.compile(r"(^|_)(password|passwd|pwd|confirm)$|^csrf_token$", re.IGNORECASE)

_NOT_SHOWN = {"submission_id", "version", "csrf_token"}  # re-posted, but nothing a user typed
UNLABELLED = "其他填写内容"


@dataclass(frozen=True)
class KeptForm:
    """A form's typed values and where they were posted."""

    url: str
    fields: list[tuple[str, str]]
    user_id: int | None
    files_dropped: bool
    labels: dict[str, str] = field(default_factory=dict)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def from_our_pages() -> bool:
    """True when the browser says the post came from a page of this site."""
    origin = request.headers.get("Origin")
    source = origin if origin and origin != "null" else request.referrer
    if not source:
        return False
    parts = urlsplit(source)
    return parts.scheme in ("http", "https") and parts.netloc == request.host


def worth_keeping() -> bool:
    """A browser's form post from our pages (not JSON, not htmx, not the login form itself)."""
    return (
        request.method == "POST"
        and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
        and not request.headers.get("HX-Request")
        and not request.path.startswith("/api/")
        and from_our_pages()
    )


def _typed_fields() -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if not _SECRET_FIELD.search(name)
    ]


def _form_classes() -> list[type[BaseForm]]:
    found, todo = [], list(BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _labels_of(cls: type[BaseForm]) -> dict[str, str]:
    """A form class's field names and label texts, without binding it to a request."""
    labels = {}
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if hasattr(unbound, "field_class"):
            text = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else "")
            labels[name] = str(text or "")
    return labels


def posted_labels(names: list[str]) -> dict[str, str]:
    """The Chinese labels of the posted fields: those of the form of the posted page's
    package (app.events for events.create) that names most of them."""
    view = current_app.view_functions.get(request.endpoint or "")
    package = (getattr(view, "__module__", "") or "").rsplit(".", 1)[0]
    best: dict[str, str] = {}
    for cls in _form_classes():
        if not cls.__module__.startswith(package + "."):
            continue
        labels = _labels_of(cls)
        if len(set(names) & set(labels)) > len(set(names) & set(best)):
            best = labels
    return {name: best[name] for name in names if best.get(name)}


def _posted_url() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def keep(user_id: int | None) -> str | None:
    """The posted form as a signed blob, or None when it is too large to keep."""
    fields = _typed_fields()
    payload = {
        "url": _posted_url(),
        "fields": fields,
        "user": user_id,
        "files": any(f.filename for f in request.files.values()),
        "labels": posted_labels([name for name, _ in fields]),
    }
    if len(fields) > MAX_FIELDS or len(json.dumps(fields).encode()) > MAX_BYTES:
        return None
    return _serializer().dumps(payload)


def load(blob: str | None) -> KeptForm | None:
    """The kept form in a blob, or None if it is missing, forged, malformed or too old."""
    if not blob or len(blob) > 4 * MAX_BYTES:
        return None
    minutes = current_app.config.get("KEPT_FORM_MINUTES", DEFAULT_MINUTES)
    try:
        payload = _serializer().loads(blob, max_age=minutes * 60)
        url = safe_next(payload["url"])
        fields = [(str(name), str(value)) for name, value in payload["fields"]]
        user_id = payload["user"]
        labels = {str(k): str(v) for k, v in (payload.get("labels") or {}).items()}
    except (AttributeError, BadSignature, KeyError, TypeError, ValueError):
        return None
    if url is None or not (user_id is None or isinstance(user_id, int)):
        return None
    return KeptForm(url, fields, user_id, bool(payload.get("files")), labels)


def belongs_to(kept: KeptForm, user) -> bool:
    """A form kept from one user's session is never shown to another who signs in."""
    return kept.user_id is None or kept.user_id == user.id


def _fresh_token() -> None:
    """Forget a token cached earlier in this request: the session it belonged to was cleared."""
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def sign_in_page(blob: str | None, error: str | None = None, username: str = "", status=200):
    """The page that asks to sign in again, carrying the kept form (if it could be kept).

    Answered 200, not 401: a page for people (401 calls for a WWW-Authenticate challenge).
    """
    _fresh_token()
    page = render_template(
        "kept/sign_in_again.html",
        message=SIGN_IN_MESSAGE,
        kept=blob,
        too_large=blob is None,
        error=error,
        username=username,
    )
    return page, status


def confirm_page(kept: KeptForm):
    """The kept values as hidden fields of a form that posts them to the original page."""
    _fresh_token()
    shown = [
        (name, kept.labels.get(name, UNLABELLED), value)
        for name, value in kept.fields
        if value.strip() and name not in _NOT_SHOWN
    ]
    page = render_template("kept/confirm.html", message=CONFIRM_MESSAGE, kept=kept, shown=shown)
    return page, 200


def answer_expired_post(signed_in=None, owner_id: int | None = None):
    """The answer to a form post whose session or token ended, or None to answer as before.

    `signed_in` is the user still signed in (a stale token in a live session), else None;
    `owner_id` the user whose session just ended, when known.
    """
    if not worth_keeping() or request.endpoint == "auth.logout":
        return None
    if request.endpoint == "auth.login":  # the sign-in-again form itself went stale
        blob = request.form.get("kept")
        kept = load(blob)
        if kept is None:
            return None
        if signed_in is not None and belongs_to(kept, signed_in):
            return confirm_page(kept)
        return sign_in_page(blob, username=request.form.get("username", ""))
    if signed_in is not None:
        kept = load(keep(signed_in.id))
        return confirm_page(kept) if kept is not None else None
    return sign_in_page(keep(owner_id))
