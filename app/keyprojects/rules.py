"""The rules of a key project's fields, shared by the form, the sheet import and carry-over."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.core.dates import today
from app.core.money import wan_to_yuan
from app.extensions import db
from app.keyprojects.models import (
    CATEGORIES,
    FUNDING_CHANNELS,
    GUARDED_CATEGORIES,
    LEVELS,
    PROCEDURE_KINDS,
    KeyProject,
)
from app.leaders.models import Leader
from app.projects.services import amount_problem
from app.units.models import Unit


@dataclass
class KeyProjectData:
    """A key project's fields as a person or a spreadsheet gives them (amounts in 万元)."""

    year: int
    name: str
    programme: str
    category: str
    unit_id: int | None
    total_wan: Decimal | None
    plan_wan: Decimal | None
    level: str = "区重点"
    leader_id: int | None = None
    liaison_unit_id: int | None = None
    funding_channel: str = "社会投资"
    planned_start_on: date | None = None
    started_on: date | None = None
    completed_on: date | None = None
    in_statistics: bool = False
    goal: str | None = None
    notes: str | None = None
    team: list[tuple[str, str]] = field(default_factory=list)  # (name, post) of the 工作班子


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _amount_problem(value: Decimal | None, label: str) -> str | None:
    """A key project's amounts are required; otherwise the 招商 project's rule."""
    return f"请填写{label}" if value is None else amount_problem(value, label)


def field_problems(data: KeyProjectData, actor: Any) -> dict[str, str]:
    """Every problem with the fields, by field name (the KeyProjectData attribute), in Chinese."""
    errors: dict[str, str] = {}
    now = today()
    if not clean(data.name):
        errors["name"] = "请输入项目名称"
    elif len(clean(data.name)) > 200:
        errors["name"] = "项目名称不能超过 200 字"
    if not clean(data.programme):
        errors["programme"] = "请填写所属工程（如 城中村改造工程）"
    elif len(clean(data.programme)) > 50:
        errors["programme"] = "所属工程不能超过 50 字"
    if not (2000 <= data.year <= now.year + 1):
        errors["year"] = f"年度须在 2000 至 {now.year + 1} 之间"
    if data.category not in CATEGORIES:
        errors["category"] = "项目类别须为 " + " / ".join(CATEGORIES)
    if data.level not in LEVELS:
        errors["level"] = "项目级别须为 " + " / ".join(LEVELS)
    if data.funding_channel not in FUNDING_CHANNELS:
        errors["funding_channel"] = "资金渠道须为 " + " / ".join(FUNDING_CHANNELS)
    unit = db.session.get(Unit, data.unit_id) if data.unit_id else None
    if unit is None or not unit.active:
        errors["unit_id"] = "请选择一个启用的责任单位"
    elif actor.role == "unit" and unit.id != actor.unit_id:
        errors["unit_id"] = "只能登记本单位的重点项目"
    if data.liaison_unit_id:
        liaison = db.session.get(Unit, data.liaison_unit_id)
        if liaison is None or not liaison.active:
            errors["liaison_unit_id"] = "联络单位不存在或已停用"
    if data.leader_id:
        leader = db.session.get(Leader, data.leader_id)
        if leader is None or not leader.active:
            errors["leader_id"] = "包保领导不存在或已停用"
    for name, value, label in (
        ("total_wan", data.total_wan, "总投资"),
        ("plan_wan", data.plan_wan, "年度计划投资"),
    ):
        problem = _amount_problem(value, label)
        if problem:
            errors[name] = problem
    if "total_wan" not in errors and "plan_wan" not in errors and data.plan_wan > data.total_wan:
        errors["plan_wan"] = "年度计划投资不能大于总投资"
    for name, value, label in (
        ("started_on", data.started_on, "实际开工日期"),
        ("completed_on", data.completed_on, "竣工日期"),
    ):
        if value is not None and value > now:
            errors[name] = f"{label}不能晚于今天"
    if data.started_on and data.completed_on and data.completed_on < data.started_on:
        errors["completed_on"] = "竣工日期不能早于开工日期"
    if data.completed_on and not data.started_on:
        errors["started_on"] = "已竣工的项目须填写开工日期"
    for index, (name, post) in enumerate(data.team):
        if not clean(name):
            errors[f"team-{index}"] = "工作班子成员须填写姓名"
        elif len(clean(name)) > 50 or len(clean(post)) > 100:
            errors[f"team-{index}"] = "姓名不超过 50 字、职务不超过 100 字"
    return errors


def apply(key_project: KeyProject, data: KeyProjectData) -> None:
    """Copy checked fields onto the record (the team is the caller's: it has its own rows)."""
    key_project.year = data.year
    key_project.name = clean(data.name)
    key_project.programme = clean(data.programme)
    key_project.category = data.category
    key_project.level = data.level
    key_project.unit_id = data.unit_id
    key_project.liaison_unit_id = data.liaison_unit_id or None
    key_project.leader_id = data.leader_id or None
    key_project.funding_channel = data.funding_channel
    key_project.total_investment = wan_to_yuan(data.total_wan)
    key_project.annual_plan = wan_to_yuan(data.plan_wan)
    key_project.planned_start_on = data.planned_start_on
    key_project.started_on = data.started_on
    key_project.completed_on = data.completed_on
    key_project.in_statistics = bool(data.in_statistics)
    key_project.goal = (data.goal or "").strip() or None
    key_project.notes = (data.notes or "").strip() or None


def missing_procedures(statuses: dict[str, str]) -> list[str]:
    """The required procedures not yet 已办结, in order; `statuses` maps a kind to its status
    key, and a kind with no row yet counts as 未办."""
    return [kind for kind in PROCEDURE_KINDS if statuses.get(kind, "todo") in ("todo", "doing")]


def start_problem(category: str, statuses: dict[str, str]) -> str | None:
    """Why a project of this category may not be marked started yet, or None."""
    if category not in GUARDED_CATEGORIES:
        return None
    missing = missing_procedures(statuses)
    if not missing:
        return None
    return f"{category}项目须先办齐前置要件才能开工，尚缺：" + "、".join(missing)
