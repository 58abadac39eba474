"""Append-only, hash-chained tables: each row carries the hash of the one before.

A row is written unsealed (seq, prev_hash and hash empty) inside its writer's transaction, with
no lock, so a long import never makes another user's save wait. Right after a commit, a short
transaction of its own seals the pending rows: under the chain's lock (PostgreSQL advisory lock;
SQLite's write lock) it reads the last sealed hash and gives the pending rows, in id order, the
next seq numbers and their hashes. The database's guard trigger lets an UPDATE through only when
it seals a pending row and leaves its content unchanged (migration a2b3c4d5e6f7)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Integer,
    String,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from app.core import after_commit
from app.core.db import Base, utcnow

GENESIS = "0" * 64
SEAL_BATCH = 1000  # rows read and sealed at a time (SQLite: per transaction, see seal)
UNSEALED_AFTER = timedelta(minutes=5)  # a committed row pending longer: its seal never ran
log = logging.getLogger(__name__)


class HashChained:
    """Columns and field list shared by the history and the security log."""

    __chain_fields__: tuple[str, ...] = ()
    __chain_lock__: int = 0  # PostgreSQL advisory lock key serialising seals

    seq: Mapped[int | None] = mapped_column(Integer, unique=True)  # chain order, once sealed
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    @declared_attr.directive
    def __table_args__(cls):  # noqa: N805 - SQLAlchemy declared_attr signature
        pending = text("seq IS NULL")
        return (
            Index(
                f"ix_{cls.__tablename__}_pending",
                "id",
                postgresql_where=pending,
                sqlite_where=pending,
            ),
        )


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    return value


def chain_hash(fields: tuple[str, ...], values: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the previous hash and the row's fields in a fixed order."""
    payload = [prev_hash] + [_canonical(values.get(name)) for name in fields]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def append_rows(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    """Insert rows unsealed in the session's transaction; they are sealed after its commit."""
    if not rows:
        return
    for row in rows:
        row.update(seq=None, prev_hash=None, hash=None)
    session.connection().execute(insert(model.__table__), rows)
    after_commit.note(session, "chain", [model])


def _last_sealed(connection: Connection, model: type) -> tuple[int, str]:
    last = connection.execute(
        select(model.seq, model.hash)
        .where(model.seq.is_not(None))
        .order_by(model.seq.desc())
        .limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def _chain_lock(connection: Connection, model: type, wait: bool) -> bool:
    """Take the chain's seal lock for this transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already holds its one write lock); False when `wait` is off and another sealer has it."""
    if connection.dialect.name != "postgresql":
        return True
    key = {"key": model.__chain_lock__}
    if wait:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), key)
        return True
    return bool(connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), key).scalar())


def seal_batch(
    connection: Connection, model: type, limit: int = SEAL_BATCH, wait: bool = True
) -> int | None:
    """Seal up to `limit` committed pending rows in id order, in the caller's (short)
    transaction; the number sealed, or None when another sealer holds the lock (`wait` off)."""
    if not _chain_lock(connection, model, wait):
        return None
    fields = model.__chain_fields__
    pending = connection.execute(
        select(model.id, *(getattr(model, name) for name in fields))
        .where(model.seq.is_(None))
        .order_by(model.id)
        .limit(limit)
    ).all()
    if not pending:
        return 0
    seq, prev = _last_sealed(connection, model)
    seals = []
    for row in pending:
        seq += 1
        digest = chain_hash(fields, dict(zip(fields, row[1:], strict=True)), prev)
        seals.append({"row_id": row.id, "row_seq": seq, "row_prev": prev, "row_hash": digest})
        prev = digest
    table = model.__table__
    connection.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.seq.is_(None))
        .values(
            seq=bindparam("row_seq"), prev_hash=bindparam("row_prev"), hash=bindparam("row_hash")
        ),
        seals,
    )
    return len(pending)


