"""Writes on projects: create, update, milestones, corrections, drop and restore."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app import periods
from app.core import history, uscc
from app.core.dates import today
from app.core.forms import ServiceError, ensure_current
from app.core.money import wan_to_yuan
from app.events.models import PromotionEvent
from app.extensions import db
from app.leaders.models import Leader
from app.projects import access
from app.projects.duplicates import DuplicateFound, find_duplicates
from app.projects.models import INDUSTRIES, SOURCES, Project
from app.projects.names import normalise_investor, search_text
from app.projects.stages import BY_KEY, MANUAL_STAGES, MILESTONE_FIELDS
from app.trips.queries import trip_visible
from app.units.models import Unit

MAX_WAN = Decimal("100000000")  # 1 万亿元: beyond any real project, catches typos like 1e9


@dataclass
class ProjectData:
    """A project's fields as a person or a spreadsheet gives them (amounts in 万元)."""

    name: str
    investor_name: str
    unit_id: int | None
    source: str
    industry: str
    uscc: str | None = None
    origin_province: str = ""
    origin_city: str = ""
    foreign_funded: bool = False
    chain_tag: str | None = None
    planned_wan: Decimal | None = None
    leader_id: int | None = None
    event_id: int | None = None
    trip_id: int | None = None
    notes: str | None = None
    milestones: dict[str, date | None] = field(default_factory=dict)
    contract_wan: Decimal | None = None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def amount_problem(value: Decimal | None, label: str) -> str | None:
    """Why an amount in 万元 is refused (negative, or beyond 1 万亿元), or None; blank passes."""
    if value is None:
        return None
    if value < 0:
        return f"{label}不能为负数"
    if value > MAX_WAN:
        return f"{label}过大（超过 1 万亿元），请核对单位是否为万元"
    return None


def field_problems(data: ProjectData, actor: Any) -> dict[str, str]:
    """Every problem with the fields, by field name, in Chinese."""
    errors: dict[str, str] = {}
    if not _clean(data.name):
        errors["name"] = "请输入项目名称"
    elif len(_clean(data.name)) > 200:
        errors["name"] = "项目名称不能超过 200 字"
    if not _clean(data.investor_name):
        errors["investor_name"] = "请输入投资方名称"
    if data.industry not in INDUSTRIES:
        errors["industry"] = "产业类别须为 " + " / ".join(INDUSTRIES)
    if data.source not in SOURCES:
        errors["source"] = "项目来源须为 " + " / ".join(SOURCES)
    unit = db.session.get(Unit, data.unit_id) if data.unit_id else None
    if unit is None or not unit.active:
        errors["unit_id"] = "请选择一个启用的责任单位"
    elif actor.role == "unit" and unit.id != actor.unit_id:
        errors["unit_id"] = "只能登记本单位的项目"
    if data.leader_id:
        leader = db.session.get(Leader, data.leader_id)
        if leader is None or not leader.active:
            errors["leader_id"] = "包保领导不存在或已停用"
    if data.event_id and db.session.get(PromotionEvent, data.event_id) is None:
        errors["event_id"] = "招商活动不存在"
    if data.trip_id and not trip_visible(data.trip_id, actor):
        errors[""] = "所关联的外出招商记录不存在或无权查看"  # a hidden field: shown on top
    code = uscc.normalise(data.uscc)
    if code:
        problem = uscc.problem(code)
        if problem:
            errors["uscc"] = problem
    for name, value, label in (
        ("planned_wan", data.planned_wan, "计划总投资"),
        ("contract_wan", data.contract_wan, "合同投资额"),
    ):
        problem = amount_problem(value, label)
        if problem:
            errors[name] = problem
    return errors


