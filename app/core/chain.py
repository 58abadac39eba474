"""Append-only, hash-chained tables: each row carries the hash of the one before.

A row is written unsealed (seq, prev_hash and hash empty) inside its writer's transaction, with
no lock, so a long import never makes another user's save wait. Right after a commit, a short
transaction of its own seals the pending rows: under the chain's lock (PostgreSQL advisory lock;
SQLite's write lock) it reads the last sealed hash and gives the pending rows, in id order, the
next seq numbers and their hashes. The database's guard trigger lets an UPDATE through only when
it seals a pending row and leaves its content unchanged (migration a2b3c4d5e6f7).

Whoever seals first seals for everyone: a sealer that finds another at work leaves its rows to
that one, so a save committed behind a 10,000-row import does not seal the import's rows
itself. PostgreSQL tells by its advisory lock; SQLite, whose write lock is free between two
batches, by a lease row (SealLease), which a writer takes inside the transaction that appends
(unless another sealer's lease runs), so its seal holds it from the moment its rows are
visible: a save that gets the write lock between an import's commit and its seal's first
batch leaves the import's rows to the import."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    bindparam,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from app.core import after_commit
from app.core.db import Base, give_writers_a_turn, utcnow
from app.core.inserts import Insert

GENESIS = "0" * 64
SEAL_BATCH = 1000  # rows read and sealed at a time (SQLite: per transaction, see seal)
UNSEALED_AFTER = timedelta(minutes=5)  # a committed row pending longer: its seal never ran
LEASE_FOR = timedelta(minutes=1)  # a SQLite sealer's lease, renewed with each batch
_HOLDER = "chain_seal_holder"  # session.info: the lease token the appending transaction took
log = logging.getLogger(__name__)


class SealLease(Base):
    """SQLite: the sealer at work on a chain, until `expires_at` (renewed with each batch; a
    killed sealer's lease lapses, and the heartbeat's seal does not wait for it). Deleted by
    whichever sealer finds nothing left pending."""

    __tablename__ = "chain_seal_leases"
    __history__ = False  # who is sealing, for a minute: no record of the bureau's work

    chain: Mapped[str] = mapped_column(String(64), primary_key=True)  # the chained table
    holder: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


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
    connection = session.connection()
    keys = list(dict.fromkeys(key for row in rows for key in row))
    statement = Insert(connection.dialect, model.__table__, keys)
    statement.run(connection, statement.driver_values(rows))  # seq, prev_hash, hash: NULL
    if connection.dialect.name == "sqlite" and model not in after_commit.noted(session, "chain"):
        # The first append of the transaction: the lease cannot change while it holds the lock.
        holder = session.info.setdefault(_HOLDER, uuid.uuid4().hex)
        _take_lease(connection, model, holder)
    after_commit.note(session, "chain", [model])


def _take_lease(connection: Connection, model: type, holder: str) -> bool:
    """SQLite, under the write lock: hold (or renew) the chain's lease unless another sealer's
    lease is still running; whether `holder` holds it now."""
    now = utcnow()
    table = SealLease.__table__
    connection.execute(
        sqlite_insert(table)
        .values(chain=model.__tablename__, holder=holder, expires_at=now + LEASE_FOR)
        .on_conflict_do_update(
            index_elements=[table.c.chain],
            set_={"holder": holder, "expires_at": now + LEASE_FOR},
            where=(table.c.holder == holder) | (table.c.expires_at < now),
        )
    )
    held = select(table.c.holder).where(table.c.chain == model.__tablename__)
    return connection.execute(held).scalar() == holder


def _end_lease(connection: Connection, model: type) -> None:
    """SQLite, under the write lock, with nothing left pending: no one need wait for a
    sealer any more."""
    connection.execute(delete(SealLease).where(SealLease.chain == model.__tablename__))


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


def seal(engine: Engine, model: type, wait: bool = True, holder: str | None = None) -> int:
    """Seal every committed pending row, batch by batch on one pooled connection; the number
    sealed. PostgreSQL keeps its lock across the batches, so a save's own seal never waits for
    it. SQLite commits after each batch and pauses (give_writers_a_turn), so a save waiting
    for the write lock gets in; its seal then finds the lease and leaves its row to this one.

    With `wait` off (after a commit) a sealer that finds another at work leaves its rows to it.
    PostgreSQL: every sealer looks for pending rows again after releasing the lock, and those
    rows were committed before it released, so it (or whoever holds the lock by then) seals
    them. SQLite: a lease ends only in the batch that finds nothing more pending, under the
    write lock, so rows committed while it ran are sealed by it. `holder` is the lease the
    appending transaction took (append_rows)."""
    sealed = 0
    postgresql = engine.dialect.name == "postgresql"
    holder = holder or uuid.uuid4().hex
    with engine.connect() as connection:
        while True:
            with connection.begin():
                if not (postgresql or wait or _take_lease(connection, model, holder)):
                    return sealed
                count = seal_batch(connection, model, wait=wait)
                while postgresql and count == SEAL_BATCH:
                    sealed += count
                    count = seal_batch(connection, model, wait=wait)
                if not postgresql and count is not None and count < SEAL_BATCH:
                    _end_lease(connection, model)
            if count is None:
                return sealed
            sealed += count
            if count < SEAL_BATCH and not _more_pending(connection, model):
                return sealed
            give_writers_a_turn(engine)


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
    holder = session.info.pop(_HOLDER, None)
    for model in sorted(models, key=lambda m: m.__tablename__):
        try:
            seal(session.get_bind(mapper=model.__mapper__), model, wait=False, holder=holder)
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
