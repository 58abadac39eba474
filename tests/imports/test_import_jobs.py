"""Large imports as jobs, as a user meets them: a file of more rows than IMPORT_INLINE_ROWS is
checked by a job (its page shows the rows checked, then the usual result page), confirming it
starts a second job that writes every row or none; rows that fail at write time, a vanished
upload or a dead worker leave a failed job that says why in Chinese and can run again; a job
and its result are its owner's alone."""

from __future__ import annotations

import io
import re
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.imports import storage
from app.imports.models import ImportBatch
from app.jobs.models import RUNNING, Job
from app.projects.models import Project
from app.projects.transfer import HEADERS
from app.units.models import Unit
from tests import factories
from tests.imports.conftest import csv_bytes, project_row, row_errors

ROWS = 8


@pytest.fixture
def app_config():
    # A save that had to wait for an import's lock fails at once (SQLite).
    return {"IMPORT_INLINE_ROWS": 5, "SQLITE_BUSY_TIMEOUT_MS": 300}


def _file(rows: int = ROWS, **bad: dict) -> bytes:
    """A CSV of `rows` projects of 城关街道; `bad` maps a row index to the values it breaks."""
    body = [
        project_row(
            **{"项目名称": f"导入项目{n}", "投资方": f"示例科技有限公司{n}", **bad.get(str(n), {})}
        )
        for n in range(rows)
    ]
    return csv_bytes([list(HEADERS), *body])


def _count(app, model=Project) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    found = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _upload(client, content: bytes):
    data = {"file": (io.BytesIO(content), "项目台账.csv")}
    return client.post("/imports/projects/check", data=data, content_type="multipart/form-data")


def _token(app, job_id: int) -> str:
    with app.app_context():
        return db.session.get(Job, job_id).params["token"]


def _checked(app, client, worker, content: bytes | None = None) -> tuple[int, str]:
    """Upload a large file and let the worker check it: (check job id, upload token)."""
    job_id = _job_id(_upload(client, content or _file()))
    assert worker() == 1
    return job_id, _token(app, job_id)


def test_a_large_file_is_checked_by_a_job_then_written_once_by_another(
    app, client, people, login, worker
):
    login(people["unit"])
    job_id = _job_id(_upload(client, _file()))
    waiting = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "检查导入文件：项目台账.csv" in waiting and "排队中" in waiting
    assert worker() == 1
    done = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "已完成" in done and f"检查通过：全部 {ROWS} 行可以导入" in done
    assert f"已处理 {ROWS} / {ROWS} 行" in done and 'data-tone="success"' in done
    token = _token(app, job_id)
    assert f'href="/imports/checked/{token}"' in done
    result = client.get(f"/imports/checked/{token}").get_data(as_text=True)
    assert f"可导入 {ROWS} 个项目" in result and f"全部 {ROWS} 行可以导入" in result
    assert "导入项目0" in result  # the preview
    assert f"确认导入 {ROWS} 行" in result and _count(app) == 0  # checking wrote nothing

    import_id = _job_id(client.post(f"/imports/confirm/{token}"))
    assert _count(app) == 0  # queued, not yet written
    assert worker() == 1
    imported = client.get(f"/jobs/{import_id}").get_data(as_text=True)
    assert "已完成" in imported and f"已导入招商项目 {ROWS} 行" in imported
    assert _count(app) == ROWS and _count(app, ImportBatch) == 1
    with app.app_context():
        names = db.session.scalars(select(Project.name)).all()
    assert sorted(names) == sorted(f"导入项目{n}" for n in range(ROWS))

    again = _job_id(client.post(f"/imports/confirm/{token}"))  # the same file once more
    worker()
    page = client.get(f"/jobs/{again}").get_data(as_text=True)
    assert "失败" in page and "不会重复导入" in page
    assert _count(app) == ROWS and _count(app, ImportBatch) == 1


def test_a_small_file_is_still_checked_in_the_request(app, client, people, login, worker):
    login(people["unit"])
    response = _upload(client, _file(rows=3))
    assert response.status_code == 200 and 'data-testid="check-ok"' in response.get_data(
        as_text=True
    )
    assert worker() == 0


