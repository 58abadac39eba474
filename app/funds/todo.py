"""The to-do page's funds sections: the bureau's entries waiting for verification; a unit's
entries sent back and not yet entered again."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from app.core.money import format_wan
from app.core.scoping import scoped_select
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.queries import mentioned
from app.todo.registry import SHOWN, TodoItem, TodoProvider, TodoSection, total_of

REJECTED_DAYS = 60  # a unit is reminded of an entry sent back for this long


def _pending(user: Any) -> Select:
    return scoped_select(FundsEntry, user).where(FundsEntry.status == "pending")


def _sent_back(user: Any, on: date) -> Select:
    """Entries sent back lately whose 凭证号 has not been entered again for the project."""
    again = aliased(FundsEntry)
    entered_again = (
        select(again.id)
        .where(
            again.project_id == FundsEntry.project_id,
            again.evidence_key == FundsEntry.evidence_key,
            again.id > FundsEntry.id,
        )
        .exists()
    )
    since = datetime.combine(on - timedelta(days=REJECTED_DAYS), time.min)
    return scoped_select(FundsEntry, user).where(
        FundsEntry.status == "rejected", FundsEntry.verified_at >= since, ~entered_again
    )


def _total(stmt: Select) -> int:
    return db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()


def _item(entry: FundsEntry, tag: str, detail: str) -> TodoItem:
    return TodoItem(
        title=entry.project.name,
        url=url_for("funds.entry", entry_id=entry.id),
        detail=detail,
        tag=tag,
    )


def bureau_sections(user: Any, on: date) -> list[TodoSection]:
    """Entries waiting for the bureau's verification, oldest first."""
    stmt = _pending(user)
    shown = stmt.order_by(FundsEntry.id).limit(SHOWN).options(*mentioned(FundsEntry.project))
    entries = list(db.session.execute(shown).scalars())
    items = [
        _item(e, "待核实", f"{format_wan(e.amount)} 万元 · {e.project.unit.name} · {e.received_on}")
        for e in entries
    ]
    return [
        TodoSection(
            key="funds.pending",
            title="待核实的到位资金",
            items=items,
            total=total_of(entries, lambda: _total(stmt)),
            more_url=url_for("funds.index", status="pending"),
            icon="cash-coin",
            tone="warning" if items else "primary",
            note="没有待核实的到位资金",
            order=20,
        )
    ]


def unit_sections(user: Any, on: date) -> list[TodoSection]:
    """Entries the bureau sent back, with its note, until they are entered again."""
    stmt = _sent_back(user, on)
    shown = stmt.order_by(FundsEntry.id.desc()).limit(SHOWN)
    shown = shown.options(*mentioned(FundsEntry.project, unit=False))
    entries = list(db.session.execute(shown).scalars())
    items = [
        _item(e, "已退回", f"{format_wan(e.amount)} 万元 · 退回原因：{e.verification_note}")
        for e in entries
    ]
    return [
        TodoSection(
            key="funds.rejected",
            title="被退回的到位资金",
            items=items,
            total=total_of(entries, lambda: _total(stmt)),
            more_url=url_for("funds.index", status="rejected"),
            icon="cash-coin",
            tone="danger" if items else "primary",
            note="没有被退回的到位资金",
            order=20,
        )
    ]


def sections(user: Any, on: date) -> list[TodoSection]:
    """The funds sections for this user's role."""
    if user.role == "bureau":
        return bureau_sections(user, on)
    if user.role == "unit":
        return unit_sections(user, on)
    return []


def count(user: Any, on: date) -> int:
    """The badge: pending entries for the bureau, entries sent back for a unit."""
    if user.role == "bureau":
        return _total(_pending(user))
    if user.role == "unit":
        return _total(_sent_back(user, on))
    return 0


PROVIDER = TodoProvider(
    key="funds", sections=sections, roles=frozenset({"bureau", "unit"}), count=count
)
