"""A project through every stage: required data, ordering, corrections, drop, history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core.history import HistoryEntry
from app.core.uscc import check_character
from app.extensions import db

USCC = "91350100M000100Y43"


def _advance(client, pid, stage, **data):
    return client.post(f"/projects/{pid}/advance/{stage}", data=data)


def test_a_lead_goes_through_every_stage(client, people, login, create_via_form, load):
    login(people["unit"])
    pid = create_via_form(people["unit_a"].id)
    assert load(pid).stage.key == "lead"
    steps = [
        ("negotiating", {"on": "2025-03-01"}),
        ("signed", {"on": "2025-04-01", "contract_wan": "15000"}),
        ("registered", {"on": "2025-05-01", "uscc": USCC}),
        ("started", {"on": "2025-07-01"}),
        ("operating", {"on": "2026-02-01"}),
    ]
    for stage, data in steps:
        assert _advance(client, pid, stage, **data).status_code == 302, stage
        assert load(pid).stage.key == stage
    project = load(pid)
    assert project.contract_investment == 150_000_000 and project.uscc == USCC
    page = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "投产" in page and "2026-02-01" in page


def test_signing_needs_a_contracted_investment(client, people, login, create_via_form, load):
    login(people["unit"])
    pid = create_via_form(people["unit_a"].id)
    page = _advance(client, pid, "signed", on="2025-04-01", contract_wan="").get_data(as_text=True)
    assert "签约须填写合同投资额" in page
    page = _advance(client, pid, "signed", on="2025-04-01", contract_wan="1e9").get_data(
        as_text=True
    )
    assert "不是普通的数字写法" in page
    page = _advance(client, pid, "signed", on="2025-04-01", contract_wan="12.345").get_data(
        as_text=True
    )
    assert "最多两位小数" in page
    assert load(pid).stage.key == "lead"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "注册须填写本地公司的统一社会信用代码"),
        ("91350100M000100Y44", "校验位错误"),
        ("123", "应为 18 位"),
    ],
)
def test_registration_needs_a_valid_uscc(client, people, login, make, load, code, message):
    project = make.project(people["unit_a"], signed_on=date(2025, 4, 1), contract_investment=10**8)
    login(people["unit"])
    page = _advance(client, project.id, "registered", on="2025-05-01", uscc=code)
    assert message in page.get_data(as_text=True)
    assert load(project.id).stage.key == "signed"


def test_a_milestone_cannot_precede_the_one_before_nor_lie_in_the_future(
    client, people, login, make, load
):
    project = make.project(people["unit_a"], signed_on=date(2025, 4, 1), contract_investment=10**8)
    login(people["unit"])
    page = _advance(client, project.id, "registered", on="2025-03-01", uscc=USCC)
    assert "不能早于签约日期" in page.get_data(as_text=True)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    page = _advance(client, project.id, "registered", on=tomorrow, uscc=USCC)
    assert "不能晚于今天" in page.get_data(as_text=True)
    assert load(project.id).registered_on is None


def test_funds_stage_cannot_be_set_by_hand_and_no_moving_backwards(client, people, login, make):
    project = make.project(people["unit_a"], signed_on=date(2025, 4, 1), contract_investment=10**8)
    login(people["unit"])
    assert _advance(client, project.id, "funded", on="2025-05-01").status_code == 404
    page = _advance(client, project.id, "negotiating", on="2025-03-01").get_data(as_text=True)
    assert "只能向后推进" in page


def test_a_unit_user_cannot_create_for_another_unit(client, people, login, create_via_form):
    login(people["unit"])
    response = create_via_form(people["unit_b"].id)
    assert "只能登记本单位的项目" in response.get_data(as_text=True)


def test_bad_project_input_is_refused_beside_the_field_and_kept(
    client, people, login, create_via_form
):
    login(people["bureau"])
    response = create_via_form(
        people["unit_a"].id, name="", planned_wan="-5", uscc="ABC", industry=""
    )
    page = response.get_data(as_text=True)
    assert "请输入项目名称" in page and "计划总投资不能为负数" in page
    assert "应为 18 位" in page and "产业类别须为" in page
    assert 'value="华润置地（深圳）有限公司"' in page and 'value="-5"' in page


def test_double_submit_creates_one_project(client, people, login, app):
    login(people["unit"])
    from tests.projects.conftest import form

    data = form(people["unit_a"].id, submission_id="6a1f0c4e-1111-4222-8333-944455556666")
    first = client.post("/projects/new", data=data)
    second = client.post("/projects/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    with app.app_context():
        from app.projects.models import Project

        assert db.session.execute(select(db.func.count()).select_from(Project)).scalar() == 1


def test_bureau_corrects_a_milestone_with_a_reason_kept_in_history(
    client, people, login, make, load, app
):
    project = make.project(
        people["unit_a"],
        signed_on=date(2025, 4, 1),
        contract_investment=10**8,
        registered_on=date(2025, 5, 1),
        uscc=USCC,
    )
    login(people["unit"])
    assert client.get(f"/projects/{project.id}/correct").status_code == 403
    client.post("/logout")
    login(people["bureau"])
    page = client.post(
        f"/projects/{project.id}/correct",
        data={"field": "registered_on", "on": "", "reason": "", "version": "1"},
    )
    assert "请填写更正原因" in page.get_data(as_text=True)
    response = client.post(
        f"/projects/{project.id}/correct",
        data={"field": "registered_on", "on": "", "reason": "注册信息录入错误", "version": "1"},
    )
    assert response.status_code == 302
    assert load(project.id).stage.key == "signed"  # the stage follows the dates at once
    with app.app_context():
        entry = (
            db.session.execute(
                select(HistoryEntry)
                .where(HistoryEntry.table_name == "projects", HistoryEntry.action == "update")
                .order_by(HistoryEntry.id.desc())
            )
            .scalars()
            .first()
        )
        assert entry.reason == "更正里程碑：注册信息录入错误"
        assert entry.before == {"registered_on": "2025-05-01"} and entry.after == {
            "registered_on": None
        }


def test_dropped_projects_leave_the_list_and_come_back(client, people, login, make):
    project = make.project(people["unit_a"], name="流失项目")
    login(people["unit"])
    page = client.post(f"/projects/{project.id}/drop", data={"on": "", "reason": ""})
    assert "请填写终止日期" in page.get_data(as_text=True)
    client.post(
        f"/projects/{project.id}/drop", data={"on": "2026-01-05", "reason": "投资方战略调整"}
    )
    assert "流失项目" not in client.get("/projects/").get_data(as_text=True)
    assert "流失项目" in client.get("/projects/?dropped=only").get_data(as_text=True)
    client.post(f"/projects/{project.id}/restore")
    assert "流失项目" in client.get("/projects/").get_data(as_text=True)


@pytest.mark.parametrize(
    "published",
    # published: 华为技术有限公司, 深圳市腾讯计算机系统有限公司, 阿里巴巴（中国）有限公司
    ["914403001922038216", "91440300708461136T", "91330100799655058B"],
)
def test_check_character_reproduces_published_codes(published):
    assert check_character(published[:17]) == published[17]


def test_a_code_built_by_check_character_registers_and_no_other_last_character_does(
    client, people, login, make, load
):
    project = make.project(people["unit_a"], signed_on=date(2025, 4, 1), contract_investment=10**8)
    login(people["unit"])
    prefix = "91440300MA5F00001"
    good = check_character(prefix)
    for wrong in sorted({"0", "A", "Y", "1"} - {good}):
        page = _advance(client, project.id, "registered", on="2025-05-01", uscc=prefix + wrong)
        assert f"第 18 位应为 {good}" in page.get_data(as_text=True)
    assert load(project.id).stage.key == "signed"
    response = _advance(client, project.id, "registered", on="2025-05-01", uscc=prefix + good)
    assert response.status_code == 302
    assert load(project.id).uscc == prefix + good
