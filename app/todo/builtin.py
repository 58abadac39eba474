"""The to-do sections of the projects domain: due follow-ups, stalled and not-started projects,
duplicates for the bureau, and a leader's own 包保 projects."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import lazyload

from app.care import lists as care_lists
from app.care.models import Problem
from app.care.queries import baobao_projects, leader_of, open_problem_condition
from app.core import lists
from app.core.navigation import BADGE_MOST
from app.core.pagination import by_keys, count
from app.extensions import db
from app.projects.duplicates import count_duplicate_groups, duplicate_groups
from app.projects.models import FollowUp, Project
from app.projects.queries import days_in_stage, due_follow_ups, mentioned
from app.reports.figures import attention
from app.todo.registry import (
    COUNTED_MOST,
    SHOWN,
    TodoItem,
    TodoProvider,
    TodoSection,
    total_of,
)


def link(endpoint: str, fallback: str | None = None, **values: Any) -> str | None:
    """url_for an endpoint that may not be registered (yet); else the fallback ("" for none)."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return fallback if fallback is not None else url_for("main.home")


def project_url(project_id: int) -> str:
    """The project page, where its follow-ups, milestones and aftercare are dealt with."""
    return link("projects.detail", project_id=project_id)


def follow_up_section(user: Any, on: date) -> TodoSection:
    """The user's follow-ups whose next step is due (docs/domain.md, "Follow-ups")."""
    stmt = due_follow_ups(user, on)
    shown = (lazyload(FollowUp.user), *mentioned(FollowUp.project, unit=False))
    follow_ups = by_keys(stmt.limit(SHOWN), FollowUp.id, *shown)
    # Counted no further than the page shows (1000+): the bureau's 75,000 due at 100,000
    # projects cost 100 ms to count exactly; the due list counts them.
    found = total_of(follow_ups, lambda: count(stmt, up_to=COUNTED_MOST + 1))
    items = [
        TodoItem(
            title=f.next_step or f.summary[:40],
            url=project_url(f.project_id),
            detail=f"{f.project.name} · {f.happened_on} {f.kind}",
            due_on=f.next_due_on,
            overdue=f.next_due_on < on,
            tag="今天到期" if f.next_due_on == on else f"已过期 {(on - f.next_due_on).days} 天",
        )
        for f in follow_ups
    ]
    return TodoSection(
        key="projects.due_follow_ups",
        title="到期的跟进",
        items=items,
        total=min(found, COUNTED_MOST),
        beyond=found > COUNTED_MOST,
        more_url=link("projects.due", "") or None,
        icon="alarm",
        order=10,
        note="没有到期的跟进",
    )


def _attention_items(rows, on: date, what: str) -> list[TodoItem]:
    return [
        TodoItem(
            title=r.project.name,
            url=project_url(r.project.id),
            detail=f"{r.project.unit.name} · {r.project.stage.label} · {what} {r.days} 天"
            + (f" · 最近跟进 {r.last_follow_up}" if r.last_follow_up else " · 尚无跟进"),
            overdue=True,
            tag=f"超时限 {r.days_over} 天",
        )
        for r in rows[:SHOWN]
    ]


def _first(spec: lists.ListSpec, user: Any) -> list[Any]:
    """The first SHOWN rows of a list, in its default order: their keys and per-row columns
    from the index, then those projects (a unit's 1,500 stalled projects read whole to sort
    them cost 10 ms at 100,000 projects on PostgreSQL, by key 3)."""
    return by_keys(spec.sorted_statement(user, {}).limit(SHOWN), Project.id, *mentioned())


def attention_sections(user: Any, on: date) -> list[TodoSection]:
    """A unit's stalled projects (进而不快) and signed projects not started in time: the first
    few in their list's order and the exact counts (a unit's 1,500 stalled projects loaded
    whole cost 100 ms more than these few)."""
    limits, limit = attention.stage_limits(), attention.not_started_limit()
    first_stalled = _first(care_lists.STALLED, user)
    first_late = _first(care_lists.NOT_STARTED, user)
    stalled = [
        attention.stalled_row(project, last_on, on, limits)
        for project, last_on, _days_over in first_stalled
    ]
    late = [attention.not_started_row(p, last_on, on, limit) for p, last_on in first_late]
    return [
        TodoSection(
            key="attention.stalled",
            title="进而不快的项目",
            items=_attention_items(stalled, on, "本阶段已"),
            total=total_of(first_stalled, lambda: attention.count_stalled(user, on)),
            more_url=url_for("care.stalled"),
            icon="hourglass-split",
            tone="warning",
            order=50,
            note="没有超过阶段时限的项目",
        ),
        TodoSection(
            key="attention.not_started",
            title="超时限未开工的项目",
            items=_attention_items(late, on, "签约已"),
            total=total_of(first_late, lambda: attention.count_not_started(user, on)),
            more_url=url_for("care.stalled", _anchor="not-started"),
            icon="cone-striped",
            tone="warning",
            order=60,
            note="没有超时限未开工的项目",
        ),
    ]


