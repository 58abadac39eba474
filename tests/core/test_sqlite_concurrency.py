"""Concurrent SQLite writers: no "database is locked", no lost write (docs/pitfalls.md,
"SQLite")."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.conftest import PG_URL

THREADS = 8
ROUNDS = 40


@pytest.mark.skipif(bool(PG_URL), reason="SQLite locking; PostgreSQL uses optimistic locking")
def test_threads_doing_read_modify_write_lose_nothing(app):
    with app.app_context():
        db.session.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        db.session.execute(text("INSERT INTO counter VALUES (1, 0)"))
        db.session.commit()
    errors: list[BaseException] = []

    def work():
        try:
            with app.app_context():
                for _ in range(ROUNDS):
                    n = db.session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar()
                    db.session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
                    db.session.commit()
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        assert db.session.execute(text("SELECT n FROM counter")).scalar() == THREADS * ROUNDS


@pytest.mark.skipif(bool(PG_URL), reason="SQLite connection settings")
def test_sqlite_connections_use_wal_and_foreign_keys(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
