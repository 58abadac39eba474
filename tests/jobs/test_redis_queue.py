"""The queue on Redis (JOB_QUEUE_URL=redis://…, for workers on several hosts): a real
`flask jobs-worker` process runs a job started over HTTP; and a job queued while no worker runs
survives the web app's restart: a new app on the same database and queue shows it done once a
worker starts."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import redis

from app import create_app
from app.extensions import db
from tests import factories
from tests.conftest import BASE_CONFIG, CRMClient

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture
def redis_db():
    """Redis database 7, emptied for each test (no earlier worker's heartbeat); the tests skip
    when no Redis answers."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis 不可达（{REDIS_URL}：{error}），跳过 Redis 队列测试")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def app_config(redis_db, tmp_path):
    return {"JOB_QUEUE_URL": REDIS_URL, "JOB_RESULTS_DIR": str(tmp_path / "results"),
            "EXPORT_INLINE_ROWS": 3}  # fmt: skip


@pytest.fixture
def leaders(make):
    for n in range(5):
        make.leader(f"领导{n}", post="副区长")


@pytest.fixture
def start_worker(app, app_config, tmp_path):
    """Start `flask --app wsgi jobs-worker` on the app's database and queue; stopped after."""
    started: list[subprocess.Popen] = []
    log = tmp_path / "worker.log"

    def start() -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "JOB_QUEUE_URL": REDIS_URL, "JOB_RESULTS_DIR": app_config["JOB_RESULTS_DIR"],
               "SECRET_KEY": "redis-queue-" + "k" * 32, "LOG_JSON": "0",
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        with log.open("ab") as out:  # the worker keeps its own copy of the file
            process = subprocess.Popen(  # noqa: S603
                [str(BIN / "flask"), "--app", "wsgi", "jobs-worker", "--threads", "1"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)  # fmt: skip
        process.log = log  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    found = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _until_done(client, job_id: int, worker: subprocess.Popen, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while "已完成" not in (page := client.get(f"/jobs/{job_id}").get_data(as_text=True)):
        assert worker.poll() is None, worker.log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline and 'data-status="failed"' not in page, page[-3000:]
        time.sleep(0.3)
    return page


def _names(client, job_id: int) -> list[str]:
    file = client.get(f"/jobs/{job_id}/file")
    assert file.status_code == 200
    return list(pd.read_excel(io.BytesIO(file.data), engine="calamine")["姓名"])


def test_a_worker_process_on_redis_runs_a_job_started_over_http(
    app, client, people, login, leaders, start_worker, redis_db
):
    login(people["bureau"])
    job_id = _job_id(client.get("/exports/leaders?active=1&sort=-name"))
    assert app.extensions["jobs"].pending() == 1  # waiting in Redis
    worker = start_worker()
    page = _until_done(client, job_id, worker)
    assert "已导出 5 行" in page
    assert _names(client, job_id) == [f"领导{n}" for n in range(4, -1, -1)]
    assert app.extensions["jobs"].pending() == 0


def test_a_job_survives_the_web_apps_restart(
    app, client, people, login, leaders, start_worker, app_config, tmp_path
):
    login(people["bureau"])
    job_id = _job_id(client.get("/exports/leaders?active=1"))
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.engine.dispose()
    del client  # the first web app is gone; its job waits in Redis

    again = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri, **app_config})
    again.test_client_class = CRMClient
    again.instance_path = str(tmp_path / "instance-again")
    browser = again.test_client()
    browser.post("/login", data={"username": people["bureau"].username,
                                 "password": factories.PASSWORD})  # fmt: skip
    waiting = browser.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "排队中" in waiting and "没有运行" in waiting
    assert again.extensions["jobs"].pending() == 1

    worker = start_worker()
    page = _until_done(browser, job_id, worker)
    assert "已导出 5 行" in page and len(_names(browser, job_id)) == 5
    with again.app_context():
        db.engine.dispose()
