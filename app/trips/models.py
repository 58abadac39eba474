"""Trip (外出招商), the leaders on it, and the existing projects it advanced."""

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
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, SoftDeleteMixin, TimestampMixin, VersionedMixin
from app.core.scoping import UnitScoped
from app.leaders.models import Leader
from app.projects.models import Project

STATUSES = {"done": "已完成", "planned": "计划中"}
RELATIONS = {"produced": "促成", "advanced": "推进"}
PROVINCES = (
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
    "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
    "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省",
    "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区", "台湾省", "境外",
)  # fmt: skip


class Trip(UnitScoped, SoftDeleteMixin, TimestampMixin, VersionedMixin, Base):
    """One outbound trip by one or more leaders. Projects it produced point to it through
    `Project.trip_id`; existing projects it advanced are linked through TripProject."""

    __tablename__ = "trips"
    __table_args__ = (
        CheckConstraint("status IN ('done','planned')", name="status"),
        CheckConstraint("ended_on >= started_on", name="dates"),
    )

    __history_ignore__ = ("submission_id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="done")
    started_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    ended_on: Mapped[date] = mapped_column(Date, nullable=False)
    province: Mapped[str] = mapped_column(String(20), nullable=False)
    city: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    enterprises: Mapped[str | None] = mapped_column(Text)
    report: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    leader_links: Mapped[list[TripLeader]] = relationship(
        back_populates="trip",
        cascade="all, delete-orphan",
        order_by="TripLeader.id",
        lazy="selectin",
    )

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        """A unit sees the trips of its own leaders and those that produced or advanced one
        of its projects."""
        own_leaders = (
            select(TripLeader.trip_id)
            .join(Leader, Leader.id == TripLeader.leader_id)
            .where(Leader.unit_id == unit_id)
        )
        produced = select(Project.trip_id).where(
            Project.unit_id == unit_id, Project.trip_id.is_not(None), Project.deleted_at.is_(None)
        )
        advanced = (
            select(TripProject.trip_id)
            .join(Project, Project.id == TripProject.project_id)
            .where(Project.unit_id == unit_id, Project.deleted_at.is_(None))
        )
        return or_(cls.id.in_(own_leaders), cls.id.in_(produced), cls.id.in_(advanced))

    @property
    def leaders(self) -> list[Leader]:
        return [link.leader for link in self.leader_links]

    @property
    def leader_names(self) -> str:
        return "、".join(leader.name for leader in self.leaders)

    @property
    def destination(self) -> str:
        if self.city and self.city.startswith(self.province.rstrip("市省")):
            return self.city  # 上海市 上海市 reads as 上海市
        return " ".join(p for p in (self.province, self.city) if p)

    @property
    def days(self) -> int:
        return (self.ended_on - self.started_on).days + 1

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    def history_label(self) -> str:
        return f"{self.started_on} 赴{self.city or self.province}"

    def __repr__(self) -> str:
        return f"<Trip {self.id} {self.started_on} {self.city}>"


class TripLeader(Base):
    """A leader on a trip (a row, so the history records who was added or removed)."""

    __tablename__ = "trip_leaders"
    __table_args__ = (UniqueConstraint("trip_id", "leader_id", name="uq_trip_leaders_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trips.id"), nullable=False, index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("leaders.id"), nullable=False, index=True)

    trip: Mapped[Trip] = relationship(back_populates="leader_links")
    leader: Mapped[Leader] = relationship(lazy="joined")

    def history_label(self) -> str:
        return f"外出 {self.trip_id} 的领导 {self.leader_id}"


class TripProject(Base):
    """An existing project a trip advanced (推进), with a note of how."""

    __tablename__ = "trip_projects"
    __table_args__ = (UniqueConstraint("trip_id", "project_id", name="uq_trip_projects_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trips.id"), nullable=False, index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    project: Mapped[Project] = relationship(lazy="joined")

    def history_label(self) -> str:
        return f"外出 {self.trip_id} 推进项目 {self.project_id}"
