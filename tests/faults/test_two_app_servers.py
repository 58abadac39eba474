"""Two app servers (separate gunicorn processes on two ports) on one database, one SECRET_KEY,
one instance folder (uploads), one job results folder and one queue serve the same users as
one: a session made on A is signed in on B and signed out everywhere by B; wrong passwords on
A and then B count toward one lock-out; evidence uploaded via A downloads via B; a job started
via A shows on B, a worker process runs it, and B offers its file."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import requests
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.funds.models import FundsEntry
from tests import factories
from tests.conftest import BASE_CONFIG, PG_URL, database_beside, migrated_afresh

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "two-servers-" + "s" * 32
PDF = b"%PDF-1.4\n" + b"1" * 2_000 + b"\n%%EOF\n"
CSRF = re.compile(r'data-csrf="([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')
# What each server process runs: the app as wsgi.py makes it, with the test's instance folder
# (uploads live there; the app has no setting for them) and a small inline export limit.
LAUNCHER = """
import os
from app import create_app
app = create_app({"EXPORT_INLINE_ROWS": 2, "PASSWORD_HASH_FAST": True,
                  "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
app.instance_path = os.environ["CRM_TEST_INSTANCE"]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Site:
    """What both servers share, and how to start processes on it."""

    uri: str
    env: dict[str, str]
    instance: Path
    processes: list[subprocess.Popen]

    def serve(self) -> str:
        """Start one gunicorn instance (one worker) on a port of its own; return its URL."""
        port = free_port()
        self.processes.append(subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "two_servers_app:app"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))  # fmt: skip
        return f"http://127.0.0.1:{port}"

    @property
    def worker_log(self) -> Path:
        return self.instance.parent / "worker.log"

    def worker(self) -> subprocess.Popen:
        """`flask jobs-worker` on the same settings (the same queue and results folder)."""
        with self.worker_log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603
                [str(BIN / "flask"), "--app", "two_servers_app", "jobs-worker", "--threads", "1"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)  # fmt: skip
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its worker still booting
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(scope="module")
def site(database_template, tmp_path_factory):
    """A database, the shared folders and the settings every process gets (one per module: the
    tests use users of their own)."""
    tmp_path = tmp_path_factory.mktemp("two")
    if PG_URL:
        uri = migrated_afresh(database_beside("two"))
    else:
        path = tmp_path / "crm.sqlite3"
        path.write_bytes(Path(database_template).read_bytes())
        uri = f"sqlite:///{path}"
    instance = tmp_path / "instance"
    instance.mkdir()
    launcher = tmp_path / "launcher"
    launcher.mkdir()
    (launcher / "two_servers_app.py").write_text(LAUNCHER, encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": uri, "SECRET_KEY": SECRET, "LOG_JSON": "0",
           "JOB_QUEUE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
           "JOB_RESULTS_DIR": str(tmp_path / "results"), "CRM_TEST_INSTANCE": str(instance),
           "PYTHONPATH": os.pathsep.join([str(launcher), str(ROOT)])}  # fmt: skip
    env.pop("TEST_DATABASE_URL", None)
    shared = Site(uri, env, instance, [])
    yield shared
    shared.stop()


@pytest.fixture(scope="module")
def make(site):
    """Factories writing to the servers' database."""
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": site.uri})
    yield factories.Factory(app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def people(make):
    """A bureau clerk, three unit clerks of one unit, four leaders."""
    unit = make.unit("城关街道")
    made = {name: make.user(name, role, unit=None if role == "bureau" else unit)
            for name, role in (("bureau1", "bureau"), ("unita", "unit"), ("locked1", "unit"),
                               ("nearly1", "unit"))}  # fmt: skip
    made["unit"] = unit
    for n in range(4):
        make.leader(f"领导{n}", post="副区长")
    return made


@pytest.fixture(scope="module")
def servers(site, people) -> tuple[str, str]:
    urls = site.serve(), site.serve()
    for url in urls:
        wait_up(url)
    return urls


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:500]
    return found.group(1) or found.group(2)


def log_in(url: str, username: str, password: str = factories.PASSWORD) -> requests.Response:
    """A login through the form, in a browser of its own; the response (302 when signed in)."""
    browser = requests.Session()
    token = csrf_of(browser.get(url + "/login", timeout=10).text)
    response = browser.post(url + "/login", allow_redirects=False, timeout=10,
                            data={"username": username, "password": password,
                                  "csrf_token": token})  # fmt: skip
    response.browser = browser  # type: ignore[attr-defined]
    return response


def cookies_of(response: requests.Response) -> dict[str, str]:
    return response.browser.cookies.get_dict()  # type: ignore[attr-defined]


def signed_in(url: str, cookies: dict[str, str]) -> bool:
    response = requests.get(url + "/projects/", cookies=cookies, allow_redirects=False, timeout=10)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_a_session_made_on_one_server_is_signed_in_on_the_other_and_signed_out_by_it(servers):
    a, b = servers
    login = log_in(a, "unita")
    assert login.status_code == 302
    cookies = cookies_of(login)
    assert signed_in(b, cookies) and signed_in(a, cookies)
    on_b = login.browser  # type: ignore[attr-defined]  (cookies name a host, not a port)
    page = on_b.get(b + "/projects/", timeout=10).text
    cookies = cookies_of(login)  # as B last set it
    out = on_b.post(b + "/logout", data={"csrf_token": csrf_of(page)}, allow_redirects=False,
                    timeout=10)  # fmt: skip
    assert out.status_code == 302, out.text[:3000]
    assert not signed_in(a, cookies) and not signed_in(b, cookies)  # no copy signs in any more


def test_wrong_passwords_on_both_servers_count_toward_one_lock_out(servers):
    a, b = servers
    for url in (a, a, a, b, b):
        assert log_in(url, "locked1", "wrong-password").status_code == 200
    for url in (a, a, b, b):
        assert log_in(url, "nearly1", "wrong-password").status_code == 200
    refused = log_in(a, "locked1")
    assert refused.status_code == 200 and "用户名或密码错误" in refused.text  # locked: 5 failures
    assert log_in(b, "nearly1").status_code == 302  # 4 failures on two servers: not yet


def test_evidence_uploaded_via_one_server_downloads_via_the_other(servers, people, make):
    a, b = servers
    project = make.project(people["unit"], signed_on=date(2026, 2, 1)).id
    browser = log_in(a, "unita").browser  # type: ignore[attr-defined]
    form = browser.get(f"{a}/funds/new?project_id={project}", timeout=10).text
    saved = browser.post(
        f"{a}/funds/new?project_id={project}", allow_redirects=False, timeout=10,
        data={"received_on": "2026-03-05", "amount_wan": "12.50", "origin": "国内省外",
              "use": "固定资产投资", "evidence_ref": "PZ-TWO-1", "notes": "",
              "submission_id": "", "csrf_token": csrf_of(form)},
        files={"evidence": ("回单.pdf", io.BytesIO(PDF), "application/pdf")})  # fmt: skip
    assert saved.status_code == 302, saved.text[:1000]
    with make.app.app_context():
        entry = db.session.scalar(select(FundsEntry.id).filter_by(evidence_ref="PZ-TWO-1"))
    file = requests.get(f"{b}/funds/{entry}/evidence", cookies=browser.cookies.get_dict(),
                        timeout=10)  # fmt: skip
    assert file.status_code == 200 and file.content == PDF


def job_page(url: str, job_id: int, cookies: dict[str, str]) -> str:
    response = requests.get(f"{url}/jobs/{job_id}", cookies=cookies, timeout=10)
    assert response.status_code == 200
    return response.text


def test_a_job_started_via_one_server_shows_on_the_other_and_its_file_downloads_there(
    servers, site
):
    a, b = servers
    login = log_in(a, "bureau1")
    cookies = cookies_of(login)
    started = requests.get(f"{a}/exports/leaders?active=1&sort=-name", cookies=cookies,
                           allow_redirects=False, timeout=10)  # fmt: skip
    assert started.status_code == 302, started.status_code
    job_id = int(re.search(r"/jobs/(\d+)$", started.headers["Location"]).group(1))
    waiting = job_page(b, job_id, cookies)
    assert "排队中" in waiting and "没有运行" in waiting  # B reads the queue A wrote to
    panel = requests.get(f"{b}/jobs/{job_id}/panel", cookies=cookies, timeout=10).text
    assert 'data-status="queued"' in panel

    site.worker()
    deadline = time.monotonic() + 20
    while "已完成" not in (page := job_page(b, job_id, cookies)):
        assert time.monotonic() < deadline and 'data-status="failed"' not in page, (
            page[-2000:] + site.worker_log.read_text(errors="replace")[-3000:]
        )
        time.sleep(0.3)
    assert "已导出 4 行" in page
    file = requests.get(f"{b}/jobs/{job_id}/file", cookies=cookies, timeout=10)
    assert file.status_code == 200
    sheet = pd.read_excel(io.BytesIO(file.content), engine="calamine")
    assert list(sheet["姓名"]) == [f"领导{n}" for n in range(3, -1, -1)]
