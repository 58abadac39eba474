"""The Leader table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TimestampMixin, VersionedMixin
from app.units.models import Unit

HEAD_KINDS = {"party": "党委（党组）主要负责人", "government": "政府（行政）主要负责人"}
HEAD_SHORT = {"party": "党委主要负责人", "government": "政府主要负责人"}


class Leader(TimestampMixin, VersionedMixin, Base):
    """A leader: of the district as a whole (unit_id empty) or of one 乡镇街道 / 园区."""

    __tablename__ = "leaders"
    __table_args__ = (
        CheckConstraint("head_kind IS NULL OR head_kind IN ('party','government')", name="head"),
    )

    __history_ignore__ = ("submission_id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False, index=True)
    post: Mapped[str] = mapped_column(String(50), nullable=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    head_kind: Mapped[str | None] = mapped_column(String(12))
    is_baobao: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    # 任职日期: months before it are not judged for trip compliance (empty: judged all year).
    took_office_on: Mapped[date | None] = mapped_column(Date)

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @property
    def jurisdiction(self) -> str:
        return self.unit.name if self.unit else "全区"

    @property
    def is_head(self) -> bool:
        """A party or government head (主要领导): required to go out every month."""
        return self.head_kind in HEAD_KINDS

    @property
    def head_label(self) -> str:
        return HEAD_SHORT.get(self.head_kind or "", "")

    @property
    def title(self) -> str:
        """Jurisdiction and post, without saying the place twice (北山镇党委书记, 全区 区长)."""
        if self.unit and self.post.startswith(self.unit.name):
            return self.post
        return f"{self.jurisdiction} {self.post}"

    @property
    def label(self) -> str:
        return f"{self.name}（{self.post}）"

    def history_label(self) -> str:
        return self.label
