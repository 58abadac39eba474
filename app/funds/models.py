"""The funds ledger: one FundsEntry per sum received, in whole 元."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, TimestampMixin, VersionedMixin
from app.core.money import yuan_to_wan
from app.core.scoping import UnitScoped
from app.projects.models import Project

ORIGINS = ("国内省外", "省内市外", "市内区外", "外资")
USES = ("固定资产投资", "流动资金")
STATUSES = {"pending": "待核实", "verified": "已核实", "rejected": "已退回"}


def _in(column: str, values) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


def evidence_key(reference: str) -> str:
    """A 凭证号 as compared for uniqueness: full-width made half-width, spaces out, upper case."""
    return "".join(unicodedata.normalize("NFKC", reference or "").split()).upper()


class FundsEntry(UnitScoped, TimestampMixin, VersionedMixin, Base):
    """A sum received by a project (到位资金). Verified entries are never edited: a correction
    is a reversing entry (negative, `reverses_id`) plus a new one (`replaces_id`)."""

    __tablename__ = "funds_entries"
    __table_args__ = (
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
        CheckConstraint(_in("use", USES), name="use"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(
            "(reverses_id IS NULL AND amount > 0) OR "
            "(reverses_id IS NOT NULL AND amount < 0 AND status = 'verified')",
            name="amount_sign",
        ),
        Index("ix_funds_entries_project_key", "project_id", "evidence_key"),
        Index("ix_funds_entries_status_date", "status", "received_on"),
        # The ledger's order (newest receipt first): its first page read from the index, where
        # sorting 200,000 entries cost 500 ms.
        Index("ix_funds_entries_received", "received_on", "id"),
    )
    __history_ignore__ = ("evidence_key", "submission_id")
    __merge_label__ = "到位资金"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # whole 元
    origin: Mapped[str] = mapped_column(String(8), nullable=False)
    use: Mapped[str] = mapped_column(String(8), nullable=False, default="固定资产投资")
    evidence_ref: Mapped[str] = mapped_column(String(100), nullable=False)
    evidence_key: Mapped[str] = mapped_column(String(100), nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)

    evidence_path: Mapped[str | None] = mapped_column(String(200))
    evidence_name: Mapped[str | None] = mapped_column(String(200))
    evidence_type: Mapped[str | None] = mapped_column(String(40))
    evidence_size: Mapped[int | None] = mapped_column(Integer)

    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    verification_note: Mapped[str | None] = mapped_column(Text)

    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("funds_entries.id"), unique=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("funds_entries.id"), index=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)

    project: Mapped[Project] = relationship(lazy="joined")
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        """A unit sees the entries of its own projects."""
        return cls.project_id.in_(select(Project.id).where(Project.unit_id == unit_id))

    @property
    def amount_wan(self) -> Decimal:
        return yuan_to_wan(self.amount)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def history_label(self) -> str:
        return f"{self.received_on} {yuan_to_wan(self.amount)} 万元 {self.evidence_ref}"

    def __repr__(self) -> str:
        return f"<FundsEntry {self.id} {self.project_id} {self.amount}>"
