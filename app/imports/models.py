"""ImportBatch: one imported file, recognised again by its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, utcnow
from app.core.scoping import UnitScoped

LIVE_SQL = "withdrawn_at IS NULL"
IMPORT_KINDS = {"projects": "招商项目", "funds": "到位资金", "keyproject": "重点项目"}


class ImportBatch(UnitScoped, Base):
    """A file imported in full; the same file (same hash) is not imported a second time
    unless its earlier batch was withdrawn (撤回): the uniqueness holds among live batches."""

    __tablename__ = "import_batches"
    __table_args__ = (
        Index(
            "uq_import_batches_live_kind_sha256",
            "kind",
            "sha256",
            unique=True,
            sqlite_where=text(LIVE_SQL),
            postgresql_where=text(LIVE_SQL),
        ),
        CheckConstraint("kind IN ('projects','funds','keyproject')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    row_count: Mapped[int] = mapped_column(Integer, nullable=False)
    verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow
    )

    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[user_id])
    withdrawn_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[withdrawn_by_id])

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        """A unit sees the files its own users imported."""
        return cls.unit_id == unit_id

    @property
    def kind_label(self) -> str:
        return IMPORT_KINDS.get(self.kind, self.kind)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def history_label(self) -> str:
        return f"导入{self.kind_label}：{self.filename}"
