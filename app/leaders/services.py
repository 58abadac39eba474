"""Writes on the register of leaders: create, change, deactivate and reactivate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.core import history, submissions
from app.core.dates import today
from app.core.forms import ServiceError, ensure_current
from app.extensions import db
from app.leaders.models import HEAD_KINDS, HEAD_SHORT, Leader
from app.leaders.queries import JURISDICTION_KINDS, active_head
from app.units.models import Unit


@dataclass
class LeaderData:
    """A leader's fields as the form gives them."""

    name: str
    post: str
    unit_id: int | None = None  # None: the district as a whole (全区)
    head_kind: str | None = None
    is_baobao: bool = False
    user_id: int | None = None
    took_office_on: date | None = None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _head_problem(data: LeaderData, exclude: int | None) -> str | None:
    if not data.head_kind:
        return None
    other = active_head(data.unit_id, data.head_kind, exclude)
    if other is None:
        return None
    where = other.unit.name if other.unit else "全区"
    return f"{where}已有{HEAD_SHORT[data.head_kind]}：{other.label}，请先停用或修改其记录"


def problems(data: LeaderData, leader: Leader | None = None) -> dict[str, str]:
    """Every problem with the fields, by field name, in Chinese."""
    errors: dict[str, str] = {}
    if not _clean(data.name):
        errors["name"] = "请输入姓名"
    elif len(_clean(data.name)) > 50:
        errors["name"] = "姓名不能超过 50 字"
    if not _clean(data.post):
        errors["post"] = "请输入职务，如 区委书记、区长、镇党委书记、镇长、副区长"
    elif len(_clean(data.post)) > 50:
        errors["post"] = "职务不能超过 50 字"
    if data.unit_id is not None:
        unit = db.session.get(Unit, data.unit_id)
        if unit is None or not unit.active or unit.kind not in JURISDICTION_KINDS:
            errors["unit_id"] = "辖区须为全区，或一个启用的乡镇街道、园区"
    if data.head_kind not in (None, *HEAD_KINDS):
        errors["head_kind"] = "请选择党委或政府主要负责人，或留空"
    elif "unit_id" not in errors and (leader is None or leader.active):
        problem = _head_problem(data, leader.id if leader else None)
        if problem:
            errors["head_kind"] = problem
    if data.user_id is not None:
        user = db.session.get(User, data.user_id)
        if user is None or user.role != "leader" or not user.active:
            errors["user_id"] = "只能关联启用的“领导”角色账户"
        else:
            linked = db.session.execute(
                select(Leader).where(Leader.user_id == user.id)
            ).scalar_one_or_none()
            if linked is not None and (leader is None or linked.id != leader.id):
                errors["user_id"] = f"该账户已关联领导 {linked.label}"
    if data.took_office_on and data.took_office_on > today():
        errors["took_office_on"] = "任职日期不能晚于今天"
    return errors


def _apply(leader: Leader, data: LeaderData) -> None:
    leader.name = _clean(data.name)
    leader.post = _clean(data.post)
    leader.unit_id = data.unit_id
    leader.head_kind = data.head_kind or None
    leader.is_baobao = bool(data.is_baobao)
    leader.user_id = data.user_id
    leader.took_office_on = data.took_office_on


def create_leader(data: LeaderData, actor: Any, *, submission_id: str | None = None) -> Leader:
    """Add a leader to the register (once per submission id)."""
    earlier = submissions.earlier(Leader, submission_id)
    if earlier is not None:
        return earlier
    errors = problems(data)
    if errors:
        raise ServiceError(errors)
    leader = Leader(active=True, submission_id=submissions.normalised(submission_id))
    _apply(leader, data)
    db.session.add(leader)
    db.session.flush()
    return leader


def update_leader(leader: Leader, data: LeaderData, actor: Any, version: Any) -> None:
    """Change a leader's record; a form opened before the last change is refused."""
    ensure_current(leader, version)
    errors = problems(data, leader)
    if errors:
        raise ServiceError(errors)
    _apply(leader, data)
    db.session.flush()


def set_active(leader: Leader, active: bool, actor: Any) -> None:
    """Deactivate a leader (left office) or bring them back; nothing is deleted."""
    if active and not leader.active:
        data = LeaderData(
            name=leader.name, post=leader.post, unit_id=leader.unit_id, head_kind=leader.head_kind
        )
        problem = _head_problem(data, leader.id)
        if problem:
            raise ServiceError(problem)
    history.note_reason(db.session, "启用领导" if active else "停用领导")
    leader.active = active
    db.session.flush()
