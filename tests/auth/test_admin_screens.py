"""The administrator's user and unit screens, and the separation of admin and auditor."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.security_log import SecurityEvent
from app.extensions import db
from app.units.models import Unit
from tests.factories import PASSWORD


def _user(app, username):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        db.session.expunge(user)
        return user


NEW = {
    "username": "wang",
    "name": "王五",
    "role": "unit",
    "unit_id": "",
    "phone": "",
    "password": "Wang@20261",
}


def test_admin_creates_a_unit_user_who_must_change_password(app, client, people, login):
    login(people["admin"])
    data = {**NEW, "unit_id": str(people["unit_a"].id)}
    assert client.post("/admin/users/new", data=data).status_code == 302
    user = _user(app, "wang")
    assert user.unit_id == people["unit_a"].id and user.must_change_password
    assert "wang" in client.get("/admin/users/?q=wang").get_data(as_text=True)


def test_bad_user_form_keeps_input_and_explains_in_chinese(app, client, people, login):
    login(people["admin"])
    page = client.post("/admin/users/new", data={**NEW, "password": "weak"}).get_data(as_text=True)
    assert "责任单位账户必须属于一个启用的单位" in page
    assert "密码至少 8 位" in page
    assert 'value="王五"' in page and 'value="wang"' in page
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "wang")).first() is None


def test_duplicate_username_is_refused(app, client, people, login):
    login(people["admin"])
    page = client.post("/admin/users/new", data={**NEW, "username": "BUREAU1", "role": "bureau"})
    assert "该用户名已被使用" in page.get_data(as_text=True)


def test_role_change_is_logged_and_ends_the_users_sessions(app, client, people, login):
    victim = app.test_client()
    victim.post("/login", data={"username": "leader1", "password": PASSWORD})
    login(people["admin"])
    response = client.post(
        f"/admin/users/{people['leader'].id}/edit",
        data={"username": "leader1", "name": "领导", "role": "bureau", "unit_id": "", "phone": ""},
    )
    assert response.status_code == 302
    assert victim.get("/").status_code == 302
    with app.app_context():
        event = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "role_change")
        ).scalar_one()
        assert event.detail["target"] == "leader1"


def test_an_admin_cannot_change_their_own_role_to_auditor(app, client, people, login):
    login(people["admin"])
    page = client.post(
        f"/admin/users/{people['admin'].id}/edit",
        data={
            "username": "admin1",
            "name": "管理员",
            "role": "auditor",
            "unit_id": "",
            "phone": "",
        },
    )
    assert "不能修改自己的角色" in page.get_data(as_text=True)
    assert _user(app, "admin1").role == "admin"


def test_an_account_holds_exactly_one_role_in_the_database(app, people):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "admin1")).scalar_one()
        user.role = "root"  # not one of the five roles
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_a_unit_user_without_a_unit_is_impossible_in_the_database(app, people):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "unita")).scalar_one()
        user.unit_id = None
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_admin_cannot_disable_themselves(app, client, people, login):
    login(people["admin"])
    client.post(f"/admin/users/{people['admin'].id}/active")
    assert _user(app, "admin1").active


def test_reset_password_forces_a_change_and_ends_sessions(app, client, people, login):
    victim = app.test_client()
    victim.post("/login", data={"username": "bureau1", "password": PASSWORD})
    login(people["admin"])
    response = client.post(
        f"/admin/users/{people['bureau'].id}/password", data={"password": "Temp@20261"}
    )
    assert response.status_code == 302
    assert victim.get("/").status_code == 302
    victim.post("/login", data={"username": "bureau1", "password": "Temp@20261"})
    assert victim.get("/").location.endswith("/account/password")


def test_admin_creates_edits_and_deactivates_a_unit(app, client, people, login):
    login(people["admin"])
    assert (
        client.post("/admin/units/new", data={"name": "临港物流园", "kind": "园区"}).status_code
        == 302
    )
    with app.app_context():
        unit = db.session.execute(select(Unit).where(Unit.name == "临港物流园")).scalar_one()
        unit_id, version = unit.id, unit.version
    client.post(
        f"/admin/units/{unit_id}/edit",
        data={"name": "临港现代物流园", "kind": "园区", "version": str(version)},
    )
    client.post(f"/admin/units/{unit_id}/active")
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert unit.name == "临港现代物流园" and not unit.active
    page = client.get("/admin/units/").get_data(as_text=True)
    assert "临港现代物流园" in page and "已停用" in page


def test_duplicate_unit_name_is_refused_beside_the_field(app, client, people, login):
    login(people["admin"])
    page = client.post("/admin/units/new", data={"name": "城关街道", "kind": "乡镇街道"})
    assert "已有同名单位" in page.get_data(as_text=True)


def test_a_stale_unit_form_is_refused_not_saved_over(app, client, people, login):
    login(people["admin"])
    unit_id = people["unit_a"].id
    client.post(
        f"/admin/units/{unit_id}/edit", data={"name": "甲", "kind": "乡镇街道", "version": "1"}
    )
    page = client.post(
        f"/admin/units/{unit_id}/edit", data={"name": "乙", "kind": "乡镇街道", "version": "1"}
    ).get_data(as_text=True)
    assert "已被他人修改" in page
    with app.app_context():
        assert db.session.get(Unit, unit_id).name == "甲"


def test_a_deactivated_unit_cannot_receive_new_users(app, client, people, login):
    login(people["admin"])
    client.post(f"/admin/units/{people['unit_b'].id}/active")
    page = client.post("/admin/users/new", data={**NEW, "unit_id": str(people["unit_b"].id)})
    assert page.status_code == 200
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "wang")).first() is None
