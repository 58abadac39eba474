"""Scoped reads of key projects: the filtered list, its totals, the blocked ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.core.dates import today
from app.core.pagination import contains_pattern
from app.core.params import whole_number
from app.core.scoping import scoped_select
from app.extensions import db
from app.keyprojects import rules
from app.keyprojects.models import (
    CATEGORIES,
    GUARDED_CATEGORIES,
    PROCEDURE_KINDS,
    KeyProcedure,
    KeyProject,
)
from app.leaders.models import Leader

# A procedure that no longer holds a project back.
SETTLED = ("done", "na")


@dataclass
class KeyProjectFilters:
    """The list's filters as read from the query string (anything unreadable is ignored)."""

    year: int
    category: str | None = None
    programme: str | None = None
    unit_id: int | None = None
    leader_id: int | None = None
    q: str | None = None
    blocked: bool = False

    @classmethod
    def from_args(cls, args: Any) -> KeyProjectFilters:
        category = args.get("category")
        q = " ".join((args.get("q") or "").split())[:100] or None
        programme = " ".join((args.get("programme") or "").split())[:50] or None
        return cls(
            year=whole_number(args.get("year"), 2000, 2100) or today().year,
            category=category if category in CATEGORIES else None,
            programme=programme,
            unit_id=whole_number(args.get("unit_id"), 1),
            leader_id=whole_number(args.get("leader_id"), 1),
            q=q,
            blocked=args.get("blocked") == "1",
        )

    def to_args(self) -> dict[str, Any]:
        """The filters as query-string arguments (for links that keep them)."""
        values = {
            "year": self.year,
            "category": self.category,
            "programme": self.programme,
            "unit_id": self.unit_id,
            "leader_id": self.leader_id,
            "q": self.q,
            "blocked": "1" if self.blocked else None,
        }
        return {k: v for k, v in values.items() if v is not None}


def settled_count(key_project_id: Any):
    """A correlated count of the project's procedures that are 已办结 or 不需要."""
    return (
        select(func.count(KeyProcedure.id))
        .where(KeyProcedure.key_project_id == key_project_id, KeyProcedure.status.in_(SETTLED))
        .scalar_subquery()
    )


def blocked_condition():
    """SQL: a guarded category, not started, and some required procedure not yet settled."""
    return and_(
        KeyProject.category.in_(GUARDED_CATEGORIES),
        KeyProject.started_on.is_(None),
        settled_count(KeyProject.id) < len(PROCEDURE_KINDS),
    )


def key_project_statement(actor: Any, filters: KeyProjectFilters) -> Select:
    """The key projects the actor may see, filtered, in list order."""
    stmt = scoped_select(KeyProject, actor).where(KeyProject.year == filters.year)
    if filters.category:
        stmt = stmt.where(KeyProject.category == filters.category)
    if filters.programme:
        stmt = stmt.where(KeyProject.programme == filters.programme)
    if filters.unit_id:
        stmt = stmt.where(KeyProject.unit_id == filters.unit_id)
    if filters.leader_id:
        stmt = stmt.where(KeyProject.leader_id == filters.leader_id)
    if filters.q:
        pattern = contains_pattern(filters.q)
        stmt = stmt.where(
            or_(
                KeyProject.name.like(pattern, escape="\\"),
                KeyProject.programme.like(pattern, escape="\\"),
            )
        )
    if filters.blocked:
        stmt = stmt.where(blocked_condition())
    return stmt.order_by(KeyProject.programme, KeyProject.id)


def totals(stmt: Select) -> dict[str, int]:
    """Count, total investment and annual plan (元) of everything the statement selects."""
    rows = stmt.order_by(None).subquery()
    count, total, plan = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(rows.c.total_investment), 0),
            func.coalesce(func.sum(rows.c.annual_plan), 0),
        ).select_from(rows)
    ).one()
    return {"count": count, "total": int(total), "plan": int(plan)}