def milestone_problems(
    dates: dict[str, date | None], contract_wan: Decimal | None, code: str | None
) -> dict[str, str]:
    """Milestones: none in the future, none before an earlier one, signing and registration data."""
    errors: dict[str, str] = {}
    now = today()
    latest: tuple[str, date] | None = None
    for stage in MANUAL_STAGES:  # funds may arrive before or after groundbreaking
        on = dates.get(stage.date_field)
        if on is None:
            continue
        if on > now:
            errors[stage.date_field] = f"{stage.label}日期不能晚于今天"
        elif latest and on < latest[1]:
            errors[stage.date_field] = (
                f"{stage.label}日期（{on}）不能早于{BY_KEY[latest[0]].label}日期（{latest[1]}）"
            )
        latest = (stage.key, on) if latest is None or on >= latest[1] else latest
    if dates.get("signed_on") and not contract_wan:
        errors["contract_wan"] = "签约须填写合同投资额（万元），且大于 0"
    if dates.get("registered_on"):
        if not code:
            errors["uscc"] = "注册须填写本地公司的统一社会信用代码"
        elif uscc.problem(code):
            errors["uscc"] = uscc.problem(code)
    return errors


def _apply(project: Project, data: ProjectData) -> None:
    project.name = _clean(data.name)
    project.investor_name = _clean(data.investor_name)
    project.investor_key = normalise_investor(data.investor_name)
    project.uscc = uscc.normalise(data.uscc) or None
    project.origin_province = _clean(data.origin_province)
    project.origin_city = _clean(data.origin_city)
    project.foreign_funded = bool(data.foreign_funded)
    project.industry = data.industry
    project.chain_tag = _clean(data.chain_tag) or None
    project.planned_investment = wan_to_yuan(data.planned_wan or Decimal(0))
    project.unit_id = data.unit_id
    project.leader_id = data.leader_id or None
    project.source = data.source
    project.event_id = data.event_id or None
    project.trip_id = data.trip_id or None
    project.notes = (data.notes or "").strip() or None
    project.search_text = search_text(project.name, project.investor_name, project.uscc)


def create_project(
    data: ProjectData,
    actor: Any,
    *,
    submission_id: str | None = None,
    confirm_duplicate: bool = False,
    flush: bool = True,
) -> Project:
    """Record a new project (a lead, or with its milestones when imported).

    An import passes `flush=False` and flushes its rows in chunks: one flush per row would
    write the history chain and the search index row by row.
    """
    errors = field_problems(data, actor)
    dates = {k: v for k, v in data.milestones.items() if k in MILESTONE_FIELDS and k != "funded_on"}
    errors.update(milestone_problems(dates, data.contract_wan, uscc.normalise(data.uscc)))
    if errors:
        raise ServiceError(errors)
    if not confirm_duplicate:
        matches = find_duplicates(
            normalise_investor(data.investor_name), uscc.normalise(data.uscc), actor
        )
        if matches:
            raise DuplicateFound(matches)
    project = Project(submission_id=submission_id, created_by_id=getattr(actor, "id", None))
    _apply(project, data)
    set_dates = [d for d in dates.values() if d]
    project.lead_on = min([today(), *set_dates])
    for name, on in dates.items():
        setattr(project, name, on)
    if data.contract_wan is not None:
        project.contract_investment = wan_to_yuan(data.contract_wan)
    db.session.add(project)
    if flush:
        db.session.flush()
    return project


def update_project(
    project: Project,
    data: ProjectData,
    actor: Any,
    version: Any,
    *,
    confirm_duplicate: bool = False,
) -> None:
    """Change a project's data (not its milestones); refuse a stale form."""
    ensure_current(project, version)
    errors = field_problems(data, actor)
    code = uscc.normalise(data.uscc)
    if project.registered_on and not code:
        errors["uscc"] = "已注册的项目须保留统一社会信用代码"
    if errors:
        raise ServiceError(errors)
    if not confirm_duplicate:
        matches = find_duplicates(
            normalise_investor(data.investor_name), code, actor, exclude=project.id
        )
        if matches:
            raise DuplicateFound(matches)
    _apply(project, data)


def _dates(project: Project) -> dict[str, date | None]:
    return {name: getattr(project, name) for name in MILESTONE_FIELDS}


