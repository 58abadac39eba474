"""Promotion events through HTTP: list, create, edit, who may write, optimistic locking."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.core.forms import STALE_MESSAGE
from app.core.history import HistoryEntry
from app.events.models import PromotionEvent
from app.extensions import db


def _form(**overrides) -> dict:
    data = {
        "name": "2025 粤港澳大湾区产业对接会",
        "kind": "推介会",
        "city": "广州市",
        "held_on": "2025-04-22",
        "host_unit_id": "",
        "notes": "区长带队",
    }
    data.update(overrides)
    return data


def _version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)


def _event(app, event_id: int) -> PromotionEvent:
    with app.app_context():
        event = db.session.get(PromotionEvent, event_id)
        db.session.expunge(event)
        return event


def test_bureau_records_an_event_and_it_is_in_history(app, client, people, login):
    login(people["bureau"])
    response = client.post("/events/new", data=_form())
    assert response.status_code == 302
    with app.app_context():
        event = db.session.execute(select(PromotionEvent)).scalar_one()
        assert (event.name, event.kind, event.city) == (
            "2025 粤港澳大湾区产业对接会",
            "推介会",
            "广州市",
        )
        assert event.held_on == date(2025, 4, 22) and event.host_unit_id is None
        assert response.location.endswith(f"/events/{event.id}")
        entry = db.session.execute(
            select(HistoryEntry).where(HistoryEntry.table_name == "events")
        ).scalar_one()
        assert entry.action == "create" and entry.actor_name == "bureau1"
    page = client.get(response.location).get_data(as_text=True)
    assert "2025 粤港澳大湾区产业对接会" in page and "区投资促进局" in page


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"name": "  "}, "请输入活动名称"),
        ({"kind": "联欢会"}, "活动类型"),
        ({"city": ""}, "请输入举办城市"),
        ({"held_on": ""}, "请填写举办日期"),
        ({"held_on": "2025-13-45"}, "日期"),
        ({"held_on": "1990-01-01"}, "举办日期（1990-01-01）不能早于 2000-01-01"),
        ({"name": "长" * 201}, "200"),
    ],
)
def test_bad_event_input_is_refused_in_chinese_and_kept(
    app, client, people, login, overrides, field_message
):
    login(people["bureau"])
    response = client.post("/events/new", data=_form(**overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_message in page
    assert "invalid-feedback" in page
    assert 'value="广州市"' in page or overrides.get("city") == ""
    with app.app_context():
        assert db.session.execute(select(PromotionEvent)).first() is None


def test_a_second_event_with_the_same_name_is_refused(client, people, login, make):
    make.event("2024 深圳招商推介会")
    login(people["bureau"])
    page = client.post("/events/new", data=_form(name="2024 深圳招商推介会")).get_data(as_text=True)
    assert "已有同名活动" in page


def test_a_unit_records_events_it_hosts_only(app, client, people, login):
    login(people["unit"])
    form_page = client.get("/events/new").get_data(as_text=True)
    assert people["unit_b"].name not in form_page  # only its own unit is offered
    refused = client.post("/events/new", data=_form(host_unit_id=str(people["unit_b"].id)))
    assert "只能登记本单位承办的活动" in refused.get_data(as_text=True)
    refused = client.post("/events/new", data=_form(host_unit_id=""))
    assert "只能登记本单位承办的活动" in refused.get_data(as_text=True)
    ok = client.post("/events/new", data=_form(host_unit_id=str(people["unit_a"].id)))
    assert ok.status_code == 302
    with app.app_context():
        event = db.session.execute(select(PromotionEvent)).scalar_one()
        assert event.host_unit_id == people["unit_a"].id


def test_a_unit_edits_only_the_events_it_hosts(app, client, people, login, make):
    own = make.event("城关街道文旅项目推介会", host_unit=people["unit_a"])
    other = make.event("北山镇农产品精深加工座谈会", kind="座谈会", host_unit=people["unit_b"])
    bureau_event = make.event("2025 深圳招商推介会")
    login(people["unit"])
    for event in (other, bureau_event):
        assert client.get(f"/events/{event.id}/edit").status_code == 403
        data = _form(name="改名", host_unit_id=str(people["unit_a"].id), version="1")
        assert client.post(f"/events/{event.id}/edit", data=data).status_code == 403
    page = client.get(f"/events/{own.id}/edit").get_data(as_text=True)
    data = _form(
        name="城关街道文旅康养项目推介会",
        kind="推介会",
        city="本区",
        host_unit_id=str(people["unit_a"].id),
        version=_version(page),
    )
    assert client.post(f"/events/{own.id}/edit", data=data).status_code == 302
    assert _event(app, own.id).name == "城关街道文旅康养项目推介会"
    assert _event(app, other.id).name == "北山镇农产品精深加工座谈会"
    # the list offers the edit button only where it is allowed
    listing = client.get("/events/").get_data(as_text=True)
    assert f"/events/{own.id}/edit" in listing and f"/events/{other.id}/edit" not in listing


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_leaders_and_admins_read_events_but_change_nothing(client, people, login, make, role):
    event = make.event()
    login(people[role])
    assert client.get("/events/").status_code == 200
    assert client.get(f"/events/{event.id}").status_code == 200
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=_form()).status_code == 403
    assert client.post(f"/events/{event.id}/edit", data=_form(version="1")).status_code == 403
    assert "登记活动" not in client.get("/events/").get_data(as_text=True)


def test_a_second_save_from_a_stale_page_is_refused_and_shows_the_new_values(
    app, client, people, login, make
):
    event = make.event("2025 深圳招商推介会")
    login(people["bureau"])
    stale_version = _version(client.get(f"/events/{event.id}/edit").get_data(as_text=True))
    first = client.post(
        f"/events/{event.id}/edit",
        data=_form(name="2025 深圳（南山）招商推介会", city="深圳市", version=stale_version),
    )
    assert first.status_code == 302
    second = client.post(
        f"/events/{event.id}/edit",
        data=_form(name="2025 深圳（福田）招商推介会", city="深圳市", version=stale_version),
    )
    page = second.get_data(as_text=True)
    assert second.status_code == 200
    assert STALE_MESSAGE in page
    assert "2025 深圳（南山）招商推介会" in page  # the values saved meanwhile
    assert 'value="2025 深圳（福田）招商推介会"' in page  # what this user typed is kept
    assert _event(app, event.id).name == "2025 深圳（南山）招商推介会"
    # resubmitting with the refreshed version is a deliberate overwrite and is accepted
    third = client.post(
        f"/events/{event.id}/edit",
        data=_form(name="2025 深圳（福田）招商推介会", city="深圳市", version=_version(page)),
    )
    assert third.status_code == 302
    assert _event(app, event.id).name == "2025 深圳（福田）招商推介会"


def test_an_edit_without_a_version_is_refused(app, client, people, login, make):
    event = make.event()
    login(people["bureau"])
    response = client.post(f"/events/{event.id}/edit", data=_form(name="新名称"))
    assert STALE_MESSAGE in response.get_data(as_text=True)
    assert _event(app, event.id).name == "2025 深圳招商推介会"


def test_the_list_filters_by_year_kind_and_search(client, people, login, make):
    make.event("2024 深圳招商推介会", held_on=date(2024, 3, 20))
    make.event("第七届中国国际进口博览会", kind="展会", city="上海市", held_on=date(2024, 11, 6))
    make.event("2025 长三角招商推介会", city="上海市", held_on=date(2025, 5, 16))
    login(people["leader"])

    def names(query: str) -> set[str]:
        page = client.get(f"/events/{query}").get_data(as_text=True)
        return set(re.findall(r'/events/\d+">([^<]+)</a>', page))

    assert names("") == {"2024 深圳招商推介会", "第七届中国国际进口博览会", "2025 长三角招商推介会"}
    assert names("?year=2024") == {"2024 深圳招商推介会", "第七届中国国际进口博览会"}
    assert names("?kind=展会") == {"第七届中国国际进口博览会"}
    assert names("?q=上海") == {"第七届中国国际进口博览会", "2025 长三角招商推介会"}
    assert names("?q=长三角&year=2025&kind=推介会") == {"2025 长三角招商推介会"}
    assert names("?q=100%25_") == set()


@pytest.mark.parametrize(
    "query", ["?year=abcd", "?year=99999999999", "?kind=%00", "?page=-3", "?page=x&q=%27"]
)
def test_unreadable_list_arguments_are_ignored(client, people, login, make, query):
    make.event()
    login(people["bureau"])
    assert client.get(f"/events/{query}").status_code == 200


def test_unknown_event_ids_are_404(client, people, login):
    login(people["bureau"])
    assert client.get("/events/999999").status_code == 404
    assert client.get("/events/999999/edit").status_code == 404
    assert client.get("/events/abc").status_code == 404


def test_a_name_taken_between_check_and_save_is_refused_not_a_500(
    app, client, people, login, make, monkeypatch
):
    from app.events import services

    make.event("2024 深圳招商推介会")
    monkeypatch.setattr(services, "event_problems", lambda data, actor, existing: {})
    login(people["bureau"])
    response = client.post("/events/new", data=_form(name="2024 深圳招商推介会"))
    assert response.status_code == 200
    assert services.NAME_TAKEN in response.get_data(as_text=True)
