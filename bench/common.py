"""Shared benchmark plumbing: a migrated throw-away database and timing statistics."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

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


def timed(label: str, fn: Callable[[], object], repeat: int) -> list[float]:
    """Run fn `repeat` times; print median and p95 in milliseconds."""
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(
        f"  {label:<40} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms"
        f"   (n={repeat})"
    )
    return samples


def analyze() -> None:
    """Planner statistics, as a live database has them (PostgreSQL: and the visibility map)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
