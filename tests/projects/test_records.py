"""Duplicates on entry, optimistic locking, contacts and phone masking, follow-ups."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.core.security_log import SecurityEvent
from app.extensions import db
from tests.projects.conftest import form


def test_same_investor_in_another_unit_is_flagged_and_must_be_confirmed(
    client, people, login, make, create_via_form
):
    make.project(people["unit_b"], name="光伏项目", investor="华润置地(深圳)")
    login(people["unit"])
    response = create_via_form(people["unit_a"].id)  # 华润置地（深圳）有限公司
    page = response.get_data(as_text=True)
    assert 'data-testid="duplicates"' in page and "北山镇" in page
    assert "光伏项目" not in page  # a unit user is not shown the other unit's project
    assert 'value="新能源电池项目"' in page
    pid = create_via_form(people["unit_a"].id, confirm_duplicate="y")
    assert isinstance(pid, int)


def test_bureau_sees_a_link_to_the_duplicate(client, people, login, make, create_via_form):
    other = make.project(
        people["unit_b"], name="光伏项目", investor="某某公司", uscc="91350100M000100Y43"
    )
    login(people["bureau"])
    page = create_via_form(
        people["unit_a"].id, investor_name="另一个名字", uscc="91350100M000100Y43"
    ).get_data(as_text=True)
    assert f"/projects/{other.id}" in page and "信用代码相同" in page


def test_second_save_of_a_stale_form_is_refused_showing_the_new_values(
    client, people, login, make, load
):
    project = make.project(people["unit_a"], name="原名称")
    login(people["bureau"])
    base = form(people["unit_a"].id, version="1")
    assert (
        client.post(
            f"/projects/{project.id}/edit", data={**base, "name": "第一人改的名称"}
        ).status_code
        == 302
    )
    refused = client.post(f"/projects/{project.id}/edit", data={**base, "name": "第二人改的名称"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "已被他人修改" in page and 'data-testid="stale"' in page
    assert "第一人改的名称" in page and 'value="第二人改的名称"' in page
    assert load(project.id).name == "第一人改的名称"


def test_phone_is_masked_for_non_owners_and_revealing_is_logged(client, people, login, make, app):
    project = make.project(people["unit_a"])
    login(people["unit"])
    client.post(
        f"/projects/{project.id}/contacts/new",
        data={"name": "李经理", "title": "副总", "phone": "138 1234 5678", "email": ""},
    )
    assert "13812345678" in client.get(f"/projects/{project.id}").get_data(as_text=True)
    client.post("/logout")
    login(people["leader"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page
    with app.app_context():
        from app.projects.models import ProjectContact

        contact_id = db.session.execute(select(ProjectContact.id)).scalar()
    revealed = client.post(f"/projects/{project.id}/contacts/{contact_id}/reveal")
    assert revealed.get_data(as_text=True).strip() == "13812345678"
    with app.app_context():
        event = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "reveal_phone")
        ).scalar_one()
        assert event.username == "leader1" and event.detail["contact_id"] == contact_id


def test_bad_contact_input_is_refused(client, people, login, make):
    project = make.project(people["unit_a"])
    login(people["unit"])
    page = client.post(
        f"/projects/{project.id}/contacts/new",
        data={"name": "", "phone": "12345678901234", "email": "x@"},
    )
    body = page.get_data(as_text=True)
    assert "请输入姓名" in body and "电话号码无效" in body and "电子邮箱格式不正确" in body


def test_due_follow_ups_are_those_due_and_not_superseded(client, people, login, make, app):
    from app.core.dates import today

    with app.app_context():
        now = today()
    unit_user = people["unit"]
    due = make.project(people["unit_a"], name="到期项目")
    done = make.project(people["unit_a"], name="已续跟项目")
    later = make.project(people["unit_a"], name="未到期项目")
    make.follow_up(due, unit_user, now - timedelta(days=5), next_step="回访", next_due_on=now)
    make.follow_up(
        done,
        unit_user,
        now - timedelta(days=5),
        next_step="回访",
        next_due_on=now - timedelta(days=1),
    )
    make.follow_up(done, unit_user, now - timedelta(days=1))
    make.follow_up(
        later,
        unit_user,
        now - timedelta(days=5),
        next_step="回访",
        next_due_on=now + timedelta(days=1),
    )
    login(unit_user)
    page = client.get("/projects/follow-ups/due").get_data(as_text=True)
    assert "到期项目" in page and "已续跟项目" not in page and "未到期项目" not in page


def test_follow_up_form_errors_keep_input(client, people, login, make):
    project = make.project(people["unit_a"])
    login(people["unit"])
    future = (date.today() + timedelta(days=3)).isoformat()
    page = client.post(
        f"/projects/{project.id}/follow-ups",
        data={
            "happened_on": future,
            "kind": "电话",
            "summary": "谈了用地",
            "next_step": "",
            "next_due_on": "2020-01-01",
        },
    ).get_data(as_text=True)
    assert "跟进日期不能晚于今天" in page and "谈了用地" in page


def test_a_save_without_the_version_it_was_based_on_is_refused(client, people, login, make, load):
    project = make.project(people["unit_a"], name="原名称")
    login(people["bureau"])
    data = form(people["unit_a"].id, name="没带版本号")
    data.pop("version", None)
    page = client.post(f"/projects/{project.id}/edit", data=data).get_data(as_text=True)
    assert "已被他人修改" in page
    assert load(project.id).name == "原名称"
