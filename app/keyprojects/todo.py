"""The leader's section of the to-do page: 我包保的重点项目, each of this year's key projects the
leader is 包保 for, with its light as of the last ended month and its 三类现象."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for

from app.leaders.queries import leader_for_user as leader_of
from app.reports.figures import keyprojects as kf
from app.reports.figures.period import Period, last_ended
from app.reports.figures.targets import LIGHTS
from app.todo.builtin import link
from app.todo.registry import SHOWN, TodoItem, TodoProvider, TodoSection


def _period(on: date) -> Period | None:
    """The last ended month of this year (None in January: no month of it has ended)."""
    ended = last_ended(on)
    return ended if ended.year == on.year else None


def key_project_url(key_project_id: int) -> str:
    """The key project's own page, or the ledger while that page is not registered."""
    return link("keyprojects.detail", url_for("keyfigures.ledger"), key_project_id=key_project_id)


def _urgency(row: kf.KeyRow) -> tuple:
    """Red first, then yellow, green, unlit; more flags first; then as listed."""
    order = {"red": 0, "yellow": 1, "green": 2}
    return (order.get(row.light or "", 3), -len(row.flags))


def _item(row: kf.KeyRow) -> TodoItem:
    kp = row.key_project
    parts = [kp.programme, kp.unit.name]
    if row.rate is not None:
        parts.append(f"完成率 {row.rate}%")
    parts.extend(kf.FLAGS[k] for k in row.flags)
    return TodoItem(
        title=kp.name,
        url=key_project_url(kp.id),
        detail=" · ".join(parts),
        overdue=row.light == "red",
        tag=LIGHTS[row.light] if row.light else "未亮灯",
    )


def leader_sections(user: Any, on: date) -> list[TodoSection]:
    """The key projects of the leader this account logs in as (none when it is not linked)."""
    leader = leader_of(user)
    if leader is None:
        return []
    period = _period(on)
    if period is None:
        items, note = [], f"{on.year}年尚无已结束的月份，暂无完成情况"
    else:
        rows = kf.key_ledger(user, period, leader_id=leader.id).rows
        items, note = [_item(r) for r in sorted(rows, key=_urgency)], "没有您包保的重点项目"
    return [
        TodoSection(
            key="keyprojects.baobao",
            title="我包保的重点项目" + (f"（{period.label}）" if period else ""),
            items=items[:SHOWN],
            total=len(items),
            badge=0,  # information, not a task: it stays out of the navigation badge
            more_url=url_for("keyfigures.records", key="all", year=period.year,
                             month=period.month, leader_id=leader.id) if period else None,
            icon="building-gear",
            tone="secondary",
            order=60,
            note=note,
        )
    ]


def sections(user: Any, on: date) -> list[TodoSection]:
    """Only leaders have this section."""
    return leader_sections(user, on) if user.role == "leader" else []


PROVIDER = TodoProvider(
    key="keyprojects", sections=sections, roles=frozenset({"leader"}), count=lambda u, on: 0
)
