"""Shared benchmark plumbing: a migrated throw-away database and timing statistics."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select, text

from app import create_app
from app.extensions import db

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def databases() -> list[tuple[str, str]]:
    """(label, uri) of each database to measure: SQLite always, PostgreSQL when reachable."""
    targets = [("SQLite", "sqlite")]
    try:
        engine = create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
        targets.append(("PostgreSQL", PG_URL))
    except Exception:  # noqa: BLE001 - no server: measure SQLite only
        print("（PostgreSQL 不可用，只测 SQLite）")
    return targets


@contextmanager
def bench_app(kind: str):
    """An application on a fresh, migrated database."""
    from flask_migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        if kind == "sqlite":
            uri = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        else:
            uri = kind
            engine = create_engine(uri)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": uri,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "TESTING": False,
            }
        )
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            db.engine.dispose()


def stats(samples: list[float]) -> tuple[float, float]:
    """Median and p95 of the samples."""
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def time_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float, int]:
    """Median and p95 in ms, and how many runs (3 when one run takes over a second)."""
    start = time.perf_counter()
    fn()  # warm-up
    if time.perf_counter() - start > 1:
        repeat = 3
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return (*stats(samples), repeat)


def timed(label: str, fn: Callable[[], object], repeat: int) -> None:
    """Run fn `repeat` times; print median and p95 in milliseconds."""
    median, p95, runs = time_ms(fn, repeat)
    print(f"  {label:<40} median {median:8.2f} ms   p95 {p95:8.2f} ms   (n={runs})")


def captured_sql(app, username: str, call: Callable[[Any], object]) -> list[tuple[str, object]]:
    """The SQL statements (with parameters) `call(user)` sends inside a request, to replay
    them raw; the user is loaded before listening, so its query is not among them."""
    from app.auth.models import User

    captured = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    with app.test_request_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            call(user)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    return captured


def replay_ms(app, statements, repeat: int) -> tuple[float, float, int]:
    """Replay the statements on a bare DB-API cursor: the database's own time."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()

            def run():
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    if cursor.description is not None:  # SAVEPOINT and the like return no rows
                        cursor.fetchall()

            return time_ms(run, repeat)
        finally:
            raw.close()


def analyze() -> None:
    """Planner statistics, as a live database has them (PostgreSQL: and the visibility map)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
