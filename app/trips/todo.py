"""The to-do page's trip sections: a head's own trip this month; heads who have not gone."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for

from app.leaders.queries import leader_for_user
from app.reports.figures import trips as figures
from app.todo.registry import SHOWN, TodoItem, TodoProvider, TodoSection


def leader_section(user: Any, on: date) -> list[TodoSection]:
    """A head who has no trip this month is asked to log one (it counts in the badge)."""
    leader = leader_for_user(user)
    if leader is None:
        return []
    went = figures.has_trip_this_month(leader, on)
    required = figures.is_required(leader)
    items = []
    if not went:
        items.append(
            TodoItem(
                title=f"{on.month}月尚未登记外出招商",
                url=url_for("trips.create"),
                detail="主要负责人每月至少外出招商一次" if required else "外出后请登记",
                overdue=required,
                tag="请登记" if required else "",
            )
        )
    return [
        TodoSection(
            key="trips.mine",
            title="本月外出招商",
            items=items,
            badge=1 if items and required else 0,
            more_url=url_for("trips.index", leader_id=leader.id),
            icon="airplane",
            tone="warning" if items and required else "primary",
            note=f"{on.month}月已登记外出招商",
            order=15,
        )
    ]


def bureau_section(user: Any, on: date) -> list[TodoSection]:
    """The heads with no trip yet this month (shown, not counted in the badge)."""
    missing = figures.missing_this_month(user, on)
    items = [
        TodoItem(
            title=f"{x.name}（{x.title}）",
            url=url_for("trips.index", leader_id=x.id),
            detail=f"{on.month}月尚未外出招商",
        )
        for x in missing[:SHOWN]
    ]
    return [
        TodoSection(
            key="trips.missing",
            title=f"{on.month}月尚未外出招商的主要负责人",
            items=items,
            total=len(missing),
            badge=0,
            more_url=url_for("trips.compliance"),
            icon="airplane",
            tone="secondary",
            note="本月主要负责人均已外出招商",
            order=80,
        )
    ]


def sections(user: Any, on: date) -> list[TodoSection]:
    """The trip sections for this user's role."""
    if user.role == "leader":
        return leader_section(user, on)
    if user.role == "bureau":
        return bureau_section(user, on)
    return []


def count(user: Any, on: date) -> int:
    """The badge: 1 for a head who has not logged a trip this month."""
    if user.role != "leader":
        return 0
    leader = leader_for_user(user)
    if leader is None or not figures.is_required(leader):
        return 0
    return 0 if figures.has_trip_this_month(leader, on) else 1


PROVIDER = TodoProvider(
    key="trips", sections=sections, roles=frozenset({"leader", "bureau"}), count=count
)
