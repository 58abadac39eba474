"""The migration to sealed history keeps every chain written before it: existing rows take
seq = id and still verify; the guard then lets only a seal through. Run on its own SQLite file
(migrating a copy of the shared PostgreSQL database would disturb the other tests)."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import create_app
from app.core.chain import GENESIS, broken_links, chain_hash, seal
from app.core.history import HistoryEntry
from app.extensions import db
from tests.conftest import BASE_CONFIG, PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="its own SQLite file: run once, on SQLite")

BEFORE = "f1e2d3c4b5a6"
SEALED = "a2b3c4d5e6f7"


def _old_rows(count: int) -> list[dict]:
    """History rows as the old append wrote them: chained in id order at insert time."""
    rows, prev = [], GENESIS
    for n in range(1, count + 1):
        values = {
            "id": n, "at": datetime(2026, 11, n, 9, 30), "actor_id": None, "actor_name": "系统",
            "table_name": "units", "record_id": n, "action": "create", "label": f"旧单位{n}",
            "before_json": None, "after_json": f'{{"name": "旧单位{n}"}}', "reason": None,
        }  # fmt: skip
        values["prev_hash"] = prev
        values["hash"] = prev = chain_hash(HistoryEntry.__chain_fields__, values, prev)
        rows.append(values)
    return rows


@pytest.fixture
def old_app(tmp_path):
    application = create_app(
        {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"}
    )
    with application.app_context():
        upgrade(revision=BEFORE)
        rows = _old_rows(4)
        columns = ", ".join(rows[0])
        marks = ", ".join(f":{name}" for name in rows[0])
        insert = text(f"INSERT INTO history ({columns}) VALUES ({marks})")  # noqa: S608
        with db.engine.begin() as connection:
            connection.execute(insert, rows)
    yield application
    with application.app_context():
        db.engine.dispose()


def _seqs(connection) -> list[tuple[int, int]]:
    return [tuple(r) for r in connection.execute(text("SELECT id, seq FROM history ORDER BY id"))]


def test_rows_chained_before_the_migration_keep_their_order_verify_and_downgrade(old_app):
    with old_app.app_context():
        upgrade(revision=SEALED)
        with db.engine.begin() as connection:
            assert _seqs(connection) == [(1, 1), (2, 2), (3, 3), (4, 4)]
            assert list(broken_links(connection, HistoryEntry)) == []
            with pytest.raises(DBAPIError), connection.begin_nested():
                connection.execute(text("UPDATE history SET label = '改' WHERE id = 2"))
            connection.execute(
                text(
                    "INSERT INTO history (at, actor_name, table_name, action, label)"
                    " VALUES ('2026-12-02 09:00:00.000000', '系统', 'units', 'create', '新单位')"
                )
            )
        upgrade()  # the code's seal needs today's schema (its lease table)
        assert seal(db.engine, HistoryEntry) == 1
        with db.engine.connect() as connection:
            assert _seqs(connection)[-1] == (5, 5)
            assert list(broken_links(connection, HistoryEntry)) == []
        downgrade(revision=BEFORE)  # every row sealed: the old schema and guard come back
        with db.engine.begin() as connection:
            columns = [c[1] for c in connection.execute(text("PRAGMA table_info(history)"))]
            assert "seq" not in columns
            with pytest.raises(DBAPIError), connection.begin_nested():
                connection.execute(text("UPDATE history SET label = '改' WHERE id = 2"))