def duplicate_section(user: Any, on: date) -> TodoSection:
    """The first groups of projects that look like the same investor, for the bureau to
    merge, with the exact number of groups (two grouped queries, docs/domain.md "Duplicates")."""
    groups = duplicate_groups(0, SHOWN)
    items = [
        TodoItem(
            title="、".join(p.name for p in group[:3]) + ("等" if len(group) > 3 else ""),
            url=link("duplicates.index", project_url(group[0].id)),
            detail=f"{group[0].investor_name} · {len(group)} 个项目 · "
            + "、".join(sorted({p.unit_name for p in group})),
        )
        for group in groups
    ]
    return TodoSection(
        key="projects.duplicates",
        title="疑似重复的项目",
        items=items,
        total=total_of(groups, count_duplicate_groups),
        more_url=link("duplicates.index", "") or None,
        icon="files",
        tone="warning",
        order=70,
        note="没有疑似重复的项目",
        badge=0,  # a clean-up list: not in the nav badge, which must stay cheap on every page
    )


def _open_problem_counts(project_ids: list[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    stmt = (
        select(Problem.project_id, func.count())
        .join(Project, Project.id == Problem.project_id)
        .where(Problem.project_id.in_(project_ids), Problem.deleted_at.is_(None))
        .where(open_problem_condition())
        .group_by(Problem.project_id)
    )
    return dict(db.session.execute(stmt).all())


def leader_projects_section(user: Any, on: date) -> list[TodoSection]:
    """A leader's own 包保 projects with their state; stalled ones count in the badge."""
    leader = leader_of(user)
    if leader is None:
        return [
            TodoSection(
                key="leader.unlinked",
                title="我包保的项目",
                note="您的账户尚未关联领导信息，请联系系统管理员在领导名录中关联。",
                icon="person-badge",
                order=10,
            )
        ]
    stmt = baobao_projects(user, leader)
    projects = list(db.session.execute(stmt).scalars())
    open_problems = _open_problem_counts([p.id for p in projects])
    limits = attention.stage_limits()
    mine = attention.AttentionFilters(leader_id=leader.id)
    stalled_ids = {r.project.id for r in attention.stalled_projects(user, on, mine)}
    late_ids = {r.project.id for r in attention.not_started_projects(user, on, mine)}
    items = []
    for p in projects:
        limit = limits.get(p.stage.key)
        state = f"{p.stage.label} {days_in_stage(p, on)} 天"
        if limit:
            state += f"（时限 {limit} 天）"
        tags = []
        if p.id in stalled_ids:
            tags.append("进而不快")
        if p.id in late_ids:
            tags.append("超时限未开工")
        if open_problems.get(p.id):
            state += f" · 未办结问题 {open_problems[p.id]} 个"
        items.append(
            TodoItem(
                title=p.name,
                url=project_url(p.id),
                detail=f"{p.unit.name} · {state}",
                overdue=bool(tags),
                tag="、".join(tags) or p.stage.label,
            )
        )
    items.sort(key=lambda i: not i.overdue)  # the stalled and late ones first
    needing = sum(i.overdue for i in items)
    return [
        TodoSection(
            key="leader.projects",
            title="我包保的项目",
            items=items[:SHOWN],
            total=len(items),
            badge=needing,
            more_url=link("projects.index", "", leader_id=leader.id) or None,
            icon="person-badge",
            order=10,
            note="您目前没有包保的项目",
        )
    ]


def sections(user: Any, on: date) -> list[TodoSection]:
    """The projects domain's sections for this user's role."""
    if user.role == "unit":
        return [follow_up_section(user, on), *attention_sections(user, on)]
    if user.role == "bureau":
        return [follow_up_section(user, on), duplicate_section(user, on)]
    if user.role == "leader":
        return leader_projects_section(user, on)
    return []


def _leader_needing(user: Any, on: date) -> int:
    leader = leader_of(user)
    if leader is None:
        return 0
    late = or_(
        attention.stalled_condition(on, attention.stage_limits()),
        attention.not_started_condition(on, attention.not_started_limit()),
    )
    stmt = baobao_projects(user, leader).where(late).with_only_columns(func.count(Project.id))
    return db.session.execute(stmt.order_by(None)).scalar_one()


def badge(user: Any, on: date) -> int:
    """The same counts as the sections, without building them (every page shows the badge)."""
    if user.role == "leader":
        return _leader_needing(user, on)
    # At most one past what the badge shows (99+): a user owning 150,000 follow-ups costs the
    # same as one owning none (the to-do page counts them to 1000+, the due list exactly).
    total = count(due_follow_ups(user, on), up_to=BADGE_MOST + 1)
    if user.role == "unit":
        return total + attention.count_stalled(user, on) + attention.count_not_started(user, on)
    # Duplicates are a clean-up list on the page, not counted in the badge: the badge is on
    # every page and must stay a few cheap COUNTs (loading the groups cost seconds at 100k).
    return total


PROVIDER = TodoProvider(
    key="projects",
    sections=sections,
    roles=frozenset({"unit", "bureau", "leader"}),
    count=badge,
)
