"""Running a job in a worker: mark it running, act as the user who started it, do the work in
one unit of work, then mark it done with its result or failed with a Chinese reason. A worker
killed half-way leaves the work's transaction uncommitted (nothing half-written); the job then
shows as interrupted and can be run again."""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.core import history, scoping
from app.core.db import utcnow
from app.extensions import db
from app.jobs.kinds import KINDS, JobRefused, JobResult
from app.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job
from app.jobs.progress import Progress, progress_key

log = logging.getLogger(__name__)
WHY = "a worker loads the job it was handed, whoever started it"
INTERRUPTED = (
    "后台任务进程在执行中被中断（已停止或被终止），本次没有写入任何数据；可点击“重新运行”。"
)
INTERNAL = (
    "任务执行时出现内部错误，已记录日志；没有写入任何数据。可稍后重新运行，或联系系统管理员。"
)


def _load(job_id: int) -> Job | None:
    with scoping.district_wide(WHY):
        return db.session.execute(select(Job).where(Job.id == job_id)).scalar_one_or_none()


def _user(user_id: int) -> Any:
    from app.auth.models import User

    with scoping.district_wide(WHY):
        return db.session.get(User, user_id)


def _finish(job_id: int, **values: Any) -> None:
    """Write the job's end in a transaction of its own (the work's was committed or undone)."""
    db.session.rollback()
    job = _load(job_id)
    for key, value in values.items():
        setattr(job, key, value)
    job.finished_at = utcnow()
    db.session.commit()


def run(job_id: int) -> None:
    """Run one queued job to its end."""
    queue = current_app.extensions["jobs"]
    job = _load(job_id)
    if job is None or job.status != QUEUED:
        return  # run already (a queue delivering twice) or gone
    kind = KINDS.get(job.kind)
    if kind is None:
        _finish(job_id, status=FAILED, error=f"未知的任务类型：{job.kind}")
        return
    job.status, job.started_at = RUNNING, utcnow()
    params, user = job.params, _user(job.user_id)
    db.session.commit()
    scoping.set_actor(db.session, user)
    history.set_actor(db.session, user)
    progress = Progress(queue, job_id)
    try:
        with progress:
            result = kind.run(params, progress)
            db.session.commit()
    except JobRefused as refused:
        details = json.dumps(refused.details, ensure_ascii=False, default=str)
        _finish(job_id, status=FAILED, error=refused.message, done=progress.done,
                total=progress.total, result_json=details)  # fmt: skip
    except Exception:  # noqa: BLE001 - any failure ends the job with a reason, never silently
        log.error("job %s (%s) failed:\n%s", job_id, kind.name, traceback.format_exc())
        _finish(job_id, status=FAILED, done=progress.done, total=progress.total,
                error=INTERNAL)  # fmt: skip
    else:
        _succeed(job_id, result, progress)
    finally:
        scoping.set_actor(db.session, None)
        queue.huey.storage.delete_data(progress_key(job_id))


def _succeed(job_id: int, result: JobResult, progress: Progress) -> None:
    _finish(
        job_id,
        status=DONE,
        done=progress.total if progress.total is not None else progress.done,
        total=progress.total,
        result_file=result.file,
        result_name=result.file_name,
        result_url=result.url,
        result_json=json.dumps(
            {"summary": result.summary, **result.details}, ensure_ascii=False, default=str
        ),  # fmt: skip
    )


def fail_interrupted(stale_before_seconds: float) -> int:
    """Mark jobs whose worker stopped reporting as failed (a worker starting up runs this)."""
    import time

    queue = current_app.extensions["jobs"]
    failed = 0
    with scoping.district_wide("a starting worker checks every running job"):
        running = db.session.execute(select(Job).where(Job.status == RUNNING)).scalars().all()
    for job in running:
        beat = queue.peek(progress_key(job.id))
        if beat is None or time.time() - beat["at"] > stale_before_seconds:
            job.status, job.finished_at = FAILED, utcnow()
            job.error = INTERRUPTED
            failed += 1
    db.session.commit()
    return failed


def run_here(kind_name: str, params: dict[str, Any], description: str = "") -> JobResult:
    """Run a kind in this process (a command in a terminal) with a progress bar: the same work
    as a worker's, committed once at the end, undone entirely if it fails."""
    from app.jobs.progress import BarProgress

    kind = KINDS[kind_name]
    try:
        with BarProgress(description or kind.title, unit=kind.unit) as bar:
            result = kind.run(params, bar)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result
