"""The User table and the roles (docs/domain.md, "Roles")."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TimestampMixin
from app.units.models import Unit

ROLES = {
    "admin": "系统管理员",
    "auditor": "审计管理员",
    "bureau": "投资促进局",
    "unit": "责任单位",
    "leader": "领导",
}


class User(UserMixin, TimestampMixin, Base):
    """A person who logs in. One role per account (三员分立: admin and auditor never meet)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin','auditor','bureau','unit','leader')", name="role"),
        CheckConstraint("(role = 'unit') = (unit_id IS NOT NULL)", name="unit_iff_unit_role"),
    )
    __history_redact__ = ("password_hash", "session_token")
    __history_ignore__ = ("failed_logins", "locked_until", "last_login_at", "session_token")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    session_token: Mapped[str] = mapped_column(String(64), nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    phone: Mapped[str | None] = mapped_column(String(30))

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    def get_id(self) -> str:
        """Flask-Login's alternative token: id and the current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def history_label(self) -> str:
        return f"{self.name}（{self.username}）"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username} {self.role}>"
