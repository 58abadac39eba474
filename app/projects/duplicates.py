"""Duplicates: the same USCC or the same normalised investor name; flagging, groups, merging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from app.core import history
from app.core.db import Base, utcnow
from app.core.forms import ServiceError
from app.extensions import db
from app.projects.models import Project
from app.units.models import Unit


@dataclass(frozen=True)
class Match:
    """Another project that looks like the same investor."""

    project_id: int
    name: str
    investor_name: str
    unit_name: str
    unit_id: int
    same_uscc: bool


class DuplicateFound(ServiceError):
    """Saving would create a likely duplicate; the user must confirm."""

    def __init__(self, matches: list[Match]):
        self.matches = matches
        names = "、".join(f"{m.unit_name}" for m in matches[:5])
        super().__init__({"": f"疑似重复：{names} 已登记同一投资方的项目，请核实后确认保存"})


def _active():
    return (Project.deleted_at.is_(None),)


def find_duplicates(investor_key: str, code: str | None, exclude: int | None = None) -> list[Match]:
    """Projects (any unit) with the same USCC or the same normalised investor name."""
    conditions = [Project.investor_key == investor_key] if investor_key else []
    if code:
        conditions.append(Project.uscc == code)
    if not conditions:
        return []
    stmt = (
        select(Project.id, Project.name, Project.investor_name, Project.uscc, Unit.name, Unit.id)
        .join(Unit, Unit.id == Project.unit_id)
        .where(or_(*conditions), *_active())
        .order_by(Project.id)
        .limit(20)
    )
    if exclude:
        stmt = stmt.where(Project.id != exclude)
    return [
        Match(r[0], r[1], r[2], r[4], r[5], bool(code) and r[3] == code)
        for r in db.session.execute(stmt)
    ]


def duplicate_groups() -> list[list[Project]]:
    """Groups of two or more live projects sharing a USCC or a normalised investor name."""
    keys = (
        select(Project.investor_key)
        .where(*_active())
        .group_by(Project.investor_key)
        .having(func.count() > 1)
    )
    codes = (
        select(Project.uscc)
        .where(*_active(), Project.uscc.is_not(None))
        .group_by(Project.uscc)
        .having(func.count() > 1)
    )
    rows = (
        db.session.execute(
            select(Project)
            .where(*_active(), or_(Project.investor_key.in_(keys), Project.uscc.in_(codes)))
            .order_by(Project.investor_key, Project.id)
        )
        .scalars()
        .all()
    )
    groups: dict[str, list[Project]] = {}
    seen_code: dict[str, str] = {}
    for project in rows:
        key = seen_code.get(project.uscc or "", project.investor_key)
        groups.setdefault(key, []).append(project)
        if project.uscc:
            seen_code.setdefault(project.uscc, key)
    return [g for g in groups.values() if len(g) > 1]


def _children() -> list[type]:
    """Every mapped class, of any domain, that hangs off a project by project_id."""
    return [
        m.class_
        for m in Base.registry.mappers
        if m.class_ is not Project and "project_id" in m.columns
    ]


def merge(keep: Project, gone: Project, reason: str, actor: Any) -> int:
    """Merge `gone` into `keep`: its follow-ups, funds, contacts and other records move;
    `gone` is marked deleted and points at `keep`. Returns how many records moved."""
    if keep.id == gone.id:
        raise ServiceError("不能把项目合并到它自己")
    if not (reason or "").strip():
        raise ServiceError({"reason": "请填写合并原因"})
    history.note_reason(db.session, f"合并重复项目 {gone.id} → {keep.id}：{reason.strip()}")
    moved = 0
    for cls in _children():
        for row in db.session.execute(select(cls).where(cls.project_id == gone.id)).scalars():
            row.project_id = keep.id
            moved += 1
    for name in ("uscc", "chain_tag", "leader_id", "event_id"):
        if getattr(keep, name) is None and getattr(gone, name) is not None:
            setattr(keep, name, getattr(gone, name))
    gone.merged_into_id = keep.id
    gone.deleted_at = utcnow()
    gone.deleted_by_id = getattr(actor, "id", None)
    return moved
