"""Reads on units."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.units.models import UNIT_KINDS, Unit


def unit_choices(active_only: bool = True) -> list[tuple[int, str]]:
    """(id, name) pairs for select fields, grouped by kind then name."""
    stmt = select(Unit.id, Unit.name, Unit.kind)
    if active_only:
        stmt = stmt.where(Unit.active.is_(True))
    rows = db.session.execute(stmt).all()
    order = {kind: i for i, kind in enumerate(UNIT_KINDS)}
    rows.sort(key=lambda r: (order.get(r.kind, 99), r.name))
    return [(r.id, r.name) for r in rows]


def unit_by_name(name: str) -> Unit | None:
    """The unit with exactly this name (imports match units by name)."""
    return db.session.execute(select(Unit).where(Unit.name == name.strip())).scalar_one_or_none()
