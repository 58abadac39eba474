"""The jobs I started, as a list (app/core/lists.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select

from app.core import lists
from app.core.dates import to_local
from app.core.permissions import Authenticated
from app.core.spreadsheets import Column
from app.jobs.models import STATUS_LABELS, Job


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    status = str(args.get("status") or "")
    stmt = select(Job).where(Job.user_id == actor.id)
    if status in STATUS_LABELS:
        stmt = stmt.where(Job.status == status)
    return stmt


def _filters(args: Mapping[str, Any]) -> dict[str, str]:
    status = str(args.get("status") or "")
    return {"status": status} if status in STATUS_LABELS else {}


def _local(moment: Any) -> str:
    shown = to_local(moment)
    return f"{shown:%Y-%m-%d %H:%M:%S}" if shown else ""


def _row(job: Job) -> list[Any]:
    return [job.id, job.title, job.status_label, _local(job.created_at),
            _local(job.finished_at), job.error or ""]  # fmt: skip


MY_JOBS = lists.register(
    lists.ListSpec(
        name="jobs",
        title="我的后台任务",
        endpoint="jobs.index",
        statement=_statement,
        sorts={"created": Job.created_at, "title": Job.title, "status": Job.status},
        default_sort="-created",
        tiebreak=(Job.id.desc(),),
        columns=[
            Column("编号", "int"),
            Column("任务", width=30),
            Column("状态", width=8),
            Column("开始时间", width=18),
            Column("结束时间", width=18),
            Column("失败原因", width=40),
        ],  # fmt: skip
        row=_row,
        filter_args=_filters,
        permission=Authenticated,
    )
)
