"""The register of leaders: the bureau keeps it; one active party and government head each."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.leaders.models import Leader


def _form(**overrides) -> dict:
    data = {"name": "张建华", "post": "区委书记", "unit_id": "", "head_kind": "party",
            "is_baobao": "y", "user_id": "", "took_office_on": ""}  # fmt: skip
    data.update(overrides)
    return data


def _leaders(app) -> list[Leader]:
    with app.app_context():
        rows = list(db.session.execute(select(Leader).order_by(Leader.id)).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


def test_the_bureau_adds_a_leader_linked_to_a_leader_account(app, client, people, login):
    login(people["bureau"])
    form = client.get("/leaders/new").get_data(as_text=True)
    assert "leader1姓名（leader1）" in form
    response = client.post("/leaders/new", data=_form(user_id=str(people["leader"].id)))
    assert response.status_code == 302
    [leader] = _leaders(app)
    assert (leader.unit_id, leader.head_kind, leader.is_baobao) == (None, "party", True)
    assert leader.user_id == people["leader"].id
    page = client.get("/leaders/").get_data(as_text=True)
    assert "张建华" in page and "已关联" in page


def test_a_leader_may_be_only_a_name(app, client, people, login):
    login(people["bureau"])
    data = _form(name="孙海涛", post="北山镇党委书记", unit_id=str(people["unit_b"].id))
    assert client.post("/leaders/new", data=data).status_code == 302
    assert _leaders(app)[0].user_id is None


def test_a_second_active_party_head_of_one_jurisdiction_is_refused(
    app, client, people, login, make
):
    make.leader("张书记", "区委书记", head_kind="party")
    login(people["bureau"])
    page = client.post("/leaders/new", data=_form(name="李书记")).get_data(as_text=True)
    assert "全区已有党委主要负责人：张书记（区委书记）" in page
    assert 'value="李书记"' in page and len(_leaders(app)) == 1


def test_bad_fields_are_refused_beside_them(app, client, people, login, make):
    dept = make.unit("区商务局", kind="区直部门")
    login(people["bureau"])
    page = client.post(
        "/leaders/new",
        data=_form(name="", post="", unit_id=str(dept.id), took_office_on="2030-01-01"),
    ).get_data(as_text=True)
    for message in ("请输入姓名", "请输入职务", "辖区须为全区，或一个启用的乡镇街道、园区",
                    "任职日期不能晚于今天"):  # fmt: skip
        assert message in page
    assert _leaders(app) == []


def test_deactivating_a_leader_keeps_the_record(app, client, people, login, make):
    leader = make.leader("张书记", "区委书记")
    login(people["bureau"])
    assert client.post(f"/leaders/{leader.id}/active").status_code == 302
    assert _leaders(app)[0].active is False
    assert "张书记" not in client.get("/leaders/").get_data(as_text=True).split("<tbody>")[1]
    assert "张书记" in client.get("/leaders/?active=all").get_data(as_text=True)


def test_only_the_bureau_changes_the_register(client, people, login, make):
    leader = make.leader("张书记", "区委书记")
    for role in ("unit", "leader", "admin"):  # 三员分立: the administrator edits no business data
        login(people[role])
        assert client.get("/leaders/").status_code == 200
        assert client.get("/leaders/new").status_code == 403
        assert client.post(f"/leaders/{leader.id}/active").status_code == 403
        client.post("/logout")
