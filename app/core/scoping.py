"""Scoping: the one place that decides which rows an acting user may see.

Every domain model a unit owns implements `unit_scope(unit_id)`, a SQL condition true for the
rows that unit may see. Every list, count, search, chart, export and detail page builds its
statement with `scoped_select()` or `apply_scope()` and loads single rows with `get_or_404()`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, g
from sqlalchemy import ColumnElement, Select, false, select, true

from app.extensions import db

# Roles that read every unit's records. The auditor reads the logs and no business data.
SEES_ALL_UNITS = frozenset({"admin", "bureau", "leader"})

M = TypeVar("M")


class UnitScoped:
    """Mixin for models owned by units."""

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        raise NotImplementedError


def scope_condition(model: Any, actor: Any) -> ColumnElement[bool]:
    """The SQL condition limiting `model` to what `actor` may see."""
    role = getattr(actor, "role", None)
    if role in SEES_ALL_UNITS:
        return true()
    if role == "unit" and actor.unit_id is not None:
        return model.unit_scope(actor.unit_id)
    return false()


def apply_scope(stmt: Select, model: Any, actor: Any) -> Select:
    """Limit a statement over `model` to the actor's scope and leave out soft-deleted rows."""
    stmt = stmt.where(scope_condition(model, actor))
    if hasattr(model, "deleted_at"):
        stmt = stmt.where(model.deleted_at.is_(None))
    return stmt


def scoped_select(model: type[M], actor: Any) -> Select:
    """`select(model)` limited to the actor's scope."""
    return apply_scope(select(model), model, actor)


def get_or_404(model: type[M], record_id: Any, actor: Any, *options: Any) -> M:
    """Load one record within the actor's scope, or answer 404 as if it did not exist."""
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        abort(404)
    stmt = scoped_select(model, actor).where(model.id == record_id)
    if options:
        stmt = stmt.options(*options)
    obj = db.session.execute(stmt).scalar_one_or_none()
    if obj is None:
        if db.session.get(model, record_id) is not None:
            # It exists but lies outside the actor's scope: log the refusal, answer 404.
            g.refused = {"table": model.__tablename__, "record_id": record_id}
        abort(404)
    return obj
