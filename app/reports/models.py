"""Month close (月结): the issued bulletin of a month, its key figures and its files, kept."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, utcnow
from app.funds.models import FundsEntry
from app.projects.models import Project


class MonthClose(Base):
    """One closed month: who closed it when, the figures as issued and the issued files.

    The files are the exact bytes handed out, so the bulletin downloads again unchanged."""

    __tablename__ = "month_closes"
    __table_args__ = (
        UniqueConstraint("year", "month", name="uq_month_closes_year_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    month: Mapped[int] = mapped_column(Integer, nullable=False)
    closed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    snapshot_json: Mapped[str] = mapped_column(Text, nullable=False)
    docx_name: Mapped[str] = mapped_column(String(120), nullable=False)
    xlsx_name: Mapped[str] = mapped_column(String(120), nullable=False)
    docx_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    xlsx_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    docx: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    xlsx: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    closed_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def snapshot(self) -> dict:
        return json.loads(self.snapshot_json)

    @property
    def period_label(self) -> str:
        return f"{self.year}年1—{self.month}月" if self.month > 1 else f"{self.year}年1月"

    def history_label(self) -> str:
        return f"{self.year}年{self.month}月月结"

    def __repr__(self) -> str:
        return f"<MonthClose {self.year}-{self.month:02d}>"


# Read indexes for the report figures (bench/bench_dashboard.py, 100,000 projects and 200,000
# entries on SQLite): the verified funds of a period, by month or unit, read from the index
# alone (330 → 180 ms each), the verified funds of a signed cohort (180 → 65 ms), and the count
# of signed projects not started (90 → 5 ms). PostgreSQL mostly prefers parallel scans here.
LIVE_NOT_STARTED = "deleted_at IS NULL AND dropped_on IS NULL AND started_on IS NULL"
REPORT_INDEXES = (
    Index("ix_funds_entries_report_period", FundsEntry.status, FundsEntry.received_on,
          FundsEntry.project_id, FundsEntry.amount),
    Index("ix_funds_entries_report_cohort", FundsEntry.project_id, FundsEntry.status,
          FundsEntry.amount),
    Index("ix_projects_report_not_started", Project.signed_on,
          sqlite_where=text(LIVE_NOT_STARTED), postgresql_where=text(LIVE_NOT_STARTED)),
    # A unit's own (its 我的待办 and badge, migration b5c6d7e8f9a0): 600 rows read, not the
    # district's 23,000 signed before the limit (SQLite at 100,000 projects: 4.2 -> under 1.6 ms).
    Index("ix_projects_unit_not_started", Project.unit_id, Project.signed_on,
          sqlite_where=text(LIVE_NOT_STARTED), postgresql_where=text(LIVE_NOT_STARTED)),
)  # fmt: skip


# The dashboard's (migration 94b85f0c467a): signed projects with every column the cohort
# figures read (partial, so SQLite prefers it to ix_projects_signed_on), live projects by
# start, production and lead date, live projects' unit (funds by unit), the few
# soft-deleted ids the funds by month leave out, and the live, not dropped ids (the overdue
# problems and commitments counts look each one's project up there).
def _live(condition: str = "") -> dict:
    where = text("deleted_at IS NULL" + (f" AND {condition}" if condition else ""))
    return {"sqlite_where": where, "postgresql_where": where}


DASHBOARD_INDEXES = (
    Index("ix_projects_report_signed", Project.signed_on, Project.unit_id, Project.stage_order,
          Project.funded_on, Project.started_on, Project.dropped_on, Project.contract_investment,
          Project.planned_investment, Project.deleted_at, Project.id,
          **_live("signed_on IS NOT NULL")),
    Index("ix_projects_report_started", Project.started_on, Project.unit_id, Project.deleted_at,
          **_live("started_on IS NOT NULL")),
    Index("ix_projects_report_operating", Project.operating_on, Project.unit_id,
          Project.deleted_at, **_live("operating_on IS NOT NULL")),
    Index("ix_projects_report_lead", Project.lead_on, Project.unit_id, Project.deleted_at,
          **_live()),
    Index("ix_projects_report_live_unit", Project.id, Project.unit_id, Project.deleted_at,
          **_live()),
    Index("ix_projects_report_deleted", Project.id, sqlite_where=text("deleted_at IS NOT NULL"),
          postgresql_where=text("deleted_at IS NOT NULL")),
    Index("ix_projects_report_active", Project.id, **_live("dropped_on IS NULL")),
)  # fmt: skip
