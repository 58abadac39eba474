"""The data generation: a number that grows after every committed change of business data, so
that a figure computed once (the dashboard of a month) can be reused exactly as long as no
record behind it has changed, by any process on any host.

A flush of audited records (or a bulk statement on their tables through the session) marks
the session; once its transaction commits, the number is raised in a tiny transaction of its
own (a row lock held for one statement, never for the writer's whole transaction). A reader
takes the number *before* reading the records: whatever it then computes is at least that
fresh, and any change committed after it raises the number past it.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from sqlalchemy import Integer, event, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core import after_commit
from app.core.db import Base

log = logging.getLogger(__name__)
_RAISE = text(
    "INSERT INTO data_generation (id, n) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET n = data_generation.n + 1"
)


class DataGeneration(Base):
    """One row: how many committed changes of business data there have been."""

    __tablename__ = "data_generation"
    __history__ = False  # a counter, not a record

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def current(session: Session) -> int:
    """The generation now (0 before the first change)."""
    return session.execute(select(DataGeneration.n).where(DataGeneration.id == 1)).scalar() or 0


def _business(cls: type) -> bool:
    return bool(getattr(cls, "__history__", True))


@cache  # the mapped tables, fixed once the models are imported
def _business_tables() -> frozenset[str]:
    return frozenset(m.local_table.name for m in Base.registry.mappers if _business(m.class_))


def _bookkeeping_only(obj: Any) -> bool:
    """An update of nothing but fields the history ignores (a login's counters)."""
    ignored = set(getattr(type(obj), "__history_ignore__", ()))
    if not ignored:
        return False
    state = inspect(obj)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    return changed <= ignored


@event.listens_for(Session, "after_flush")
def _mark_flush(session: Session, _context: Any) -> None:
    changed = [*session.new, *session.deleted]
    changed += [obj for obj in session.dirty if not _bookkeeping_only(obj)]
    if any(_business(type(obj)) for obj in changed):
        after_commit.note(session, "generation")


@event.listens_for(Session, "do_orm_execute")
def _mark_statement(state: Any) -> None:
    """A bulk INSERT, UPDATE or DELETE through the session (an import's rows)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in _business_tables():
        after_commit.note(state.session, "generation")


def raise_on(connection: Any) -> None:
    """Raise the number on a connection, in its transaction (after a commit: its own)."""
    connection.execute(_RAISE)


def _raise(session: Session, _items: set) -> None:
    try:
        with session.get_bind(mapper=DataGeneration.__mapper__).begin() as connection:
            raise_on(connection)
    except Exception:  # noqa: BLE001 - the change is committed; readers' reuse is bounded in time
        log.exception("raising the data generation after a commit failed")


after_commit.register("generation", _raise)