def advance_problems(
    project: Project,
    stage_key: str,
    on: date | None,
    *,
    contract_wan: Decimal | None = None,
    code: str | None = None,
    reason: str | None = None,
) -> dict[str, str]:
    """Every problem of moving the project to the stage with these data, by field (the form
    shows them all at once): the date, the stage's own data, the order of the milestones."""
    stage = BY_KEY[stage_key]
    errors: dict[str, str] = {}
    if on is None:
        errors["on"] = f"请填写{stage.label}日期"
    dates = _dates(project) | ({stage.date_field: on} if on else {})
    contract = contract_wan if stage.key == "signed" else project.contract_wan
    code = uscc.normalise(code) if stage.key == "registered" else project.uscc
    found = milestone_problems(dates, contract, code)
    errors |= {("on" if k == stage.date_field else k): v for k, v in found.items()}
    if stage.key == "signed":
        problem = amount_problem(contract_wan, "合同投资额")
        if problem:
            errors["contract_wan"] = problem
    if on is not None and periods.reason_required(on) and not (reason or "").strip():
        errors["reason"] = periods.reason_required_message(on)
    return errors


def advance(
    project: Project,
    stage_key: str,
    on: date | None,
    actor: Any,
    *,
    contract_wan: Decimal | None = None,
    code: str | None = None,
    reason: str | None = None,
) -> None:
    """Move a project forward to a stage, with the data that stage requires.

    A date in a month already closed (月结) changes issued figures: it needs a reason."""
    stage = BY_KEY.get(stage_key)
    if stage is None or not stage.manual:
        raise ServiceError("资金到位由投资促进局核实的到位资金自动确定，不能手工设置")
    if project.dropped_on:
        raise ServiceError("项目已终止，请先恢复再推进")
    if stage.order <= project.stage_order:
        raise ServiceError(f"项目已处于“{project.stage.label}”阶段，只能向后推进")
    errors = advance_problems(project, stage_key, on, contract_wan=contract_wan, code=code,
                              reason=reason)  # fmt: skip
    if errors:
        raise ServiceError(errors)
    code = uscc.normalise(code) if stage.key == "registered" else project.uscc
    if (reason or "").strip():
        history.note_reason(db.session, f"{stage.label}日期在已月结月份：{reason.strip()}")
    setattr(project, stage.date_field, on)
    project.lead_on = min(project.lead_on, on)  # a back-dated milestone: the lead existed then
    if stage.key == "signed":
        project.contract_investment = wan_to_yuan(contract_wan)
    if stage.key == "registered":
        project.uscc = code
        project.search_text = search_text(project.name, project.investor_name, project.uscc)


def correct_milestone(
    project: Project, date_field: str, on: date | None, reason: str, actor: Any, version: Any
) -> None:
    """The bureau corrects or clears a milestone date, with a reason kept in the history."""
    if not access.can_correct_milestones(actor):
        raise ServiceError("只有投资促进局和系统管理员可以更正里程碑")
    ensure_current(project, version)
    if date_field not in MILESTONE_FIELDS or date_field == "funded_on":
        raise ServiceError({"field": "请选择要更正的里程碑（资金到位以核实的到位资金为准）"})
    if not (reason or "").strip():
        raise ServiceError({"reason": "更正里程碑须说明原因"})
    dates = _dates(project) | {date_field: on}
    errors = milestone_problems(dates, project.contract_wan, project.uscc)
    if errors:
        raise ServiceError({("on" if k == date_field else k): v for k, v in errors.items()})
    history.note_reason(db.session, "更正里程碑：" + reason.strip())
    setattr(project, date_field, on)


def drop_project(project: Project, on: date | None, reason: str, actor: Any) -> None:
    """Mark a project as dropped (终止/流失); it leaves active lists, stays in its cohort."""
    errors = {}
    if on is None:
        errors["on"] = "请填写终止日期"
    elif on > today():
        errors["on"] = "终止日期不能晚于今天"
    if not (reason or "").strip():
        errors["reason"] = "请填写终止原因"
    if errors:
        raise ServiceError(errors)
    history.note_reason(db.session, "终止：" + reason.strip())
    project.dropped_on = on
    project.drop_reason = reason.strip()


def restore_project(project: Project, actor: Any) -> None:
    """Bring a dropped project back into the active lists."""
    history.note_reason(db.session, "恢复已终止的项目")
    project.dropped_on = None
    project.drop_reason = None


def project_by_submission(submission_id: str) -> Project | None:
    """The project a form submission already created (a double submit finds it)."""
    return db.session.execute(
        select(Project).where(Project.submission_id == submission_id)
    ).scalar_one_or_none()