def test_a_check_job_that_finds_bad_rows_shows_them_and_their_download(
    app, client, people, login, worker
):
    login(people["unit"])
    bad = {"2": {"项目名称": ""}, "5": {"计划总投资（万元）": "很多"}}
    job_id, token = _checked(app, client, worker, _file(**bad))
    done = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "检查完成：2 行共 2 处错误，整个文件不能导入" in done
    assert 'data-tone="warning"' in done  # amber: finished, but the file cannot go in
    result = client.get(f"/imports/checked/{token}").get_data(as_text=True)
    assert [(row, column) for row, column, _why in row_errors(result)] == [
        ("4", "项目名称"),
        ("7", "计划总投资（万元）"),
    ]
    assert 'data-testid="confirm"' not in result
    download = client.get(f"/imports/errors/{token}")
    assert download.status_code == 200 and download.data.startswith(b"PK")


def test_rows_that_fail_when_written_fail_the_job_with_their_list_and_write_nothing(
    app, client, people, login, worker, make
):
    login(people["unit"])
    _job, token = _checked(app, client, worker)
    # typed in by someone else between the check and the import: row 5 is now a duplicate
    make.project(people["unit_a"], name="导入项目3", investor="示例科技有限公司3")
    import_id = _job_id(client.post(f"/imports/confirm/{token}"))
    worker()
    page = client.get(f"/jobs/{import_id}").get_data(as_text=True)
    assert 'data-testid="job-error"' in page
    assert "1 行共 1 处错误，整个文件未导入，没有写入任何数据" in page
    assert "第 5 行「项目名称」：系统中已有该项目" in page
    assert "重新运行" in page
    assert _count(app) == 1 and _count(app, ImportBatch) == 0  # only the typed-in one


@pytest.mark.parametrize("stage", ["check", "import"])
def test_a_job_whose_upload_vanished_fails_with_a_chinese_reason(
    app, client, people, login, worker, stage
):
    login(people["unit"])
    job_id = _job_id(_upload(client, _file()))
    token = _token(app, job_id)
    if stage == "import":
        worker()
        job_id = _job_id(client.post(f"/imports/confirm/{token}"))
    with app.app_context():
        storage.remove(token)  # expired and cleaned up while the job waited
    worker()
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "失败" in page and "上传的文件已不存在（可能已过期或被清理），请重新上传" in page
    assert _count(app) == 0


def test_a_job_and_its_result_are_its_owners_alone(app, client, people, login, worker):
    login(people["unit"])
    job_id, token = _checked(app, client, worker, _file(**{"1": {"项目名称": ""}}))
    urls = [f"/jobs/{job_id}", f"/jobs/{job_id}/panel", f"/imports/checked/{token}",
            f"/imports/errors/{token}"]  # fmt: skip
    assert all(client.get(url).status_code == 200 for url in urls)
    for other in ("other_unit", "bureau"):
        browser = app.test_client()
        browser.post("/login", data={"username": people[other].username,
                                     "password": factories.PASSWORD})  # fmt: skip
        for url in urls:
            assert browser.get(url).status_code == 404, (other, url)
        assert browser.post(f"/jobs/{job_id}/retry").status_code == 404
    assert worker() == 0 and _count(app) == 0


def test_the_same_file_cannot_be_imported_twice_at_once(app, client, people, login, worker):
    login(people["unit"])
    _job, token = _checked(app, client, worker)
    first = _job_id(client.post(f"/imports/confirm/{token}"))
    second = client.post(f"/imports/confirm/{token}", follow_redirects=True)
    assert f"已有同样的任务在排队或进行中（任务 #{first}）" in second.get_data(as_text=True)
    assert worker() == 1
    assert _count(app) == ROWS and _count(app, ImportBatch) == 1


