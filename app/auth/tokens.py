"""Personal API tokens: the model and its services (create, revoke, authenticate).

A token is 32 random bytes, urlsafe; only its sha256 is stored (a high-entropy secret needs no
slow hash). It is shown once, when it is made. A revoked token, or any token of a disabled user,
stops working on the next request: every request looks the token and its user up afresh.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import write_guard
from app.core.db import Base, utcnow
from app.core.forms import ServiceError
from app.extensions import db

TOKEN_PREFIX = "crm_"  # noqa: S105 - a marker before the random part, not a secret
NAME_MAX = 60
# last_used_at is written at most once a minute per token: a read-only client would otherwise
# make every GET a write.
TOUCH_EVERY = timedelta(minutes=1)


class ApiToken(Base):
    """A user's personal API token (stored hashed)."""

    __tablename__ = "api_tokens"
    __history_redact__ = ("token_hash",)
    __history_ignore__ = ("last_used_at",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def history_label(self) -> str:
        return f"API 令牌“{self.name}”"


def _own_token(actor, row) -> bool:
    return getattr(row, "user_id", None) == getattr(actor, "id", object())


for _role in write_guard.GUARDED_ROLES:  # every role keeps its own tokens (not business data)
    write_guard.allow(_role, "api_tokens", _own_token)


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; return the row and the token itself (shown once, never again)."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError({"name": "请填写令牌名称（例如用途或对接的系统）"})
    if len(name) > NAME_MAX:
        raise ServiceError({"name": f"令牌名称不能超过 {NAME_MAX} 个字"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(secret))
    db.session.add(token)
    db.session.flush()  # the history (app.core.history) records who made it, hash redacted
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """A user's tokens, newest first (revoked ones included, marked)."""
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        ).scalars()
    )


def own_token(user: User, token_id: int) -> ApiToken | None:
    """One of the user's own tokens, or None (another user's token is not found)."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def revoke_token(token: ApiToken) -> None:
    """Revoke a token at once (revoking it again changes nothing)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()


def user_of_token(secret: str) -> tuple[User | None, str | None]:
    """The active user a presented token belongs to, or (None, why it is refused)."""
    if not secret:
        return None, "请在 Authorization 头中提供 API 令牌：Bearer <令牌>"
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == digest(secret))
    ).scalar_one_or_none()
    if token is None:
        return None, "API 令牌无效"
    if token.revoked_at is not None:
        return None, "API 令牌已被撤销"
    user = token.user
    if not user.active:
        return None, "该令牌所属账户已停用"
    if user.must_change_password:
        return None, "该账户须先在网页上修改密码，令牌才能使用"
    _touch(token)
    return user, None


def _touch(token: ApiToken) -> None:
    """Note when the token was last used (at most once a minute)."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
