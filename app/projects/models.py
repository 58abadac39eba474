"""Project, its contacts and its follow-ups."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    exists,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, SoftDeleteMixin, TimestampMixin, VersionedMixin, utcnow
from app.core.money import yuan_to_wan
from app.core.scoping import UnitScoped
from app.events.models import PromotionEvent
from app.leaders.models import Leader
from app.projects.stages import STAGE_SINCE_SQL, STAGE_SQL, Stage, stage_of
from app.units.models import Unit

INDUSTRIES = ("工业", "三产", "农业")
SOURCES = (
    "招商推介会",
    "展会",
    "领导外出招商",
    "驻外联络处",
    "以商招商",
    "中介推荐",
    "企业来访",
    "其他",
)
FOLLOW_UP_KINDS = ("电话", "拜访", "来访", "洽谈", "其他")
BIG_PROJECT_YUAN = 10_000 * 10_000  # 亿元以上: planned investment >= 10,000 万元
LIVE_SQL = "deleted_at IS NULL AND dropped_on IS NULL"  # neither merged away nor dropped
# Follow-ups whose next step is open, as each database's queries spell a boolean test (SQLite
# uses a partial index only when the query repeats its WHERE term for term).
LATEST_DUE_SQL = {
    "sqlite": "is_latest = 1 AND next_due_on IS NOT NULL",
    "postgresql": "is_latest AND next_due_on IS NOT NULL",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


class Project(UnitScoped, SoftDeleteMixin, TimestampMixin, VersionedMixin, Base):
    """A 招商 project (a 线索 while it is only a lead). Its stage is computed from its dates."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint(_in("industry", INDUSTRIES), name="industry"),
        CheckConstraint(_in("source", SOURCES), name="source"),
        CheckConstraint("planned_investment >= 0", name="planned_nonnegative"),
        CheckConstraint(
            "contract_investment IS NULL OR contract_investment >= 0", name="contract_nonnegative"
        ),
        # Live projects by stage, for everyone and per unit: the board's columns and cards,
        # lists filtered by stage (replace ix_projects_active_stage, which misled SQLite).
        # The district's also carries industry and source, so that its list filtered by stage
        # and one of them counts and sorts from the index alone: 20,000 signed projects at
        # 100,000 are not each read from the table to find the 12,000 工业 ones (SQLite:
        # count 27 -> 1.6 ms, first page by planned investment 28 -> 2.8 ms).
        Index(
            "ix_projects_live_board",
            "stage_order",
            "stage_since",
            "id",
            "planned_investment",
            "industry",
            "source",
            sqlite_where=text(LIVE_SQL),
            postgresql_where=text(LIVE_SQL),
        ),
        Index(
            "ix_projects_live_unit_board",
            "unit_id",
            "stage_order",
            "stage_since",
            "id",
            "planned_investment",
            sqlite_where=text(LIVE_SQL),
            postgresql_where=text(LIVE_SQL),
        ),
    )
    __history_ignore__ = ("search_text", "investor_key", "submission_id", "duplicate_key")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    investor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    investor_key: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    # The duplicate group it falls in (docs/domain.md, "Duplicates"): the smallest investor key
    # among the live projects of its USCC, else its own; None once deleted. Derived, kept by
    # app/projects/duplicates.py on every flush.
    duplicate_key: Mapped[str | None] = mapped_column(String(200), index=True)
    origin_province: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    origin_city: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    foreign_funded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    industry: Mapped[str] = mapped_column(String(4), nullable=False)
    chain_tag: Mapped[str | None] = mapped_column(String(50))
    planned_investment: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    contract_investment: Mapped[int | None] = mapped_column(BigInteger)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("leaders.id"), index=True)
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)

    lead_on: Mapped[date] = mapped_column(Date, nullable=False)
    negotiating_on: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date, index=True)
    registered_on: Mapped[date | None] = mapped_column(Date)
    funded_on: Mapped[date | None] = mapped_column(Date)  # set only from the verified ledger
    started_on: Mapped[date | None] = mapped_column(Date)
    operating_on: Mapped[date | None] = mapped_column(Date)
    stage_order: Mapped[int] = mapped_column(
        Integer, Computed(STAGE_SQL, persisted=True), index=True
    )
    stage_since: Mapped[date] = mapped_column(Date, Computed(STAGE_SINCE_SQL, persisted=True))

    dropped_on: Mapped[date | None] = mapped_column(Date)
    drop_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The import that wrote it, so the batch can be withdrawn (app/imports/withdrawal.py).
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)

    unit: Mapped[Unit] = relationship(lazy="joined")
    leader: Mapped[Leader | None] = relationship(lazy="joined")
    event: Mapped[PromotionEvent | None] = relationship(lazy="joined")
    contacts: Mapped[list[ProjectContact]] = relationship(
        back_populates="project",
        order_by="ProjectContact.id",
        primaryjoin="and_(ProjectContact.project_id == Project.id, "
        "ProjectContact.deleted_at.is_(None))",
        viewonly=True,
    )

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        return cls.unit_id == unit_id

    @property
    def stage(self) -> Stage:
        return stage_of(self.stage_order or 0)

    @property
    def is_big(self) -> bool:
        return (self.planned_investment or 0) >= BIG_PROJECT_YUAN

    @property
    def planned_wan(self):
        return yuan_to_wan(self.planned_investment)

    @property
    def contract_wan(self):
        return None if self.contract_investment is None else yuan_to_wan(self.contract_investment)

    @property
    def origin(self) -> str:
        return " ".join(p for p in (self.origin_province, self.origin_city) if p)

    def history_label(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name}>"


