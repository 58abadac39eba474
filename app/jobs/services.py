"""Starting jobs and reading their state: a job is queued once the request that started it
commits; a second run of exclusive work is refused; results live in JOB_RESULTS_DIR."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import event, select

from app.core.db import utcnow
from app.core.forms import ServiceError
from app.extensions import db
from app.jobs.kinds import KINDS
from app.jobs.models import FAILED, QUEUED, RUNNING, Job
from app.jobs.progress import Reading, read
from app.jobs.runner import INTERRUPTED

_TO_ENQUEUE = "jobs_to_enqueue"


def results_dir() -> Path:
    """Where job results are written: a folder every app server and worker can reach."""
    configured = current_app.config.get("JOB_RESULTS_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "job-results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def result_path(job_id: int, suffix: str) -> Path:
    return results_dir() / f"job-{job_id}{suffix}"


def start(kind: str, params: dict[str, Any], user: Any, *, title: str = "",
          lock_key: str | None = None, attempt_of: Job | None = None) -> Job:  # fmt: skip
    """Record a job for `user` and queue it when the transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind}")
    if lock_key:
        busy = db.session.execute(
            select(Job.id).where(Job.lock_key == lock_key, Job.status.in_((QUEUED, RUNNING)))
        ).first()
        if busy:
            message = f"已有同样的任务在排队或进行中（任务 #{busy[0]}），请等它结束后再试"
            raise ServiceError({"": message})
    job = Job(
        kind=kind,
        title=title or KINDS[kind].title,
        user_id=user.id,
        unit_id=getattr(user, "unit_id", None),
        params_json=json.dumps(params, ensure_ascii=False, default=str),
        lock_key=lock_key,
        attempt_of_id=attempt_of.id if attempt_of else None,
    )
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_TO_ENQUEUE, []).append(job.id)
    return job


def retry(job: Job, user: Any) -> Job:
    """Run a failed job again with the same parameters (a new job, linked to the old one)."""
    if job.status != "failed" and not interrupted(job):
        raise ServiceError({"": "只有失败或中断的任务可以重新运行"})
    if job.status == RUNNING:  # interrupted: its worker is gone, so it holds its lock no more
        job.status, job.finished_at, job.error = FAILED, utcnow(), INTERRUPTED
    return start(job.kind, job.params, user, title=job.title, lock_key=job.lock_key,
                 attempt_of=job)  # fmt: skip


def _enqueue_committed(session: Any) -> None:
    ids = session.info.pop(_TO_ENQUEUE, None)
    if ids:
        queue = current_app.extensions["jobs"]
        for job_id in ids:
            queue.enqueue(job_id)


def _forget_rolled_back(session: Any, *args: Any) -> None:
    session.info.pop(_TO_ENQUEUE, None)


def init_app(app: Any) -> None:
    """Queue jobs after the commit that recorded them; forget them on a rollback."""
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _enqueue_committed):
        event.listen(Session, "after_commit", _enqueue_committed)
        event.listen(Session, "after_soft_rollback", _forget_rolled_back)


def stale_seconds() -> float:
    return float(current_app.config.get("JOB_STALE_SECONDS", 60))


def interrupted(job: Job) -> bool:
    """A running job whose worker stopped reporting (killed, or the host went down)."""
    if job.status != RUNNING:
        return False
    reading = read(current_app.extensions["jobs"], job)
    at = reading.at
    return at is None or time.time() - at > stale_seconds()


@dataclass(frozen=True)
class State:
    """What the job page says: the status, the progress, the time, why it waits."""

    label: str
    tone: str
    reading: Reading
    elapsed: float | None
    remaining: float | None
    waiting_why: str | None
    failed_why: str | None
    finished: bool
    unit: str = "行"


def state(job: Job) -> State:
    """The job as its page shows it."""
    queue = current_app.extensions["jobs"]
    reading = read(queue, job)
    elapsed = remaining = None
    if job.started_at:
        end = job.finished_at or utcnow()
        elapsed = (end - job.started_at).total_seconds()
        if not job.finished and reading.total and reading.done:
            remaining = elapsed * (reading.total - reading.done) / reading.done
    waiting_why = None
    if job.status == QUEUED:
        alive = queue.worker_alive(stale_seconds())
        ahead = queue.pending()
        waiting_why = (
            f"排队等待中，前面还有约 {max(0, ahead - 1)} 个任务"
            if alive
            else "排队等待中：后台任务进程（worker）没有运行。请系统管理员启动它："
            "make worker，或 flask --app wsgi jobs-worker（见 README）"
        )
    unit = KINDS[job.kind].unit if job.kind in KINDS else "行"
    if interrupted(job):
        return State("已中断", "danger", reading, elapsed, None, None, INTERRUPTED, True, unit)
    tones = {"queued": "secondary", "running": "primary", "done": "success", "failed": "danger"}
    return State(job.status_label, tones[job.status], reading, elapsed, remaining, waiting_why,
                 job.error, job.finished, unit)  # fmt: skip
