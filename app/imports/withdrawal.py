"""Withdrawing (撤回) an import batch: within IMPORT_WITHDRAW_DAYS, if nothing has been built on
its rows since, every row it wrote is soft-deleted with the reason in the history. A funds
batch is not withdrawn: the ledger deletes nothing (an entry is returned or corrected by a
reversal, one by one), and nothing is hard-deleted from the user interface.

The rows are found by their `import_batch_id` (projects, funds entries, key projects): the mark
travels with the row, so nothing can fall out of step with a list kept on the batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.core import history, scoping
from app.core.dates import to_local
from app.core.db import utcnow
from app.core.forms import ServiceError
from app.core.history import HistoryEntry
from app.core.id_groups import chunks
from app.extensions import db
from app.funds.models import FundsEntry
from app.imports.models import ImportBatch
from app.keyprojects.models import KeyMonthlyReport, KeyProject
from app.projects.models import FollowUp, Project
from app.projects.stages import MILESTONE_FIELDS

WITHDRAWING_ROLES = ("bureau",)
SHOWN = 20  # rows named in a refusal; the rest are counted
WHY = "撤回导入批次须检查其全部记录，含其他单位在其上登记的内容"
LATER_FIELDS = {*MILESTONE_FIELDS, "dropped_on"}
IDS_PER_STATEMENT = 500  # ids of the batch looked at per statement


@dataclass(frozen=True)
class BuiltOn:
    """A row of the batch that something was built on since, and what."""

    label: str
    why: str

    def __str__(self) -> str:
        return f"{self.label}：{self.why}"


def can_withdraw(actor: Any) -> bool:
    """Only the bureau withdraws an import (a unit asks the bureau)."""
    return getattr(actor, "role", None) in WITHDRAWING_ROLES


def deadline(batch: ImportBatch) -> datetime:
    """The last moment (UTC) the batch may be withdrawn."""
    return batch.created_at + timedelta(days=current_app.config["IMPORT_WITHDRAW_DAYS"])


def window_problem(batch: ImportBatch) -> str | None:
    """Why the batch can no longer be withdrawn whatever its rows, if so."""
    if batch.withdrawn:
        return f"批次 #{batch.id} 已于 {_when(batch.withdrawn_at)} 撤回"
    if batch.kind == "funds":
        return (
            "到位资金台账不删除记录，导入的到位资金不能整批撤回："
            "请在台账中逐笔退回（待核实的）或更正（已核实的）"
        )
    if utcnow() > deadline(batch):
        days = current_app.config["IMPORT_WITHDRAW_DAYS"]
        return (
            f"批次 #{batch.id} 导入于 {_when(batch.created_at)}，已超过 {days} 天的撤回期限"
            f"（{_when(deadline(batch))} 前），不能撤回；请逐条修改或删除"
        )
    return None


def _when(moment: datetime | None) -> str:
    local = to_local(moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def batch_rows(batch: ImportBatch) -> list[Any]:
    """The live rows the batch wrote."""
    model = {"projects": Project, "keyproject": KeyProject}[batch.kind]  # funds: never
    stmt = select(model).where(
        model.import_batch_id == batch.id, model.deleted_at.is_(None)
    ).order_by(model.id)
    with scoping.district_wide(WHY):
        return list(db.session.execute(stmt).scalars())


def built_on(batch: ImportBatch, rows: list[Any] | None = None) -> list[BuiltOn]:
    """Every row of the batch that something has been built on since it was imported."""
    rows = batch_rows(batch) if rows is None else rows
    check = {"projects": _projects_built_on, "keyproject": _key_projects_built_on}[batch.kind]
    with scoping.district_wide(WHY):
        return check(batch, rows)


def _counts(column, ids: list[int], *where) -> dict[int, int]:
    stmt = select(column, func.count()).where(column.in_(ids), *where).group_by(column)
    return dict(db.session.execute(stmt).all())


def _later_milestones(batch: ImportBatch, ids: list[int]) -> set[int]:
    """Projects whose milestones (or 放弃) were changed after the import."""
    found: set[int] = set()
    for chunk in chunks(ids, IDS_PER_STATEMENT):
        stmt = select(HistoryEntry.record_id, HistoryEntry.after_json).where(
            HistoryEntry.table_name == Project.__tablename__,
            HistoryEntry.action == "update",
            HistoryEntry.record_id.in_(chunk),
            HistoryEntry.at >= batch.created_at,
        )
        for record_id, after in db.session.execute(stmt):
            if LATER_FIELDS & set(json.loads(after or "{}")):
                found.add(record_id)
    return found


def _project_label(project: Project) -> str:
    return f"项目“{project.name}”（#{project.id}）"


def _projects_built_on(batch: ImportBatch, rows: list[Project]) -> list[BuiltOn]:
    ids = [p.id for p in rows]
    funds, follow_ups, merged, keys = {}, {}, {}, {}
    for chunk in chunks(ids, IDS_PER_STATEMENT):
        funds |= _counts(FundsEntry.project_id, chunk)
        follow_ups |= _counts(FollowUp.project_id, chunk, FollowUp.deleted_at.is_(None))
        merged |= _counts(Project.merged_into_id, chunk)
        keys |= _counts(KeyProject.project_id, chunk, KeyProject.deleted_at.is_(None))
    later = _later_milestones(batch, ids)
    found = [
        BuiltOn(_project_label(p), f"已合并到项目 #{p.merged_into_id}")
        for p in db.session.execute(
            select(Project).where(
                Project.import_batch_id == batch.id, Project.merged_into_id.is_not(None)
            )
        ).scalars()
    ]
    for project in rows:
        why = []
        if project.id in later:
            why.append("导入后登记或修改了里程碑")
        if project.id in funds:
            why.append(f"已登记到位资金 {funds[project.id]} 笔")
        if project.id in follow_ups:
            why.append(f"已有跟进记录 {follow_ups[project.id]} 条")
        if project.id in merged:
            why.append(f"已有 {merged[project.id]} 个重复项目合并到此项目")
        if project.id in keys:
            why.append("已列入重点项目")
        if why:
            found.append(BuiltOn(_project_label(project), "，".join(why)))
    return found


def _key_projects_built_on(batch: ImportBatch, rows: list[KeyProject]) -> list[BuiltOn]:
    reports, carried = {}, {}
    for chunk in chunks([k.id for k in rows], IDS_PER_STATEMENT):
        reports |= _counts(KeyMonthlyReport.key_project_id, chunk)
        carried |= _counts(KeyProject.carried_from_id, chunk, KeyProject.deleted_at.is_(None))
    found = []
    for key in rows:
        why = []
        if key.id in reports:
            why.append(f"已填报月调度 {reports[key.id]} 期")
        if key.id in carried:
            why.append("已结转到下一年度")
        if why:
            label = f"重点项目“{key.name}”（{key.year}年，#{key.id}）"
            found.append(BuiltOn(label, "，".join(why)))
    return found


def refusal(problems: list[BuiltOn]) -> str:
    """One message naming the rows that were built on (the first SHOWN of them)."""
    shown = "；".join(str(p) for p in problems[:SHOWN])
    more = f"；等共 {len(problems)} 条" if len(problems) > SHOWN else ""
    return f"以下 {len(problems)} 条记录导入后已有后续工作，整批不能撤回：{shown}{more}"


def withdraw_batch(batch: ImportBatch, actor: Any, reason: str) -> int:
    """Soft-delete every row of the batch and mark it withdrawn; return how many rows.

    Refused (ServiceError) for anyone but the bureau, after the window, without a reason, or
    when anything has been built on any row: then nothing is withdrawn."""
    reason = (reason or "").strip()
    if not can_withdraw(actor):
        raise ServiceError("只有投资促进局可以撤回导入")
    problem = window_problem(batch)
    if problem:
        raise ServiceError(problem)
    if not reason:
        raise ServiceError({"reason": "请填写撤回原因"})
    if len(reason) > 500:
        raise ServiceError({"reason": "撤回原因不能超过 500 字"})
    rows = batch_rows(batch)
    problems = built_on(batch, rows)
    if problems:
        raise ServiceError(refusal(problems))
    note = f"撤回导入批次 #{batch.id}（{batch.kind_label}：{batch.filename}），原因：{reason}"
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    for row in rows:
        row.deleted_at = now
        row.deleted_by_id = actor_id
    batch.withdrawn_at = now
    batch.withdrawn_by_id = actor_id
    batch.withdraw_reason = reason
    history.note_reason(db.session, note)
    db.session.flush()
    return len(rows)