class ProjectContact(UnitScoped, SoftDeleteMixin, TimestampMixin, Base):
    """A person at the investor: name, title, phone (stored normalised), e-mail."""

    __tablename__ = "project_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    title: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))

    project: Mapped[Project] = relationship(back_populates="contacts")

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        return cls.project_id.in_(select(Project.id).where(Project.unit_id == unit_id))

    def history_label(self) -> str:
        return self.name


class FollowUp(UnitScoped, SoftDeleteMixin, Base):
    """A follow-up (跟进记录): what happened, the next step and when it is due."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint(_in("kind", FOLLOW_UP_KINDS), name="kind"),
        Index("ix_follow_ups_due", "user_id", "next_due_on"),
        # A project's follow-ups in order: finding its latest one (refresh_latest).
        Index("ix_follow_ups_project_order", "project_id", "happened_on", "id"),
        # The badge and 到期的跟进: a user's latest follow-ups with a next step, by due day.
        Index(
            "ix_follow_ups_latest_due",
            "user_id",
            "next_due_on",
            sqlite_where=text(LATEST_DUE_SQL["sqlite"]),
            postgresql_where=text(LATEST_DUE_SQL["postgresql"]),
        ),
    )

    __history_ignore__ = ("submission_id", "is_latest")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    happened_on: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(4), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_due_on: Mapped[date | None] = mapped_column(Date)
    # The latest live follow-up of its project (by happened_on, then id): the one whose next
    # step is still open. Derived, kept by app/projects/contacts.py on every flush.
    is_latest: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    project: Mapped[Project] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        # A correlated EXISTS, not `project_id IN (the unit's projects)`: every read of
        # follow-ups is narrowed by its project or its user already, and SQLite, once ANALYZEd,
        # drove the due list from the IN list instead, reading every follow-up of the unit's
        # projects (150,000 of a colleague's: 190 ms on every page for a user owning none).
        owner = aliased(Project)
        return (
            exists()
            .where(owner.id == cls.project_id, owner.unit_id == unit_id)
            .correlate_except(owner)
        )

    def history_label(self) -> str:
        return f"{self.happened_on} {self.kind}"
