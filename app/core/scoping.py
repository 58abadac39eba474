"""Scoping: the one place that decides which rows an acting user may see.

Every model a unit owns subclasses `UnitScoped` and implements `unit_scope(unit_id)`, a SQL
condition true for the rows that unit may see. Every ORM statement the session runs (lists,
counts, joins, subqueries, relationship loads, `session.get`) is limited to the current
actor's scope automatically (`do_orm_execute` + `with_loader_criteria`): a query written
without a thought for scoping still shows a unit user only its own rows, and a role this
module does not know sees none. District-wide reads say so, by name, with `district_wide()`.

The current actor is the one named for the session (`set_actor`: CLI commands, jobs, tests,
and every request through the auth hooks), else the logged-in user of the request (nobody when
anonymous), else, outside any request, the system.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, TypeVar

from flask import abort, g, has_request_context
from sqlalchemy import ColumnElement, Select, event, false, select, true
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

# Roles that read every unit's records. The auditor reads the logs and no business data.
SEES_ALL_UNITS = frozenset({"admin", "bureau", "leader"})

M = TypeVar("M")

_ACTOR_KEY = "actor"
_DISTRICT_WIDE: ContextVar[str | None] = ContextVar("district_wide", default=None)


class UnitScoped:
    """Mixin for models owned by units; their rows are scoped automatically.

    A register every unit may read (the units themselves) sets `__auto_scoped__ = False`
    and keeps `unit_scope` for the reads that cut it explicitly.
    """

    __auto_scoped__ = True

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        raise NotImplementedError


class _Named:
    """An actor that is not a user: the system, or nobody."""

    id = None
    unit_id = None
    is_authenticated = False

    def __init__(self, role: str, username: str):
        self.role = role
        self.username = username

    def __repr__(self) -> str:
        return f"<actor {self.role}>"


# The system (CLI commands, seeding, recomputes outside a request) sees the whole district;
# nobody (an anonymous request) sees no unit-owned row.
SYSTEM = _Named("system", "系统")
NOBODY = _Named("nobody", "系统")


# ---------------------------------------------------------------- who is acting


def set_actor(session: Any, actor: Any | None) -> None:
    """Name who acts in this session: a user, None for the system; an anonymous user is nobody."""
    if actor is None:
        actor = SYSTEM
    elif not isinstance(actor, _Named) and not getattr(actor, "is_authenticated", True):
        actor = NOBODY
    session.info[_ACTOR_KEY] = actor


@contextmanager
def acting_as(session: Any, actor: Any | None) -> Iterator[None]:
    """Act as `actor` inside the block (a job or a test), then restore whoever acted before."""
    missing = object()
    before = session.info.get(_ACTOR_KEY, missing)
    set_actor(session, actor)
    try:
        yield
    finally:
        if before is missing:
            session.info.pop(_ACTOR_KEY, None)
        else:
            session.info[_ACTOR_KEY] = before


def current_actor(session: Any) -> Any:
    """The actor named for the session, else the request's logged-in user, else the system."""
    named = session.info.get(_ACTOR_KEY)
    if named is not None:
        return named
    if has_request_context():
        from flask_login import current_user

        with district_wide("loading the logged-in user"):
            user = current_user._get_current_object()
        return user if getattr(user, "is_authenticated", False) else NOBODY
    return SYSTEM


# ---------------------------------------------------------------- what the actor sees


def sees_whole_district(actor: Any) -> bool:
    """True for the system and the roles that read every unit's records (the allow-list)."""
    return actor is SYSTEM or getattr(actor, "role", None) in SEES_ALL_UNITS


def own_unit(actor: Any) -> int | None:
    """The unit a unit user is limited to; None for everyone else."""
    if getattr(actor, "role", None) == "unit":
        return getattr(actor, "unit_id", None)
    return None


