"""A worker killed (kill -9) half-way through writing a 12,000-project import: nothing of the
file is in the database (the import is still all or nothing), the job page shows 已中断 with the
Chinese reason once the worker has been silent for JOB_STALE_SECONDS, and 重新运行 with a new
worker writes every row exactly once. Real `flask --app wsgi jobs-worker` processes share the
test's database (its SQLite file, or the suite's PostgreSQL database) and a SQLite queue file."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.imports.models import ImportBatch
from app.jobs.models import Job
from app.jobs.progress import progress_key
from app.projects.models import Project
from app.projects.transfer import HEADERS
from tests.imports.conftest import csv_bytes, project_row

ROOT = Path(__file__).resolve().parents[2]
ROWS = 12_000  # its write lasts about a second on SQLite: long enough to be caught half-way
STALE = 3


@pytest.fixture
def pinned_clock():
    """The real clock: the workers are other processes, which a pinned clock does not reach, and
    the job page compares their heartbeats' times with its own."""
    return None


@pytest.fixture
def app_config(tmp_path):
    return {
        "IMPORT_INLINE_ROWS": 5,
        "JOB_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "JOB_RESULTS_DIR": str(tmp_path / "shared"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),  # where the worker reads the upload
        "JOB_STALE_SECONDS": STALE,
    }


@pytest.fixture
def workers(app, tmp_path):
    """Start `flask jobs-worker` processes on the test's database and queue; all ended after."""
    started: list[subprocess.Popen] = []
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "JOB_QUEUE_URL": app.config["JOB_QUEUE_URL"],
           "JOB_RESULTS_DIR": app.config["JOB_RESULTS_DIR"],
           "UPLOAD_DIR": app.config["UPLOAD_DIR"]}  # fmt: skip

    def start() -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs-worker", "--threads", "1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _file() -> bytes:
    rows = [
        project_row(**{"项目名称": f"批量项目{n}", "投资方": f"批量科技有限公司{n}"})
        for n in range(ROWS)
    ]
    return csv_bytes([list(HEADERS), *rows])


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))


def _count(app, model=Project) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _status(app, job_id: int) -> str:
    with app.app_context():
        return db.session.get(Job, job_id).status


def test_a_worker_killed_while_writing_leaves_nothing_and_the_retry_writes_every_row_once(
    app, client, people, login, worker, workers, tmp_path
):
    login(people["unit"])
    upload = {"file": (io.BytesIO(_file()), "批量项目.csv")}
    check = _job_id(client.post("/imports/projects/check", data=upload,
                                content_type="multipart/form-data"))  # fmt: skip
    assert worker() == 1  # the check, in this process: it writes nothing
    with app.app_context():
        token = db.session.get(Job, check).params["token"]
    job_id = _job_id(client.post(f"/imports/confirm/{token}"))

    doomed = workers()
    queue = app.extensions["jobs"]

    def writing():
        seen = queue.peek(progress_key(job_id)) or {}
        total = seen.get("total") or 0
        return seen.get("step") == "写入" and 0 < seen.get("done", 0) < total and seen

    seen = _until(writing, 30, "the worker to be half-way through writing")
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    assert seen["total"] == ROWS and _status(app, job_id) == "running"

    assert _count(app) == 0 and _count(app, ImportBatch) == 0  # nothing half-written
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f"/ {ROWS:,} 行" in page  # how far it got
    workers()  # the host's supervisor starts a new worker (while the old one's beat goes stale)
    time.sleep(STALE + 0.5)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "已中断" in page and "后台任务进程在执行中被中断" in page, page[-3000:]
    assert "没有写入任何数据" in page and "重新运行" in page

    retried = _job_id(client.post(f"/jobs/{job_id}/retry"))
    _until(lambda: _status(app, retried) in ("done", "failed"), 60, "the retry to end")
    page = client.get(f"/jobs/{retried}").get_data(as_text=True)
    assert "已完成" in page and f"已导入招商项目 {ROWS:,} 行" in page, page[-3000:]
    with app.app_context():
        names = db.session.scalars(select(Project.name)).all()
    assert len(names) == ROWS and len(set(names)) == ROWS  # every row, exactly once
    assert _count(app, ImportBatch) == 1