def test_an_import_whose_worker_died_shows_interrupted_and_runs_again(
    app, client, people, login, worker
):
    login(people["unit"])
    _job, token = _checked(app, client, worker)
    import_id = _job_id(client.post(f"/imports/confirm/{token}"))
    with app.app_context():  # a worker took it, then was killed: no progress since
        app.extensions["jobs"].huey.dequeue()
        job = db.session.get(Job, import_id)
        job.status = RUNNING
        db.session.commit()
    page = client.get(f"/jobs/{import_id}").get_data(as_text=True)
    assert "已中断" in page and "没有写入任何数据" in page
    retried = _job_id(client.post(f"/jobs/{import_id}/retry"))
    assert retried != import_id and worker() == 1
    assert "已完成" in client.get(f"/jobs/{retried}").get_data(as_text=True)
    assert _count(app) == ROWS and _count(app, ImportBatch) == 1


def test_the_command_queues_an_import_for_a_worker(app, people, runner, worker, tmp_path):
    path = tmp_path / "项目台账.csv"
    path.write_bytes(_file())
    result = runner.invoke(args=["import-projects", str(path), "--as", "unita", "--queue"])
    assert result.exit_code == 0, result.output
    found = re.search(r"已提交后台任务 #(\d+)", result.output)
    assert found and f"/jobs/{found.group(1)}" in result.output and "jobs-worker" in result.output
    assert _count(app) == 0 and worker() == 1
    assert _count(app) == ROWS
    with app.app_context():
        job = db.session.get(Job, int(found.group(1)))
        assert job.status == "done" and job.user_id == people["unit"].id


def test_the_command_shows_a_bar_and_imports_at_once(app, people, runner, tmp_path):
    path = tmp_path / "项目台账.csv"
    path.write_bytes(_file())
    result = runner.invoke(args=["import-projects", str(path), "--as", "unita"])
    assert result.exit_code == 0, result.output
    assert f"已导入 {ROWS} 行" in result.output and "写入" in result.output  # the bar's last step
    assert _count(app) == ROWS


def _meanwhile(monkeypatch, work) -> list:
    """Run `work` in another thread (another user's request) while the import job builds its
    rows, after its check; what it raised, if anything, is in the returned list."""
    from app.projects import transfer

    original, raised = transfer._built, []

    def built(*args, **kwargs):
        if not hasattr(built, "done"):
            built.done = True
            other = threading.Thread(target=lambda: _catching(work, raised))
            other.start()
            other.join()
        return original(*args, **kwargs)

    monkeypatch.setattr(transfer, "_built", built)
    return raised


def _catching(work, raised: list) -> None:
    try:
        work()
    except Exception as error:  # noqa: BLE001 - the test looks at it
        raised.append(error)


def test_another_users_save_goes_on_while_a_large_import_checks_and_builds(
    app, client, people, login, worker, make, monkeypatch
):
    login(people["unit"])
    _check, token = _checked(app, client, worker)
    raised = _meanwhile(monkeypatch, lambda: make.unit("另一用户新建的单位"))
    import_id = _job_id(client.post(f"/imports/confirm/{token}"))
    assert worker() == 1
    assert raised == []
    page = client.get(f"/jobs/{import_id}").get_data(as_text=True)
    assert "已完成" in page and f"已导入招商项目 {ROWS} 行" in page, page[-2000:]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Unit.name == "另一用户新建的单位"))
    assert _count(app) == ROWS


def test_a_project_of_the_file_recorded_by_someone_else_meanwhile_fails_the_import(
    app, client, people, login, worker, make, monkeypatch
):
    login(people["unit"])
    _check, token = _checked(app, client, worker)
    unit = people["unit_a"]
    raised = _meanwhile(
        monkeypatch, lambda: make.project(unit, name="导入项目3", investor="示例科技有限公司3")
    )
    import_id = _job_id(client.post(f"/imports/confirm/{token}"))
    assert worker() == 1
    assert raised == []
    page = client.get(f"/jobs/{import_id}").get_data(as_text=True)
    assert "失败" in page and "第 5 行的项目刚被他人登记（同名同投资方）" in page, page[-2000:]
    assert _count(app) == 1 and _count(app, ImportBatch) == 0  # the other user's project alone
