"""Append-only, hash-chained tables: each row carries the hash of the one before."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, insert, select, text
from sqlalchemy.orm import Mapped, mapped_column

GENESIS = "0" * 64


class HashChained:
    """Columns and field list shared by the history and the security log."""

    __chain_fields__: tuple[str, ...] = ()
    __chain_lock__: int = 0  # PostgreSQL advisory lock key serialising appends

    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    return value


def chain_hash(fields: tuple[str, ...], values: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the previous hash and the row's fields in a fixed order."""
    payload = [prev_hash] + [_canonical(values.get(name)) for name in fields]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def append_rows(connection: Connection, model: type, rows: list[dict[str, Any]]) -> None:
    """Append rows to a chained table inside the caller's transaction."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        # Writers queue here until the holder commits, so the chain never forks.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": model.__chain_lock__}
        )
    prev = connection.execute(select(model.hash).order_by(model.id.desc()).limit(1)).scalar()
    prev = prev or GENESIS
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = chain_hash(model.__chain_fields__, row, prev)
    connection.execute(insert(model.__table__), rows)


def broken_links(connection: Connection, model: type, batch: int = 2000) -> Iterator[int]:
    """Yield the id of every row whose stored hash or link does not match its content."""
    columns = [model.id, model.prev_hash, model.hash] + [
        getattr(model, name) for name in model.__chain_fields__
    ]
    prev = GENESIS
    last_id = 0
    while True:
        rows = connection.execute(
            select(*columns).where(model.id > last_id).order_by(model.id).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            values = dict(zip(model.__chain_fields__, row[3:], strict=True))
            if (
                row.prev_hash != prev
                or chain_hash(model.__chain_fields__, values, prev) != row.hash
            ):
                yield row.id
            prev = row.hash
            last_id = row.id