def scope_key(actor: Any) -> tuple:
    """Who sees the same records: the role, and the unit when the role sees only its own (the
    key a value computed from scoped records is kept under, app/core/kept.py)."""
    unit = None if sees_whole_district(actor) else own_unit(actor)
    return (getattr(actor, "role", None), unit)


def scope_condition(model: Any, actor: Any) -> ColumnElement[bool]:
    """The SQL condition limiting `model` to what `actor` may see."""
    if sees_whole_district(actor):
        return true()
    unit_id = own_unit(actor)
    if unit_id is not None:
        return model.unit_scope(unit_id)
    return false()


def unit_condition(column: Any, actor: Any) -> ColumnElement[bool]:
    """Rows whose owning-unit `column` the actor may see (for tables that are not UnitScoped)."""
    if sees_whole_district(actor):
        return true()
    unit_id = own_unit(actor)
    return column == unit_id if unit_id is not None else false()


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
    from app.extensions import db

    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        abort(404)
    stmt = scoped_select(model, actor).where(model.id == record_id)
    if options:
        stmt = stmt.options(*options)
    obj = db.session.execute(stmt).scalar_one_or_none()
    if obj is None:
        with district_wide("telling a refused id from a missing one"):
            exists = db.session.execute(select(model.id).where(model.id == record_id)).first()
        if exists is not None:
            # It exists but lies outside the actor's scope: log the refusal, answer 404.
            g.refused = {"table": model.__tablename__, "record_id": record_id}
        abort(404)
    return obj


# ---------------------------------------------------------------- the automatic scope


@contextmanager
def district_wide(reason: str) -> Iterator[None]:
    """Read every unit's rows inside the block; `reason` names why (grep for district_wide)."""
    if not reason:
        raise ValueError("district_wide needs a reason")
    token = _DISTRICT_WIDE.set(reason)
    try:
        yield
    finally:
        _DISTRICT_WIDE.reset(token)


def is_district_wide() -> bool:
    """True inside a `district_wide()` block."""
    return _DISTRICT_WIDE.get() is not None


def auto_scoped_models() -> list[type]:
    """Every mapped class scoped automatically."""
    from app.core.db import Base

    return sorted(
        (
            m.class_
            for m in Base.registry.mappers
            if issubclass(m.class_, UnitScoped) and m.class_.__auto_scoped__
        ),
        key=lambda cls: cls.__name__,
    )


@lru_cache(maxsize=512)
def _criteria(unit_id: int | None) -> tuple:
    """The loader criteria for a unit's users (None: for those who see nothing)."""
    return tuple(
        with_loader_criteria(
            cls,
            cls.unit_scope(unit_id) if unit_id is not None else false(),
            include_aliases=True,
            propagate_to_loaders=False,  # every relationship load is scoped afresh, below
        )
        for cls in auto_scoped_models()
    )


def restricts(session: Any) -> bool:
    """Whether the session's current statements are cut to less than the whole district."""
    return not is_district_wide() and not sees_whole_district(current_actor(session))


def criteria_for(actor: Any) -> tuple:
    """The loader criteria limiting every unit-owned model to the actor's scope."""
    if sees_whole_district(actor):
        return ()
    return _criteria(own_unit(actor))


def _district_wide_relationship(state: ORMExecuteState) -> bool:
    """A relationship declared with `info={"district_wide": reason}` loads unscoped: what the
    parent's readers may learn of the related row (a handed problem's project, say)."""
    if not state.is_relationship_load:
        return False
    prop = getattr(state.loader_strategy_path, "prop", None)
    return bool(prop is not None and prop.info.get("district_wide"))


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    """Add the current actor's scope to every ORM SELECT, UPDATE and DELETE, and to every
    relationship load (lazy or select-in) whenever it happens."""
    if not (state.is_select or state.is_update or state.is_delete) or state.is_column_load:
        return
    if is_district_wide() or state.execution_options.get("district_wide"):
        return
    if _district_wide_relationship(state):
        return
    options = criteria_for(current_actor(state.session))
    if options:
        state.statement = state.statement.options(*options)
