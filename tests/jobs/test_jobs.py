"""Jobs as a user meets them: a large export becomes a job with a page that shows it waiting
(and why), then done with its file; only its owner sees it; a job whose worker died shows as
interrupted and runs again; a refused job writes nothing and says why."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.jobs import kinds
from app.jobs.models import RUNNING, Job
from app.leaders.models import Leader
from tests import factories


@pytest.fixture
def app_config():
    return {"EXPORT_INLINE_ROWS": 3}


@pytest.fixture
def leaders(make):
    for n in range(7):
        make.leader(f"领导{n}", post="副区长")


def _job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    found = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def test_a_large_export_runs_as_a_job_and_its_page_offers_the_file(
    app, client, people, login, leaders, worker
):
    login(people["bureau"])
    small = client.get("/exports/leaders?active=1&q=领导1")
    assert small.status_code == 200  # one row: sent at once
    job_id = _job_id(client.get("/exports/leaders?active=1&sort=-name"))
    waiting = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "排队中" in waiting and "没有运行" in waiting and "make worker" in waiting

    assert worker() == 1
    done = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "已完成" in done and "已导出 7 行" in done
    assert 'hx-trigger="every 1s"' not in done  # a finished job stops polling
    file = client.get(f"/jobs/{job_id}/file")
    assert file.status_code == 200
    sheet = pd.read_excel(io.BytesIO(file.data), engine="calamine")
    assert list(sheet["姓名"]) == [f"领导{n}" for n in range(6, -1, -1)]
    listed = client.get("/jobs/").get_data(as_text=True)
    assert f"/jobs/{job_id}" in listed and 'data-testid="list-total">1<' in listed


def test_a_job_is_its_owners_alone(app, client, people, login, leaders, make, worker):
    login(people["unit"])
    job_id = _job_id(client.get("/exports/leaders?active=1"))
    worker()
    assert client.get(f"/jobs/{job_id}/file").status_code == 200
    for other in ("bureau", "other_unit", "admin"):
        browser = app.test_client()
        browser.post("/login", data={"username": people[other].username,
                                     "password": factories.PASSWORD})  # fmt: skip
        for url in (f"/jobs/{job_id}", f"/jobs/{job_id}/panel", f"/jobs/{job_id}/file"):
            assert browser.get(url).status_code == 404, (other, url)
        assert f"/jobs/{job_id}" not in browser.get("/jobs/").get_data(as_text=True)


def test_the_panel_polls_while_the_job_waits_or_runs(app, client, people, login, leaders):
    login(people["bureau"])
    job_id = _job_id(client.get("/exports/leaders"))
    panel = client.get(f"/jobs/{job_id}/panel").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in panel and 'data-status="queued"' in panel


def test_a_job_whose_worker_died_shows_interrupted_and_runs_again(
    app, client, people, login, leaders, worker
):
    login(people["bureau"])
    job_id = _job_id(client.get("/exports/leaders"))
    with app.app_context():  # a worker took it, then was killed: no progress since
        app.extensions["jobs"].huey.dequeue()
        job = db.session.get(Job, job_id)
        job.status = RUNNING
        db.session.commit()
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "已中断" in page and "重新运行" in page
    again = client.post(f"/jobs/{job_id}/retry")
    new_id = _job_id(again)
    assert new_id != job_id
    assert worker() == 1
    assert "已完成" in client.get(f"/jobs/{new_id}").get_data(as_text=True)


def _refusing(params, progress):
    progress.set_total(2)
    db.session.add(Leader(name="不该留下", post="副区长"))
    db.session.flush()
    raise kinds.JobRefused("文件已不存在，请重新上传", {"errors": [
        {"row": 3, "column": "项目名称", "message": "不能为空"}]})  # fmt: skip


def _crashing(params, progress):
    db.session.add(Leader(name="也不该留下", post="副区长"))
    db.session.flush()
    raise RuntimeError("boom")


@pytest.mark.parametrize(
    ("kind", "says"),
    [(_refusing, "文件已不存在"), (_crashing, "内部错误")],
)
def test_a_failed_job_writes_nothing_and_says_why(app, client, people, login, worker, kind, says):
    from app.jobs import services

    kinds.register(kinds.JobKind("test-fail", "测试任务", kind))
    login(people["bureau"])
    with app.app_context():
        job = services.start("test-fail", {}, db.session.get(User, people["bureau"].id))
        db.session.commit()
        job_id = job.id
    worker()
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "失败" in page and says in page
    if kind is _refusing:
        assert "第 3 行「项目名称」：不能为空" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Leader)) == 0


def test_exclusive_work_is_refused_while_it_runs(app, people):
    from app.core.forms import ServiceError
    from app.jobs import services

    kinds.register(kinds.JobKind("test-close", "测试月结", lambda p, g: kinds.JobResult()))
    with app.app_context():
        user = db.session.get(User, people["bureau"].id)
        services.start("test-close", {}, user, lock_key="close:2026-10")
        with pytest.raises(ServiceError) as refused:
            services.start("test-close", {}, user, lock_key="close:2026-10")
        assert "已有同样的任务" in refused.value.errors[""]
