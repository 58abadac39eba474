"""The PromotionEvent table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TimestampMixin, VersionedMixin
from app.units.models import Unit

EVENT_KINDS = ("推介会", "展会", "座谈会", "考察", "集中签约", "集中开工")


class PromotionEvent(TimestampMixin, VersionedMixin, Base):
    """A promotion event: 2024 深圳招商推介会, an expo, a 集中签约 ceremony."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('推介会','展会','座谈会','考察','集中签约','集中开工')", name="kind"
        ),
    )

    __history_ignore__ = ("submission_id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    city: Mapped[str] = mapped_column(String(30), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    host_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    notes: Mapped[str | None] = mapped_column(Text)

    host_unit: Mapped[Unit | None] = relationship(lazy="joined")

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        """Events are the district's register: every unit sees every event (and only the
        counts of its own projects on them)."""
        return true()

    def history_label(self) -> str:
        return self.name
