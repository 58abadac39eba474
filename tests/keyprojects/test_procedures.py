"""Procedures (前置要件), the start guard and the blocked list."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.keyprojects.models import PROCEDURE_KINDS, KeyProcedure, KeyProject

PERMIT = PROCEDURE_KINDS.index("施工许可")
EIA = PROCEDURE_KINDS.index("环评")


def all_rows(status: str = "done", **rows) -> dict:
    """Every row posted with `status` (done rows dated), then the given overrides."""
    data = {}
    for index, _kind in enumerate(PROCEDURE_KINDS):
        data[f"status-{index}"] = status
        data[f"applied_on-{index}"] = "2026-01-05" if status == "done" else ""
        data[f"done_on-{index}"] = "2026-02-01" if status == "done" else ""
    data.update(rows)
    return data


def procedures_of(app, kp_id: int) -> dict:
    with app.app_context():
        rows = db.session.execute(
            select(KeyProcedure).where(KeyProcedure.key_project_id == kp_id)
        ).scalars()
        return {p.kind: (p.status, p.done_on, p.handling_unit_id) for p in rows}


def test_saving_creates_the_eleven_rows_with_status_dates_and_handling_unit(
    app, client, people, login, make
):
    ecology = make.unit("生态环境分局", kind="区直部门")
    kp = make.key_project(people["unit_a"], category="新建")
    login(people["unit"])
    page = client.get(f"/key-projects/{kp.id}/procedures").get_data(as_text=True)
    assert all(kind in page for kind in PROCEDURE_KINDS)
    data = all_rows(
        "na",
        **{
            f"status-{EIA}": "doing",
            f"applied_on-{EIA}": "2026-10-08",
            f"handling_unit_id-{EIA}": str(ecology.id),
            f"notes-{EIA}": "等待专家评审",
        },
    )
    response = client.post(f"/key-projects/{kp.id}/procedures", data=data)
    assert response.status_code == 302
    saved = procedures_of(app, kp.id)
    assert len(saved) == 11
    assert saved["环评"] == ("doing", None, ecology.id)
    assert saved["施工许可"] == ("na", None, None)
    detail = client.get(f"/key-projects/{kp.id}").get_data(as_text=True)
    assert "办理中" in detail and "生态环境分局" in detail


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({f"status-{PERMIT}": "done", f"done_on-{PERMIT}": ""}, "已办结的事项须填写办结日期"),
        (
            {f"applied_on-{PERMIT}": "2026-12-01", f"done_on-{PERMIT}": "2026-12-02"},
            "申报日期不能晚于今天",
        ),
        (
            {f"applied_on-{PERMIT}": "2026-05-01", f"done_on-{PERMIT}": "2026-04-01"},
            "办结日期不能早于申报日期",
        ),
        ({f"done_on-{PERMIT}": "2026-02-30"}, "2026-02-30"),
    ],
)
def test_a_bad_row_is_refused_beside_the_row_and_nothing_is_saved(
    app, client, people, login, make, rows, message
):
    kp = make.key_project(people["unit_a"], category="新建")
    login(people["bureau"])
    response = client.post(f"/key-projects/{kp.id}/procedures", data=all_rows(**rows))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'data-testid="row-error-{PERMIT}">施工许可：' in page
    assert message in page
    assert procedures_of(app, kp.id) == {}


def test_a_new_project_missing_the_building_permit_cannot_start_and_is_listed_blocked(
    app, client, people, login, make
):
    housing = make.unit("住建局", kind="区直部门")
    kp = make.key_project(people["unit_a"], name="新区学校", category="新建")
    for kind in PROCEDURE_KINDS:
        if kind != "施工许可":
            make.key_procedure(kp, kind, status="done")
    make.key_procedure(kp, "施工许可", status="doing", handling_unit=housing)
    login(people["unit"])
    response = client.post(f"/key-projects/{kp.id}/start", data={"started_on": "2026-11-18"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "尚缺：施工许可" in page
    with app.app_context():
        assert db.session.get(KeyProject, kp.id).started_on is None
    # Through the edit form too.
    edit = client.post(
        f"/key-projects/{kp.id}/edit",
        data={
            "year": "2026",
            "name": "新区学校",
            "programme": "基础设施工程",
            "category": "新建",
            "level": "区重点",
            "total_wan": "20000",
            "plan_wan": "6000",
            "unit_id": str(people["unit_a"].id),
            "funding_channel": "社会投资",
            "started_on": "2026-11-18",
            "version": "1",
        },
    )
    assert edit.status_code == 200 and "尚缺：施工许可" in edit.get_data(as_text=True)
    blocked = client.get("/key-projects/blocked").get_data(as_text=True)
    assert "新区学校" in blocked and "缺：施工许可（帮办：住建局）" in blocked
    listed = client.get("/key-projects/?blocked=1").get_data(as_text=True)
    assert "新区学校" in listed and 'data-testid="blocked-badge"' in listed

    # Once every procedure is 已办结 or 不需要, it may start.
    data = all_rows(
        "done", **{f"status-{PERMIT}": "na", f"applied_on-{PERMIT}": "", f"done_on-{PERMIT}": ""}
    )
    assert client.post(f"/key-projects/{kp.id}/procedures", data=data).status_code == 302
    started = client.post(f"/key-projects/{kp.id}/start", data={"started_on": "2026-11-18"})
    assert started.status_code == 302
    with app.app_context():
        assert db.session.get(KeyProject, kp.id).started_on == date(2026, 11, 18)
    assert "新区学校" not in client.get("/key-projects/blocked").get_data(as_text=True)


def test_a_continuing_project_starts_without_procedures(app, client, people, login, make):
    kp = make.key_project(people["unit_a"], category="续建")
    login(people["bureau"])
    assert (
        client.post(f"/key-projects/{kp.id}/start", data={"started_on": "2026-11-01"}).status_code
        == 302
    )
    assert client.get("/key-projects/blocked").get_data(as_text=True).count("续建") == 0


def test_the_blocked_page_and_procedures_are_scoped_to_the_unit(app, client, people, login, make):
    make.key_project(people["unit_a"], name="本单位受阻项目", category="拟开工")
    other = make.key_project(people["unit_b"], name="他人受阻项目", category="拟开工")
    login(people["unit"])
    page = client.get("/key-projects/blocked").get_data(as_text=True)
    assert "本单位受阻项目" in page and "他人受阻项目" not in page
    assert client.get(f"/key-projects/{other.id}/procedures").status_code == 404
    response = client.post(f"/key-projects/{other.id}/procedures", data=all_rows())
    assert response.status_code == 404
    assert (
        client.post(
            f"/key-projects/{other.id}/start", data={"started_on": "2026-11-01"}
        ).status_code
        == 404
    )
    assert procedures_of(app, other.id) == {}


def test_a_leader_reads_the_blocked_page_but_cannot_open_the_procedures_form(
    client, people, login, make
):
    kp = make.key_project(people["unit_a"], name="受阻项目", category="新建")
    login(people["leader"])
    assert "受阻项目" in client.get("/key-projects/blocked").get_data(as_text=True)
    assert client.get(f"/key-projects/{kp.id}/procedures").status_code == 403
