"""Idempotency keys: a POST sent again with the same `Idempotency-Key` creates nothing new.

The key is stored (per user) with a hash of the request and, once the request succeeded, its
response; a retry with the same key and the same request gets that response again, a different
request under the same key is refused (422). The key row is written before the view runs, in the
request's own transaction: a failed request leaves no key (a retry runs afresh), and two requests
racing with one key meet at the unique constraint (the second gets 409).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import wraps

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.api.errors import ApiError
from app.core import write_guard
from app.core.db import Base, utcnow
from app.extensions import db

HEADER = "Idempotency-Key"
KEY_MAX = 200


class IdempotencyKey(Base):
    """One idempotency key a user sent, with the request's hash and the response given."""

    __tablename__ = "api_idempotency_keys"
    __history__ = False
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    key: Mapped[str] = mapped_column(String(KEY_MAX), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


for _role in write_guard.GUARDED_ROLES:  # a caller's own keys are bookkeeping, not business data
    write_guard.allow(
        _role, "api_idempotency_keys", lambda actor, row: row.user_id == getattr(actor, "id", None)
    )


def _request_hash() -> str:
    """What makes two requests the same: method, path, query string and body."""
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode("utf-8", "replace") + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _read_key() -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > KEY_MAX or not key.isprintable():
        raise ApiError(
            400, "bad_idempotency_key", f"{HEADER} 须为 1—{KEY_MAX} 个可见字符", {HEADER: "无效"}
        )
    return key


def _replay(row: IdempotencyKey, request_hash: str):
    if row.request_hash != request_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"该 {HEADER} 已用于另一个请求，请为新的请求使用新的键",
            {HEADER: "已用于内容不同的请求"},
        )
    if row.status is None:  # the first request is still running (or failed and was rolled back)
        raise ApiError(409, "idempotency_key_in_use", f"使用该 {HEADER} 的请求正在处理，请稍后重试")
    response = current_app.response_class(row.body, status=row.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    """Make a POST view honour `Idempotency-Key` (the key is optional)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = _read_key()
        if key is None:
            return view(*args, **kwargs)
        request_hash = _request_hash()
        user_id = current_user.id
        row = db.session.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        ).scalar_one_or_none()
        if row is not None:
            return _replay(row, request_hash)
        row = IdempotencyKey(user_id=user_id, key=key, request_hash=request_hash)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            raise ApiError(
                409, "idempotency_key_in_use", f"使用该 {HEADER} 的请求正在处理，请稍后重试"
            ) from None
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 400:
            row.status = response.status_code
            row.body = response.get_data(as_text=True)
        return response

    return wrapper


def stored_body(row: IdempotencyKey) -> dict:
    """The stored response body as JSON (for tests and support)."""
    return json.loads(row.body or "{}")
