"""Aftercare's sections of the to-do page: problems to hand over, to work, overdue; overdue
commitments; problems escalated to a leader."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import Select

from app.care import queries
from app.care.models import Commitment, Problem
from app.core.pagination import count
from app.extensions import db
from app.projects.queries import mentioned
from app.reports.figures import attention
from app.todo import TodoItem, TodoProvider, TodoSection
from app.todo.registry import SHOWN, total_of


def _first(stmt: Select) -> tuple[list, int]:
    """A section's first rows and its total (counted only when they fill the section)."""
    first = list(db.session.execute(stmt.limit(SHOWN)).unique().scalars())
    return first, total_of(first, lambda: count(stmt))


def _late(days: int) -> str:
    return f"逾期 {days} 天"


def problem_item(problem: Problem, on: date) -> TodoItem:
    """A problem as a to-do item, linking to the page where it is worked."""
    unit = problem.handling_unit.name if problem.handling_unit else "待交办"
    detail = f"{problem.subject_label} · 承办：{unit}"
    if problem.level:
        detail += f" · 已上报{problem.level_label}"
    overdue = problem.is_overdue(on)
    return TodoItem(
        title=f"【{problem.category}】{problem.description[:40]}",
        url=url_for("care.problem_detail", problem_id=problem.id),
        detail=detail,
        due_on=problem.deadline,
        overdue=overdue,
        tag=_late((on - problem.deadline).days) if overdue else problem.status_label,
    )


def commitment_item(commitment: Commitment, on: date) -> TodoItem:
    """An overdue commitment, linking to where it is marked kept."""
    return TodoItem(
        title=commitment.promise[:40],
        url=url_for("care.commitment_fulfil", commitment_id=commitment.id),
        detail=f"{commitment.project.name} · 兑现单位：{commitment.delivering_unit.name}",
        due_on=commitment.due_on,
        overdue=True,
        tag=_late((on - commitment.due_on).days),
    )


def _problem_section(key, title, stmt, on, **kwargs) -> TodoSection:
    problems, total = _first(stmt)
    return TodoSection(
        key=key,
        title=title,
        items=[problem_item(p, on) for p in problems],
        total=total,
        icon=kwargs.pop("icon", "flag"),
        **kwargs,
    )


def statements(user: Any, on: date) -> dict[str, Select]:
    """The statement behind each of the user's sections: the page and the badge count both
    run these, so the two cannot disagree."""
    if user.role == "unit":
        return {
            "handed": queries.handed_to_unit(user, user.unit_id),
            "elsewhere": attention.overdue_problems(user, on).where(
                (Problem.handling_unit_id != user.unit_id) | Problem.handling_unit_id.is_(None)
            ),
            "commitments": attention.overdue_commitments(user, on),
        }
    if user.role == "bureau":
        return {
            "unassigned": queries.awaiting_assignment(user),
            "overdue": attention.overdue_problems(user, on),
        }
    leader = queries.leader_of(user)
    return {"escalated": queries.escalated_to(user, leader)} if leader else {}


def unit_sections(user: Any, on: date) -> list[TodoSection]:
    """A unit: problems handed to it, its projects' overdue problems handled elsewhere, its
    projects' overdue commitments."""
    stmts = statements(user, on)
    handed, elsewhere = stmts["handed"], stmts["elsewhere"]
    commitments, total = _first(
        stmts["commitments"].options(*mentioned(Commitment.project, unit=False))
    )
    return [
        _problem_section(
            "care.handed",
            "交办本单位办理的问题",
            handed,
            on,
            more_url=url_for("care.problems", state="open", handling_unit_id=user.unit_id),
            tone="warning",
            order=20,
            note="没有待办理的交办问题",
        ),
        _problem_section(
            "care.overdue_elsewhere",
            "本单位项目的逾期问题（他单位承办）",
            elsewhere,
            on,
            more_url=url_for("care.problems", state="overdue", unit_id=user.unit_id),
            tone="danger",
            order=30,
            note="本单位项目没有逾期未办结的问题",
        ),
        TodoSection(
            key="care.overdue_commitments",
            title="逾期未兑现的承诺事项",
            items=[commitment_item(c, on) for c in commitments],
            total=total,
            icon="patch-exclamation",
            tone="danger",
            order=40,
            note="没有逾期的承诺事项",
        ),
    ]


def bureau_sections(user: Any, on: date) -> list[TodoSection]:
    """The bureau: requests awaiting a handling unit, and overdue problems everywhere."""
    return [
        _problem_section(
            "care.unassigned",
            "待交办的问题",
            statements(user, on)["unassigned"],
            on,
            more_url=url_for("care.problems", state="unassigned"),
            icon="inbox",
            tone="warning",
            order=20,
            note="没有待交办的问题",
        ),
        _problem_section(
            "care.overdue",
            "逾期未办结的问题",
            statements(user, on)["overdue"],
            on,
            more_url=url_for("care.problems", state="overdue"),
            tone="danger",
            order=30,
            note="没有逾期的问题",
        ),
    ]


def leader_sections(user: Any, on: date) -> list[TodoSection]:
    """A leader: the open problems escalated to them."""
    stmt = statements(user, on).get("escalated")
    if stmt is None:
        return []
    return [
        _problem_section(
            "care.escalated",
            "上报给我的问题",
            stmt,
            on,
            icon="megaphone",
            tone="danger",
            order=20,
            note="没有上报给您的问题",
        )
    ]


def sections(user: Any, on: date) -> list[TodoSection]:
    """Aftercare's sections for this user's role."""
    builders = {"unit": unit_sections, "bureau": bureau_sections, "leader": leader_sections}
    builder = builders.get(user.role)
    return builder(user, on) if builder else []


def badge(user: Any, on: date) -> int:
    """Every item of the user's sections counts: a cheap COUNT per section."""
    return sum(count(stmt) for stmt in statements(user, on).values())


PROVIDER = TodoProvider(
    key="care", sections=sections, roles=frozenset({"unit", "bureau", "leader"}), count=badge
)