def blocked_ids(key_projects: list[KeyProject]) -> set[int]:
    """Which of these key projects are blocked (one query for the page)."""
    ids = [kp.id for kp in key_projects]
    if not ids:
        return set()
    stmt = select(KeyProject.id).where(KeyProject.id.in_(ids), blocked_condition())
    return set(db.session.execute(stmt).scalars())


def statuses_of(key_project: KeyProject) -> dict[str, str]:
    """The status key of each procedure kind that has a row."""
    return {p.kind: p.status for p in key_project.procedures}


@dataclass
class BlockedRow:
    """A blocked key project with what it lacks: (kind, handling unit name or None)."""

    key_project: KeyProject
    missing: list[tuple[str, str | None]]

    @property
    def text(self) -> str:
        """缺：环评（帮办：生态环境分局）、施工许可（帮办：住建局）"""
        parts = [f"{kind}（帮办：{unit}）" if unit else kind for kind, unit in self.missing]
        return "缺：" + "、".join(parts)


def blocked_statement(actor: Any, year: int) -> Select:
    """The blocked key projects of the year the actor may see, procedures loaded, 工程 order."""
    return (
        scoped_select(KeyProject, actor)
        .where(KeyProject.year == year, blocked_condition())
        .options(selectinload(KeyProject.procedures))
        .order_by(KeyProject.programme, KeyProject.id)
    )


def blocked_row(kp: KeyProject) -> BlockedRow:
    """A blocked key project with its missing procedures and who helps with each."""
    by_kind = {p.kind: p for p in kp.procedures}
    missing = []
    for kind in rules.missing_procedures(statuses_of(kp)):
        row = by_kind.get(kind)
        unit = row.handling_unit.name if row is not None and row.handling_unit else None
        missing.append((kind, unit))
    return BlockedRow(kp, missing)


def blocked(actor: Any, year: int) -> list[BlockedRow]:
    """Every blocked key project of the year the actor may see, with its missing procedures."""
    return [blocked_row(kp) for kp in db.session.execute(blocked_statement(actor, year)).scalars()]


def programmes(actor: Any, year: int) -> list[str]:
    """The 工程 names used in the year's list (for the filter)."""
    stmt = (
        scoped_select(KeyProject, actor)
        .where(KeyProject.year == year)
        .with_only_columns(KeyProject.programme)
        .distinct()
        .order_by(KeyProject.programme)
    )
    return list(db.session.execute(stmt).scalars())


def leader_choices() -> list[tuple[int, str]]:
    """Active leaders as (id, "name（post）"), 包保 leaders first."""
    rows = db.session.execute(
        select(Leader.id, Leader.name, Leader.post)
        .where(Leader.active.is_(True))
        .order_by(Leader.is_baobao.desc(), Leader.id)
    ).all()
    return [(r.id, f"{r.name}（{r.post}）") for r in rows]


def linked_to_project(actor: Any, project_id: int) -> list[KeyProject]:
    """The key projects (any year) that grew from this 招商 project, newest year first."""
    stmt = (
        scoped_select(KeyProject, actor)
        .where(KeyProject.project_id == project_id)
        .order_by(KeyProject.year.desc())
    )
    return list(db.session.execute(stmt).scalars())


def carry_over_sources(year: int) -> list[KeyProject]:
    """Last year's unfinished key projects (year - 1, not deleted, no 竣工日期)."""
    stmt = (
        select(KeyProject)
        .where(
            KeyProject.year == year - 1,
            KeyProject.deleted_at.is_(None),
            KeyProject.completed_on.is_(None),
        )
        .options(selectinload(KeyProject.team), selectinload(KeyProject.procedures))
        .order_by(KeyProject.id)
    )
    return list(db.session.execute(stmt).scalars())


def carried_ids(year: int) -> set[int]:
    """Ids of last year's key projects already carried into this year."""
    stmt = select(KeyProject.carried_from_id).where(
        KeyProject.year == year,
        KeyProject.carried_from_id.is_not(None),
        KeyProject.deleted_at.is_(None),
    )
    return set(db.session.execute(stmt).scalars())
