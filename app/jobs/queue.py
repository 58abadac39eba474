"""The job queue: Huey, embedded by default (a SQLite file in the instance folder, no server to
run) or on Redis for several hosts (`JOB_QUEUE_URL=redis://…`), with workers on any host.

Progress and the workers' heartbeat live in the queue's own storage, not in the application's
database: a job holding the database's write lock for a whole import still reports progress."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from flask import Flask
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.constants import EmptyData

WORKER_HEARTBEAT = "worker:heartbeat"
HEARTBEAT_SECONDS = 5


class Queue:
    """The app's Huey instance and its one task, which runs a job by id."""

    def __init__(self, huey: Any, task: Any):
        self.huey = huey
        self.task = task

    def enqueue(self, job_id: int) -> None:
        self.task(job_id)

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Keep a small record (progress, heartbeat) where every process can read it."""
        self.huey.storage.put_data(key, json.dumps(value).encode())

    def peek(self, key: str) -> dict[str, Any] | None:
        raw = self.huey.storage.peek_data(key)
        if raw is None or raw is EmptyData:
            return None
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            return None

    def beat(self) -> None:
        """A worker says it is alive."""
        self.put(WORKER_HEARTBEAT, {"at": time.time()})

    def worker_alive(self, within: float) -> bool:
        beat = self.peek(WORKER_HEARTBEAT)
        return bool(beat) and time.time() - beat["at"] <= within

    def pending(self) -> int:
        return self.huey.pending_count()


def _huey(app: Flask) -> Any:
    url = app.config.get("JOB_QUEUE_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("crm-jobs", url=url)
    if url == "memory://":
        return MemoryHuey("crm-jobs")
    path = Path(url.removeprefix("sqlite:///")) if url else Path(app.instance_path) / "jobs.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("crm-jobs", filename=str(path))


def init_app(app: Flask) -> None:
    """Make the app's queue and bind its task to this app (the worker runs it in app context)."""
    from app.jobs import runner

    huey = _huey(app)

    def run_job(job_id: int) -> None:
        with app.app_context():
            runner.run(job_id)

    task = huey.task(retries=0, name="run_job")(run_job)
    app.extensions["jobs"] = Queue(huey, task)


def queue(app: Flask) -> Queue:
    return app.extensions["jobs"]
