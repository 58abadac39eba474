"""The Unit table."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ColumnElement, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TimestampMixin, VersionedMixin
from app.core.scoping import UnitScoped

UNIT_KINDS = ("乡镇街道", "区直部门", "园区", "其他")


class Unit(UnitScoped, TimestampMixin, VersionedMixin, Base):
    """A responsible unit (责任单位). Deactivated, never deleted."""

    __tablename__ = "units"
    __auto_scoped__ = False  # the district's register: every unit may read the units' names
    __table_args__ = (
        CheckConstraint("kind IN ('乡镇街道','区直部门','园区','其他')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        """A unit's users see their own unit only."""
        return cls.id == unit_id

    def history_label(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name}>"
