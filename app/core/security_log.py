"""The security log: logins, logouts, lock-outs, refusals, exports, role changes, reveals."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.chain import HashChained, append_rows
from app.core.db import Base, utcnow

EVENTS = {
    "login": "登录成功",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "lockout": "账户锁定",
    "login_throttled": "登录限流",
    "refused": "拒绝访问",
    "export": "导出数据",
    "role_change": "角色变更",
    "password_change": "修改密码",
    "password_reset": "重置密码",
    "user_disabled": "停用账户",
    "user_enabled": "启用账户",
    "reveal_phone": "查看完整电话",
    "session_expired": "会话超时",
    "db_unavailable": "数据库不可用",
}


class SecurityEvent(HashChained, Base):
    """One security-relevant event. Append-only and chained like the history."""

    __tablename__ = "security_events"
    __history__ = False
    __chain_lock__ = 7_002
    __chain_fields__ = ("at", "user_id", "username", "ip", "event", "detail_json")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    ip: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    event: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    detail_json: Mapped[str | None] = mapped_column(Text)

    @property
    def detail(self) -> dict:
        return json.loads(self.detail_json) if self.detail_json else {}

    @property
    def event_label(self) -> str:
        return EVENTS.get(self.event, self.event)


def record(
    session: Session,
    event: str,
    *,
    user: Any | None = None,
    username: str = "",
    ip: str = "",
    **detail: Any,
) -> None:
    """Append one event in the session's transaction (the caller commits)."""
    if event not in EVENTS:
        raise ValueError(f"unknown security event {event!r}")
    user_id = getattr(user, "id", None) if user is not None else None
    name = username or (getattr(user, "username", "") if user is not None else "")
    row = {
        "at": utcnow(),
        "user_id": user_id,
        "username": name[:80],
        "ip": ip[:64],
        "event": event,
        "detail_json": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
        if detail
        else None,
    }
    append_rows(session, SecurityEvent, [row])