def _more_pending(connection: Connection, model: type) -> bool:
    """PostgreSQL: pending rows committed meanwhile, whose own sealer may have found the lock
    taken and left them to this one. (On SQLite every sealer waits for the write lock and seals
    its own rows.)"""
    if connection.dialect.name != "postgresql":
        return False
    with connection.begin():
        query = select(model.id).where(model.seq.is_(None)).limit(1)
        return connection.execute(query).first() is not None


def seal(engine: Engine, model: type, wait: bool = True) -> int:
    """Seal every committed pending row, batch by batch on one pooled connection; the number
    sealed. SQLite commits after each batch, so a save waiting for the write lock gets in;
    PostgreSQL keeps its lock across the batches, so a save's own seal never waits for it.

    With `wait` off (after a commit) a sealer that finds the lock taken leaves its rows to the
    holder: every sealer looks for pending rows again after releasing the lock, and those rows
    were committed before it released, so it (or whoever holds the lock by then) seals them."""
    sealed = 0
    keep_lock = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        while True:
            with connection.begin():
                count = seal_batch(connection, model, wait=wait)
                while keep_lock and count == SEAL_BATCH:
                    sealed += count
                    count = seal_batch(connection, model, wait=wait)
            if count is None:
                return sealed
            sealed += count
            if count < SEAL_BATCH and not _more_pending(connection, model):
                return sealed


def seal_all(engine: Engine) -> int:
    """Seal the pending rows of every chained table (the periodic and on-demand path)."""
    return sum(seal(engine, model) for model in chained_models())


def chained_models() -> list[type]:
    """The mapped hash-chained tables."""
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, HashChained)]


def _seal_after_commit(session: Session, models: set) -> None:
    """Seal what the committed transaction appended, in a transaction of its own. The save is
    already committed: a failed seal is logged and left to the next seal (any commit that
    appends, verify-history, the integrity page, the periodic job)."""
    for model in sorted(models, key=lambda m: m.__tablename__):
        try:
            seal(session.get_bind(mapper=model.__mapper__), model, wait=False)
        except Exception:  # noqa: BLE001 - never fail a committed save over its seal
            log.exception("sealing %s after commit failed", model.__tablename__)


after_commit.register("chain", _seal_after_commit, left_over=seal_all)


def broken_links(connection: Connection, model: type, batch: int = 2000) -> Iterator[int]:
    """Yield the id of every sealed row whose stored hash or link does not match its content,
    walking the chain in seq order, then of every row half-sealed by hand (seq empty but a
    hash or link set)."""
    fields = model.__chain_fields__
    columns = [model.id, model.seq, model.prev_hash, model.hash] + [
        getattr(model, name) for name in fields
    ]
    prev = GENESIS
    after = model.seq.is_not(None)
    while True:
        rows = connection.execute(
            select(*columns).where(after).order_by(model.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            values = dict(zip(fields, row[4:], strict=True))
            if row.prev_hash != prev or chain_hash(fields, values, prev) != row.hash:
                yield row.id
            prev = row.hash
        after = model.seq > rows[-1].seq
    yield from connection.execute(
        select(model.id)
        .where(model.seq.is_(None), (model.hash.is_not(None)) | (model.prev_hash.is_not(None)))
        .order_by(model.id)
    ).scalars()


def unsealed(connection: Connection, model: type) -> list[int]:
    """Ids of rows still pending UNSEALED_AFTER after they were written: a seal that never ran
    (verify-history and the integrity page seal first, so normally none)."""
    before = utcnow() - UNSEALED_AFTER
    return list(
        connection.execute(
            select(model.id).where(model.seq.is_(None), model.at < before).order_by(model.id)
        ).scalars()
    )


def seal_before_reading(session: Session) -> None:
    """Seal what is pending before a check reads the chains. SQLite: in the session's own
    transaction (it holds the write lock a second connection would wait for); PostgreSQL: in
    short transactions of their own, so the check's long walk holds no seal lock."""
    for model in chained_models():
        bind = session.get_bind(mapper=model.__mapper__)
        if bind.dialect.name == "sqlite":
            connection = session.connection(bind_arguments={"mapper": model.__mapper__})
            while seal_batch(connection, model) == SEAL_BATCH:
                pass
        else:
            seal(bind, model)
