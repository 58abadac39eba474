"""Key projects (重点项目): the district's yearly list, its 包保 team, monthly scheduling
(月调度) and procedures (前置要件). Amounts are whole 元 like every amount; forms show 万元."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, SoftDeleteMixin, TimestampMixin, VersionedMixin, utcnow
from app.core.scoping import UnitScoped
from app.leaders.models import Leader
from app.projects.models import BIG_PROJECT_YUAN, Project
from app.units.models import Unit

# 续建 carried over from last year; 新建 new this year; 拟开工 to start this year; 前期 preparing.
CATEGORIES = ("续建", "新建", "拟开工", "前期")
# Categories that must hold every required procedure before they may be marked started.
GUARDED_CATEGORIES = ("新建", "拟开工")
LEVELS = ("省重点", "市重点", "区重点")
FUNDING_CHANNELS = ("中央预算内", "专项债", "超长期特别国债", "PPP", "社会投资", "其他")
# The procedures (前置要件) in the order a project obtains them.
PROCEDURE_KINDS = (
    "立项(审批/核准/备案)",
    "用地预审",
    "用地批复",
    "建设用地规划许可",
    "建设工程规划许可",
    "环评",
    "能评",
    "稳评",
    "施工图审查",
    "招投标",
    "施工许可",
)
# Procedure status keys in order, with their Chinese names; "na" (不需要) is not required.
PROCEDURE_STATUSES = {"todo": "未办", "doing": "办理中", "done": "已办结", "na": "不需要"}
BIG_KEY_PROJECT_YUAN = BIG_PROJECT_YUAN  # 亿元以上: total investment >= 10,000 万元


def _in(column: str, values) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


def of_unit_key_projects(key_project_id, unit_id: int) -> ColumnElement[bool]:
    """Rows whose key project is the unit's own (its 责任单位)."""
    return key_project_id.in_(select(KeyProject.id).where(KeyProject.unit_id == unit_id))


class KeyProject(UnitScoped, SoftDeleteMixin, TimestampMixin, VersionedMixin, Base):
    """One key construction project of one year's list, with its 包保 team (六个一)."""

    __tablename__ = "key_projects"
    __merge_label__ = "重点项目"
    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("level", LEVELS), name="level"),
        CheckConstraint(_in("funding_channel", FUNDING_CHANNELS), name="funding_channel"),
        CheckConstraint("total_investment >= 0", name="total_nonnegative"),
        CheckConstraint("annual_plan >= 0", name="plan_nonnegative"),
        CheckConstraint("annual_plan <= total_investment", name="plan_within_total"),
        CheckConstraint(
            "completed_on IS NULL OR started_on IS NULL OR completed_on >= started_on",
            name="completed_after_started",
        ),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        Index("ix_key_projects_year_unit", "year", "unit_id"),
        Index("ix_key_projects_year_programme", "year", "programme"),
    )

    __history_ignore__ = ("submission_id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    programme: Mapped[str] = mapped_column(String(50), nullable=False)  # 工程
    category: Mapped[str] = mapped_column(String(4), nullable=False)
    level: Mapped[str] = mapped_column(String(4), nullable=False, default="区重点")
    total_investment: Mapped[int] = mapped_column(BigInteger, nullable=False)  # 元
    annual_plan: Mapped[int] = mapped_column(BigInteger, nullable=False)  # 元, this year's plan
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("leaders.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    liaison_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    funding_channel: Mapped[str] = mapped_column(String(10), nullable=False, default="社会投资")
    planned_start_on: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    in_statistics: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 已入统
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("key_projects.id"))
    # The import that wrote it, so the batch can be withdrawn (app/imports/withdrawal.py).
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)
    goal: Mapped[str | None] = mapped_column(Text)  # the year's 形象进度目标
    notes: Mapped[str | None] = mapped_column(Text)
    # 实施方案: one attached file, kept like funds evidence (app/funds/evidence.py).
    plan_path: Mapped[str | None] = mapped_column(String(200))
    plan_name: Mapped[str | None] = mapped_column(String(200))
    plan_type: Mapped[str | None] = mapped_column(String(40))
    plan_size: Mapped[int | None] = mapped_column(Integer)

    unit: Mapped[Unit] = relationship(lazy="joined", foreign_keys=[unit_id])
    liaison_unit: Mapped[Unit | None] = relationship(lazy="joined", foreign_keys=[liaison_unit_id])
    leader: Mapped[Leader | None] = relationship(lazy="joined")
    # The 招商 project it grew from: its unit may differ, so the load is district-wide.
    project: Mapped[Project | None] = relationship(
        lazy="select", info={"district_wide": "a key project names the 招商 project it grew from"}
    )
    team: Mapped[list[KeyTeamMember]] = relationship(
        back_populates="key_project", order_by="KeyTeamMember.id", cascade="all, delete-orphan"
    )
    procedures: Mapped[list[KeyProcedure]] = relationship(
        back_populates="key_project", order_by="KeyProcedure.position"
    )
    reports: Mapped[list[KeyMonthlyReport]] = relationship(
        back_populates="key_project", order_by="KeyMonthlyReport.month"
    )

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        return cls.unit_id == unit_id

    @property
    def is_big(self) -> bool:
        return self.total_investment >= BIG_KEY_PROJECT_YUAN

    @property
    def is_started(self) -> bool:
        return self.started_on is not None

    @property
    def is_finished(self) -> bool:
        return self.completed_on is not None

    def history_label(self) -> str:
        return f"{self.year}年 {self.name}"


