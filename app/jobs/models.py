"""A job: long work (an import, a large export, a month close) done by a worker while the user
watches its progress; kept with its result for the user who started it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.core.scoping import UnitScoped
from app.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUS_LABELS = {QUEUED: "排队中", RUNNING: "进行中", DONE: "已完成", FAILED: "失败"}


class Job(UnitScoped, db.Model):
    """One run of a job kind with its parameters, status, progress counts and result."""

    __tablename__ = "jobs"
    __history__ = False  # a job's own work writes its history; the job record is operational

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    total: Mapped[int | None] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    result_file: Mapped[str | None] = mapped_column(String(255))  # under JOB_RESULTS_DIR
    result_name: Mapped[str | None] = mapped_column(String(255))  # the download name
    result_url: Mapped[str | None] = mapped_column(String(500))  # a page the result lives on
    result_json: Mapped[str | None] = mapped_column(Text)  # messages, error rows
    error: Mapped[str | None] = mapped_column(Text)  # why it failed, in Chinese
    attempt_of_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    # Work that must not run twice at once (a month close) names itself here.
    lock_key: Mapped[str | None] = mapped_column(String(100), index=True)

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        """A unit's users see their unit's jobs (and the view shows each user only their own)."""
        return (cls.unit_id == unit_id) if unit_id else false()

    @property
    def params(self) -> dict[str, Any]:
        return json.loads(self.params_json or "{}")

    @property
    def result(self) -> dict[str, Any]:
        return json.loads(self.result_json or "{}")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)
