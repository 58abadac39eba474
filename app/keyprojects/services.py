"""Writes on key projects: create, edit, the 实施方案 file, procedures, start, carry-over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from app.core.dates import today
from app.core.forms import ServiceError, ensure_current
from app.core.submissions import earlier, normalised
from app.extensions import db
from app.funds.evidence import StoredFile
from app.keyprojects import access, queries, rules
from app.keyprojects.models import (
    PROCEDURE_KINDS,
    PROCEDURE_STATUSES,
    KeyProcedure,
    KeyProject,
    KeyTeamMember,
)
from app.projects.models import Project
from app.units.models import Unit


def key_project_by_submission(submission_id: Any) -> KeyProject | None:
    """The key project an earlier post of the same create form made, if any."""
    return earlier(KeyProject, submission_id)


def _set_team(key_project: KeyProject, team: list[tuple[str, str]]) -> None:
    key_project.team = [
        KeyTeamMember(name=rules.clean(name), post=rules.clean(post)) for name, post in team
    ]


def _attach(key_project: KeyProject, stored: StoredFile | None) -> None:
    if stored is not None:
        key_project.plan_path = stored.path
        key_project.plan_name = stored.name
        key_project.plan_type = stored.mime
        key_project.plan_size = stored.size


def _start_problems(key_project: KeyProject | None, data: rules.KeyProjectData) -> dict:
    """A guarded project marked started (newly) without its procedures is refused."""
    if data.started_on is None or (key_project is not None and key_project.started_on):
        return {}
    statuses = queries.statuses_of(key_project) if key_project is not None else {}
    problem = rules.start_problem(data.category, statuses)
    return {"started_on": problem} if problem else {}


def project_problems(project: Project | None, year: int, actor: Any) -> dict[str, str]:
    """A key project made from a 招商 project: the bureau's, signed, not yet listed that year."""
    if project is None:
        return {}
    if not access.can_manage(actor):
        return {"": "只有投资促进局可以将招商项目列为重点项目"}
    if project.signed_on is None:
        return {"": "该招商项目尚未签约，不能列为重点项目"}
    if project.dropped_on is not None:
        return {"": "该招商项目已终止，不能列为重点项目"}
    stmt = select(KeyProject.id).where(
        KeyProject.project_id == project.id,
        KeyProject.year == year,
        KeyProject.deleted_at.is_(None),
    )
    if db.session.execute(stmt).first() is not None:
        return {"": f"该招商项目已列入{year}年重点项目"}
    return {}


def create_key_project(
    data: rules.KeyProjectData,
    actor: Any,
    *,
    stored: StoredFile | None = None,
    submission_id: str | None = None,
    project: Project | None = None,
    problems: dict[str, str] | None = None,
) -> KeyProject:
    """Add a key project (and its team) to a year's list; `problems` are the caller's own."""
    errors = {
        **rules.field_problems(data, actor),
        **_start_problems(None, data),
        **project_problems(project, data.year, actor),
        **(problems or {}),  # an unreadable amount or file says why, not "请填写"
    }
    if errors:
        raise ServiceError(errors)
    key_project = KeyProject(submission_id=normalised(submission_id))
    rules.apply(key_project, data)
    _set_team(key_project, data.team)
    _attach(key_project, stored)
    if project is not None:
        key_project.project_id = project.id
    db.session.add(key_project)
    db.session.flush()
    return key_project


def update_key_project(
    key_project: KeyProject,
    data: rules.KeyProjectData,
    actor: Any,
    submitted_version: object,
    *,
    stored: StoredFile | None = None,
    problems: dict[str, str] | None = None,
) -> KeyProject:
    """Save the edited fields and team; a form opened before the last change is refused."""
    if not access.can_edit(actor, key_project):
        raise ServiceError("无权修改该重点项目")
    ensure_current(key_project, submitted_version)
    errors = {
        **rules.field_problems(data, actor),
        **_start_problems(key_project, data),
        **(problems or {}),
    }
    if errors:
        raise ServiceError(errors)
    rules.apply(key_project, data)
    if [(m.name, m.post) for m in key_project.team] != [
        (rules.clean(n), rules.clean(p)) for n, p in data.team
    ]:
        _set_team(key_project, data.team)
    _attach(key_project, stored)
    db.session.flush()
    return key_project


def mark_started(key_project: KeyProject, on: date | None, actor: Any) -> KeyProject:
    """The 标记开工 action: set 实际开工日期, refused while required procedures are missing."""
    if not access.can_edit(actor, key_project):
        raise ServiceError("无权修改该重点项目")
    if key_project.started_on is not None:
        raise ServiceError(f"该项目已于 {key_project.started_on} 开工")
    if on is None:
        raise ServiceError({"started_on": "请填写实际开工日期"})
    if on > today():
        raise ServiceError({"started_on": "实际开工日期不能晚于今天"})
    problem = rules.start_problem(key_project.category, queries.statuses_of(key_project))
    if problem:
        raise ServiceError({"started_on": problem})
    key_project.started_on = on
    db.session.flush()
    return key_project


@dataclass
class ProcedureRow:
    """One procedure as typed on the procedures page (dates already read)."""

    kind: str
    status: str
    applied_on: date | None = None
    done_on: date | None = None
    handling_unit_id: int | None = None
    notes: str | None = None


def procedure_rows_of(key_project: KeyProject) -> list[ProcedureRow]:
    """The eleven rows as stored; a kind without a row yet is 未办."""
    by_kind = {p.kind: p for p in key_project.procedures}
    rows = []
    for kind in PROCEDURE_KINDS:
        p = by_kind.get(kind)
        if p is None:
            rows.append(ProcedureRow(kind=kind, status="todo"))
        else:
            rows.append(
                ProcedureRow(kind, p.status, p.applied_on, p.done_on, p.handling_unit_id, p.notes)
            )
    return rows