class KeyTeamMember(Base):
    """One member of a key project's 工作班子: a name and a post. Edited with the project."""

    __tablename__ = "key_team_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    post: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    key_project: Mapped[KeyProject] = relationship(back_populates="team")

    def history_label(self) -> str:
        return f"工作班子 {self.name}"


class KeyProcedure(UnitScoped, TimestampMixin, VersionedMixin, Base):
    """One procedure (前置要件) of one key project, with its status and dates."""

    __tablename__ = "key_procedures"
    __table_args__ = (
        UniqueConstraint("key_project_id", "kind", name="uq_key_procedures_kind"),
        CheckConstraint(_in("kind", PROCEDURE_KINDS), name="kind"),
        CheckConstraint(_in("status", PROCEDURE_STATUSES), name="status"),
        CheckConstraint("(status = 'done') = (done_on IS NOT NULL)", name="done_iff_date"),
        CheckConstraint(
            "done_on IS NULL OR applied_on IS NULL OR done_on >= applied_on",
            name="done_after_applied",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # index in PROCEDURE_KINDS
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="todo")
    applied_on: Mapped[date | None] = mapped_column(Date)  # 申报/开始办理
    done_on: Mapped[date | None] = mapped_column(Date)  # 办结
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # 帮办部门
    notes: Mapped[str | None] = mapped_column(Text)

    key_project: Mapped[KeyProject] = relationship(back_populates="procedures")
    handling_unit: Mapped[Unit | None] = relationship(lazy="joined")

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        return of_unit_key_projects(cls.key_project_id, unit_id)

    @property
    def status_label(self) -> str:
        return PROCEDURE_STATUSES[self.status]

    @property
    def is_missing(self) -> bool:
        """Required and not yet 已办结."""
        return self.status in ("todo", "doing")

    def history_label(self) -> str:
        return f"{self.kind}：{self.status_label}"


class KeyMonthlyReport(UnitScoped, TimestampMixin, VersionedMixin, Base):
    """The responsible unit's 月调度 entry: investment completed in one month, and 形象进度."""

    __tablename__ = "key_monthly_reports"
    __table_args__ = (
        UniqueConstraint("key_project_id", "year", "month", name="uq_key_reports_month"),
        CheckConstraint("month >= 1 AND month <= 12", name="month_range"),
        CheckConstraint("invested >= 0", name="invested_nonnegative"),
        Index("ix_key_reports_year_month", "year", "month"),
    )

    __history_ignore__ = ("submission_id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    key_project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id"), nullable=False, index=True
    )
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    month: Mapped[int] = mapped_column(Integer, nullable=False)
    invested: Mapped[int] = mapped_column(BigInteger, nullable=False)  # 元 completed that month
    progress: Mapped[str] = mapped_column(Text, nullable=False)  # 形象进度 in words
    reported_on: Mapped[date] = mapped_column(Date, nullable=False)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    key_project: Mapped[KeyProject] = relationship(back_populates="reports")
    reported_by: Mapped[User | None] = relationship(lazy="joined")

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        return of_unit_key_projects(cls.key_project_id, unit_id)

    def history_label(self) -> str:
        return f"{self.year}年{self.month}月调度"


class KeyScheduleLock(Base):
    """A month of scheduling the bureau has locked: no report of it is entered or changed."""

    __tablename__ = "key_schedule_locks"
    __table_args__ = (
        UniqueConstraint("year", "month", name="uq_key_schedule_locks_month"),
        CheckConstraint("month >= 1 AND month <= 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    month: Mapped[int] = mapped_column(Integer, nullable=False)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    locked_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    def history_label(self) -> str:
        return f"锁定{self.year}年{self.month}月调度"
