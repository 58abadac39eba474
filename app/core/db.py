"""Declarative base, shared column mixins and the SQLite connection settings."""

from __future__ import annotations

import gc
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The one declarative base; its metadata names every constraint."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current UTC time as a naive datetime, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


class TimestampMixin:
    """created_at / updated_at in UTC, written by the application.

    Never the database's now(): a PostgreSQL server set to China time stores local time there
    (docs/pitfalls.md, "Time").
    """

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: a save based on a stale read raises StaleDataError."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - SQLAlchemy declared_attr signature
        return {"version_id_col": cls.version}


class SoftDeleteMixin:
    """Rows the interface deletes are only marked; scoped queries leave them out."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    @declared_attr
    def deleted_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("users.id"))


_BUSY_TIMEOUT = "sqlite_busy_timeout_ms"  # the connection's configured wait for a lock
BUSY_POLL_SECONDS = 0.002  # how often BEGIN IMMEDIATE tries again for the write lock


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    """Per SQLite connection: own transactions, WAL, foreign keys (timeout via connect_args)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's begin event below emit BEGIN IMMEDIATE instead of pysqlite's BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    connection_record.info[_BUSY_TIMEOUT] = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    cursor.close()


def reads_only(view: Callable) -> Callable:
    """Mark a view that never writes (a job's progress page): on SQLite its transaction begins
    deferred, reading the last committed state beside a writer (WAL) instead of waiting for the
    write lock a long import holds to its commit. It must not write: a deferred transaction
    that tries to is refused while another one writes."""
    view.reads_only = True
    return view


_reading_beside_writers: ContextVar[bool] = ContextVar("reading_beside_writers", default=False)


@contextmanager
def reading_beside_writers() -> Iterator[None]:
    """Work that only reads, outside a request (a long import's check): on SQLite a transaction
    begun inside begins deferred, like a `reads_only` view's, so that other users' saves go on
    beside it. The caller ends that transaction before writing (an import then writes in a
    transaction of its own that takes the lock for its inserts only)."""
    token = _reading_beside_writers.set(True)
    try:
        yield
    finally:
        _reading_beside_writers.reset(token)


def _reading_only() -> bool:
    if _reading_beside_writers.get():
        return True
    if not has_request_context() or request.endpoint is None:
        return False
    return getattr(current_app.view_functions.get(request.endpoint), "reads_only", False)


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn) -> None:
    """Take the write lock at BEGIN: a read that later writes can no longer deadlock (except in
    a view marked `reads_only` or work reading beside writers)."""
    if conn.dialect.name != "sqlite":
        return
    if _reading_only():
        conn.exec_driver_sql("BEGIN")
    else:
        _begin_writing(conn)


def _begin_writing(conn) -> None:
    """BEGIN IMMEDIATE, trying again for the write lock every BUSY_POLL_SECONDS up to the
    connection's busy timeout. SQLite's own busy handler sleeps ever longer between its tries
    (100 ms each once it has waited 300 ms), so a save queued behind a long write used to
    learn that the lock was free up to 100 ms late, and lose it to a background loop's next
    batch. The last try runs as an ordinary statement, so that a timeout raises what any
    statement's would ("database is locked")."""
    dbapi = conn.connection.dbapi_connection
    timeout_ms = conn.connection.info.get(_BUSY_TIMEOUT, 0)
    deadline = time.monotonic() + timeout_ms / 1000
    dbapi.execute("PRAGMA busy_timeout = 0")
    try:
        while time.monotonic() < deadline:
            try:
                dbapi.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    break
            time.sleep(BUSY_POLL_SECONDS)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        dbapi.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")


@contextmanager
def no_collector_pauses() -> Iterator[None]:
    """A long write holding SQLite's one write lock (an import's inserts): the cyclic garbage
    collector waits until it is done. A full collection walks every object the process holds,
    an import's 10,000 built rows among them, and added 0.3-0.5 s to the write, which every
    other user's save waited out (measured; docs/pitfalls.md). The write's own objects are
    freed by reference counting; any cycles wait for the next collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Several times the interval at which a writer tries again for the lock (_begin_writing): a
# writer waiting for it takes it within the pause.
WRITERS_TURN_SECONDS = 0.01


def give_writers_a_turn(engine: Engine) -> None:
    """Between two transactions of long background work (indexing an import's 10,000
    projects for search): on SQLite, pause so that a save waiting for the write lock takes it, which
    it would not if the next transaction began at once (the waiter sleeps while it retries,
    and the lock is never free when it looks). PostgreSQL writers do not queue so: no pause."""
    if engine.dialect.name == "sqlite":
        time.sleep(WRITERS_TURN_SECONDS)


GROWN_SHARE = 0.2  # a bulk write adding this share of a table's known rows has it analysed


def analyse_after_growth(session: Any, table: Any, added: int, *columns: str) -> None:
    """After a bulk write of `added` rows into `table`, inside its transaction: on PostgreSQL,
    when its statistics know of fewer than five times as many rows (a fresh table's first
    import), ANALYZE it before the statements that follow read it. Else the planner takes the
    table for empty: the import's duplicate-group refresh read the whole live-projects index
    for each of its 50 statements (6-10 s of a 10,000-row first import) instead of the key
    index. ANALYZE sees the transaction's own rows; autovacuum would only after the commit.
    `columns`: only these columns' statistics (with the row count), the ones the statements
    that follow filter on (the whole table's took 1 s for 10,000 projects).
    SQLite's planner reads no statistics the app has not asked for: nothing to do."""
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection()
    known = connection.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (table.name,)
    ).scalar()
    if known is None or known < 0 or added > GROWN_SHARE * known:
        quote = connection.dialect.identifier_preparer.quote
        listed = f" ({', '.join(quote(c) for c in columns)})" if columns else ""
        connection.exec_driver_sql(f"ANALYZE {quote(table.name)}{listed}")
