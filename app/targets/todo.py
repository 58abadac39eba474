"""The to-do page's target sections: a unit's unclaimed targets; the bureau's claim overview."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import select

from app.core.scoping import scoped_select
from app.extensions import db
from app.targets.models import Target
from app.todo.registry import SHOWN, TodoItem, TodoProvider, TodoSection


def _unclaimed(user: Any, on: date) -> list[Target]:
    """The user's targets for this year and later that are set and not yet claimed."""
    stmt = scoped_select(Target, user).where(Target.year >= on.year, Target.claimed_at.is_(None))
    return [t for t in db.session.execute(stmt.order_by(Target.year)).scalars() if not t.is_empty]


def unit_section(user: Any, on: date) -> list[TodoSection]:
    """A unit is asked to claim the targets the bureau has set for it."""
    items = [
        TodoItem(
            title=f"认领{t.year}年目标任务",
            url=url_for("targets.mine", year=t.year),
            detail="投资促进局已下达本单位目标任务，请核对后认领",
            overdue=True,
            tag="待认领",
        )
        for t in _unclaimed(user, on)
    ]
    return [
        TodoSection(
            key="targets.claim",
            title="目标任务认领",
            items=items,
            more_url=url_for("targets.mine"),
            icon="bullseye",
            tone="warning" if items else "primary",
            note="本单位目标任务均已认领",
            order=12,
        )
    ]


def bureau_section(user: Any, on: date) -> list[TodoSection]:
    """Units that have not claimed this year's targets (shown, not counted in the badge)."""
    stmt = select(Target).where(Target.year == on.year, Target.claimed_at.is_(None))
    targets = [t for t in db.session.execute(stmt).scalars() if not t.is_empty]
    items = [
        TodoItem(title=t.unit.name, url=url_for("targets.grid", year=t.year), detail="尚未认领")
        for t in sorted(targets, key=lambda t: t.unit.name)[:SHOWN]
    ]
    return [
        TodoSection(
            key="targets.unclaimed",
            title=f"尚未认领{on.year}年目标任务的单位",
            items=items,
            total=len(targets),
            badge=0,
            more_url=url_for("targets.grid", year=on.year),
            icon="bullseye",
            tone="secondary",
            note="各单位均已认领目标任务",
            order=85,
        )
    ]


def sections(user: Any, on: date) -> list[TodoSection]:
    """The target sections for this user's role."""
    if user.role == "unit":
        return unit_section(user, on)
    if user.role == "bureau":
        return bureau_section(user, on)
    return []


def count(user: Any, on: date) -> int:
    """The badge: a unit's targets waiting to be claimed."""
    return len(_unclaimed(user, on)) if user.role == "unit" else 0


PROVIDER = TodoProvider(
    key="targets", sections=sections, roles=frozenset({"unit", "bureau"}), count=count
)