def procedure_problems(rows: list[ProcedureRow]) -> dict[str, str]:
    """Problems per row ("row-<index>"), in Chinese."""
    errors: dict[str, str] = {}
    now = today()
    for index, row in enumerate(rows):
        problems = []
        if row.kind not in PROCEDURE_KINDS:
            problems.append("事项无效")
        if row.status not in PROCEDURE_STATUSES:
            problems.append("请选择办理状态")
        if row.status == "done" and row.done_on is None:
            problems.append("已办结的事项须填写办结日期")
        if row.done_on is not None and row.status != "done":
            problems.append("只有已办结的事项才填写办结日期")
        for on, label in ((row.applied_on, "申报日期"), (row.done_on, "办结日期")):
            if on is not None and on > now:
                problems.append(f"{label}不能晚于今天")
        if row.applied_on and row.done_on and row.done_on < row.applied_on:
            problems.append("办结日期不能早于申报日期")
        if row.handling_unit_id is not None:
            unit = db.session.get(Unit, row.handling_unit_id)
            if unit is None:
                problems.append("帮办部门不存在")
        if row.notes and len(row.notes) > 500:
            problems.append("备注不超过 500 字")
        if problems:
            errors[f"row-{index}"] = "；".join(problems)
    return errors


def save_procedures(
    key_project: KeyProject, rows: list[ProcedureRow], actor: Any, problems: dict | None = None
) -> KeyProject:
    """Write every procedure row (creating the missing ones); any problem saves nothing."""
    if not access.can_edit(actor, key_project):
        raise ServiceError("无权修改该重点项目")
    errors = dict(problems or {})  # what could not be read comes first on its row
    for key, message in procedure_problems(rows).items():
        errors[key] = f"{errors[key]}；{message}" if key in errors else message
    if errors:
        raise ServiceError(errors)
    existing = {p.kind: p for p in key_project.procedures}
    for row in rows:
        procedure = existing.get(row.kind)
        if procedure is None:
            procedure = KeyProcedure(
                key_project=key_project, kind=row.kind, position=PROCEDURE_KINDS.index(row.kind)
            )
            db.session.add(procedure)
        values = (row.status, row.applied_on, row.done_on, row.handling_unit_id, row.notes)
        current = (
            procedure.status,
            procedure.applied_on,
            procedure.done_on,
            procedure.handling_unit_id,
            procedure.notes,
        )
        if procedure.id is None or values != current:
            procedure.status = row.status
            procedure.applied_on = row.applied_on
            procedure.done_on = row.done_on
            procedure.handling_unit_id = row.handling_unit_id
            procedure.notes = (row.notes or "").strip() or None
    db.session.flush()
    return key_project


@dataclass
class CarryPlan:
    """What a carry-over into `year` would do: the projects to copy, those copied before."""

    year: int
    to_carry: list[KeyProject]
    already: int


def carry_over_plan(year: int) -> CarryPlan:
    """Last year's unfinished key projects, split into not yet carried and already carried."""
    done = queries.carried_ids(year)
    sources = queries.carry_over_sources(year)
    return CarryPlan(
        year=year,
        to_carry=[kp for kp in sources if kp.id not in done],
        already=sum(1 for kp in sources if kp.id in done),
    )


def _copy(source: KeyProject, year: int) -> KeyProject:
    copy = KeyProject(
        year=year,
        name=source.name,
        programme=source.programme,
        category="续建",
        level=source.level,
        total_investment=source.total_investment,
        annual_plan=source.annual_plan,  # the starting value; the bureau edits this year's
        leader_id=source.leader_id,
        unit_id=source.unit_id,
        liaison_unit_id=source.liaison_unit_id,
        funding_channel=source.funding_channel,
        planned_start_on=source.planned_start_on,
        started_on=source.started_on,
        in_statistics=source.in_statistics,
        project_id=source.project_id,
        carried_from_id=source.id,
        goal=source.goal,
        notes=source.notes,
        plan_path=source.plan_path,
        plan_name=source.plan_name,
        plan_type=source.plan_type,
        plan_size=source.plan_size,
    )
    copy.team = [KeyTeamMember(name=m.name, post=m.post) for m in source.team]
    for p in source.procedures:
        db.session.add(
            KeyProcedure(
                key_project=copy,
                kind=p.kind,
                position=p.position,
                status=p.status,
                applied_on=p.applied_on,
                done_on=p.done_on,
                handling_unit_id=p.handling_unit_id,
                notes=p.notes,
            )
        )
    return copy


def carry_over(year: int, actor: Any) -> list[KeyProject]:
    """Copy last year's unfinished key projects into `year` as 续建 (team and procedures, no
    monthly reports); a project carried before is not carried again."""
    if not access.can_manage(actor):
        raise ServiceError("只有投资促进局可以结转重点项目")
    if not 2001 <= year <= today().year + 1:
        raise ServiceError({"year": f"结转年度须在 2001 至 {today().year + 1} 之间"})
    plan = carry_over_plan(year)
    if not plan.to_carry:
        if plan.already:
            raise ServiceError(f"已结转过：{plan.already}个项目已在{year}年名录中")
        raise ServiceError(f"{year - 1}年没有未竣工的重点项目可结转")
    copies = [_copy(source, year) for source in plan.to_carry]
    db.session.add_all(copies)
    db.session.flush()
    return copies
