"""Aftercare (安商): visits, commitments, and Problems (问题交办) with their escalations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, SoftDeleteMixin, TimestampMixin, VersionedMixin, utcnow
from app.core.scoping import UnitScoped
from app.keyprojects.models import KeyProject, of_unit_key_projects
from app.projects.models import Project
from app.units.models import Unit

PROBLEM_CATEGORIES = ("用地", "资金", "审批", "用工", "水电气", "拆迁", "其他")
# Status keys in the order a problem moves through them, with their Chinese names.
STATUSES = {"open": "待办", "in_progress": "办理中", "resolved": "已办结"}
# Escalation levels 0..2, in the only order a problem may climb them.
LEVELS = ("责任单位", "包保领导", "主要领导")
TOP_LEVEL = len(LEVELS) - 1


def _in(column: str, values) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


def _of_unit_projects(project_id, unit_id: int) -> ColumnElement[bool]:
    return project_id.in_(select(Project.id).where(Project.unit_id == unit_id))


class CareVisit(UnitScoped, SoftDeleteMixin, TimestampMixin, Base):
    """A visit to a signed project's investor (走访): when, who went, what was learnt."""

    __tablename__ = "care_visits"
    __merge_label__ = "走访记录"

    __history_ignore__ = ("submission_id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    visited_on: Mapped[date] = mapped_column(Date, nullable=False)
    visitors: Mapped[str] = mapped_column(String(200), nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    project: Mapped[Project] = relationship(lazy="joined")

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        return _of_unit_projects(cls.project_id, unit_id)

    def history_label(self) -> str:
        return f"走访 {self.visited_on} {self.visitors}"


class Commitment(UnitScoped, SoftDeleteMixin, TimestampMixin, VersionedMixin, Base):
    """A promise the contract made to the investor (承诺事项), who delivers it and by when."""

    __tablename__ = "care_commitments"
    __merge_label__ = "承诺事项"
    __table_args__ = (Index("ix_care_commitments_open_due", "fulfilled_on", "due_on"),)

    __history_ignore__ = ("submission_id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    promise: Mapped[str] = mapped_column(Text, nullable=False)
    delivering_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    fulfilled_on: Mapped[date | None] = mapped_column(Date)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    project: Mapped[Project] = relationship(lazy="joined")
    delivering_unit: Mapped[Unit] = relationship(lazy="joined")

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        return _of_unit_projects(cls.project_id, unit_id)

    def is_overdue(self, on: date) -> bool:
        """Due date passed and not fulfilled (docs/domain.md, "Overdue")."""
        return self.fulfilled_on is None and self.due_on < on

    def history_label(self) -> str:
        return f"承诺：{self.promise[:60]}"


class Problem(UnitScoped, SoftDeleteMixin, TimestampMixin, VersionedMixin, Base):
    """A matter handed to a unit and chased (问题交办): an investor's request in aftercare
    (its subject a 招商 project) or an obstacle found when scheduling a key project (推进问题,
    its subject a key project): exactly one of the two."""

    __tablename__ = "problems"
    __merge_label__ = "问题交办"
    __table_args__ = (
        CheckConstraint(
            "(project_id IS NULL) <> (key_project_id IS NULL)", name="one_subject"
        ),
        CheckConstraint(_in("category", PROBLEM_CATEGORIES), name="category"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(f"level >= 0 AND level <= {TOP_LEVEL}", name="level"),
        CheckConstraint("deadline IS NULL OR deadline >= raised_on", name="deadline_after_raised"),
        CheckConstraint(
            "(status = 'resolved') = (resolved_on IS NOT NULL)", name="resolved_iff_date"
        ),
        CheckConstraint(
            "deadline IS NULL OR handling_unit_id IS NOT NULL", name="deadline_needs_unit"
        ),
        Index("ix_problems_open_deadline", "status", "deadline"),
    )

    __history_ignore__ = ("submission_id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    key_project_id: Mapped[int | None] = mapped_column(ForeignKey("key_projects.id"), index=True)
    category: Mapped[str] = mapped_column(String(4), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    raised_on: Mapped[date] = mapped_column(Date, nullable=False)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    deadline: Mapped[date | None] = mapped_column(Date)
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="open")
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # The unit a problem is handed to learns which project it is about (name and unit), not
    # the project itself: this load is district-wide (core.scoping), the project page is not.
    project: Mapped[Project | None] = relationship(
        lazy="select", info={"district_wide": "a handling unit sees its problem's project"}
    )
    key_project: Mapped[KeyProject | None] = relationship(
        lazy="select", info={"district_wide": "a handling unit sees its problem's key project"}
    )
    handling_unit: Mapped[Unit | None] = relationship(lazy="joined")
    raised_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[raised_by_id])
    escalations: Mapped[list[ProblemEscalation]] = relationship(
        back_populates="problem", order_by="ProblemEscalation.id"
    )

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        """A unit sees the problems of its own projects and key projects, and the ones handed
        to it."""
        return or_(
            cls.handling_unit_id == unit_id,
            _of_unit_projects(cls.project_id, unit_id),
            of_unit_key_projects(cls.key_project_id, unit_id),
        )

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]

    @property
    def is_resolved(self) -> bool:
        return self.status == "resolved"

    @property
    def subject_label(self) -> str:
        if self.key_project is not None:
            return self.key_project.name
        return self.project.name if self.project else ""

    def is_overdue(self, on: date) -> bool:
        """Not 已办结 and the deadline has passed (docs/domain.md, "Overdue")."""
        return not self.is_resolved and self.deadline is not None and self.deadline < on

    def resolved_in_time(self) -> bool | None:
        """True/False once resolved with a deadline; None otherwise."""
        if not self.is_resolved or self.deadline is None:
            return None
        return self.resolved_on <= self.deadline

    def history_label(self) -> str:
        return f"{self.category}：{self.description[:60]}"


class ProblemEscalation(Base):
    """One step up the escalation ladder, by the bureau, with its reason. Never edited."""

    __tablename__ = "problem_escalations"
    __table_args__ = (
        CheckConstraint(f"to_level = from_level + 1 AND to_level <= {TOP_LEVEL}", name="one_step"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"), nullable=False, index=True)
    from_level: Mapped[int] = mapped_column(Integer, nullable=False)
    to_level: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    escalated_on: Mapped[date] = mapped_column(Date, nullable=False)
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow
    )

    problem: Mapped[Problem] = relationship(back_populates="escalations")
    escalated_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def to_label(self) -> str:
        return LEVELS[self.to_level]

    def history_label(self) -> str:
        return f"上报至{LEVELS[self.to_level]}"
