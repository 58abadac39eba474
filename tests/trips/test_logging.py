"""Logging trips through HTTP: who may log whose trips, and bad input refused beside the field."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from sqlalchemy import select

from app.core.dates import today
from app.extensions import db
from app.trips.models import Trip
from tests.trips.conftest import trip_form


def _trips(app) -> list[Trip]:
    with app.app_context():
        trips = list(db.session.execute(select(Trip)).scalars())
        return [(t.id, sorted(x.leader_id for x in t.leader_links), t.status) for t in trips]


def _field_error(page: str, name: str) -> str:
    """The messages shown beside one field."""
    doc = lxml.html.fromstring(page)
    if name == "leader_ids":
        box = doc.xpath('//div[contains(@class, "leader-checks")]/parent::div')[0]
    else:
        box = doc.xpath(f'//*[@name="{name}"]/ancestor::div[contains(@class, "mb-3")][1]')[0]
    return " ".join(e.text_content() for e in box.xpath('.//div[contains(@class, "invalid")]'))


@pytest.fixture
def past(app):
    """A date some days before today (where the bureau is)."""
    with app.app_context():
        now = today()
    return lambda days: now - timedelta(days=days)


def test_a_leader_logs_their_own_trip(app, client, people, login, heads, past):
    login(people["leader"])
    form = client.get("/trips/new").get_data(as_text=True)
    checked = lxml.html.fromstring(form).xpath('//input[@name="leader_ids"][@checked]')
    assert [box.get("value") for box in checked] == [str(heads["party"].id)]
    response = client.post(
        "/trips/new", data=trip_form([heads["party"], heads["deputy"]], past(10), past(8))
    )
    assert response.status_code == 302
    [(trip_id, leader_ids, status)] = _trips(app)
    assert leader_ids == sorted([heads["party"].id, heads["deputy"].id]) and status == "done"
    assert client.get(f"/trips/{trip_id}/edit").status_code == 200


def test_a_leader_cannot_log_a_trip_without_themselves(app, client, people, login, heads, past):
    login(people["leader"])
    page = client.post(
        "/trips/new", data=trip_form([heads["government"]], past(10), past(8))
    ).get_data(as_text=True)
    assert "只能登记您本人参加的外出" in _field_error(page, "leader_ids")
    assert _trips(app) == []


def test_a_leader_cannot_change_another_leaders_trip(client, people, login, heads, add_trip, past):
    trip = add_trip([heads["government"]], past(20))
    login(people["leader"])
    assert client.get(f"/trips/{trip.id}").status_code == 200  # leaders read everything
    assert client.get(f"/trips/{trip.id}/edit").status_code == 403
    form = trip_form([heads["government"], heads["party"]], past(20), past(18))
    assert client.post(f"/trips/{trip.id}/edit", data=form).status_code == 403
    assert client.post(f"/trips/{trip.id}/delete", data={"reason": "x"}).status_code == 403


def test_a_leader_account_without_a_leader_record_is_told_so(client, people, login, make, past):
    other = make.leader("黄区长", "区长", head_kind="government")
    login(people["leader"])
    page = client.post("/trips/new", data=trip_form([other], past(5), past(4)))
    assert "尚未关联领导信息" in page.get_data(as_text=True)


def test_a_unit_logs_its_own_leaders_trips_only(app, client, people, login, heads, past):
    login(people["unit"])
    form = client.get("/trips/new").get_data(as_text=True)
    assert "杨书记" in form and "孙书记" not in form and "张书记" not in form
    ok = client.post("/trips/new", data=trip_form([heads["a_party"]], past(9), past(8)))
    assert ok.status_code == 302
    page = client.post(
        "/trips/new", data=trip_form([heads["a_party"], heads["party"]], past(5), past(4))
    ).get_data(as_text=True)
    assert "只能登记本单位领导的外出" in _field_error(page, "leader_ids")
    assert len(_trips(app)) == 1


def test_the_bureau_logs_for_anyone(app, client, people, login, heads, past):
    login(people["bureau"])
    leaders = [heads["party"], heads["government"], heads["b_party"]]
    assert client.post("/trips/new", data=trip_form(leaders, past(3), past(1))).status_code == 302
    assert len(_trips(app)[0][1]) == 3


@pytest.mark.parametrize(
    ("start", "end", "status", "field", "message"),
    [
        (10, 12, "done", "ended_on", "不能早于开始日期"),
        (80, 15, "done", "ended_on", "一次外出不能超过 60 天（现为 66 天）"),
        (1, -2, "done", "ended_on", "结束日期不能晚于今天"),
        (-5, -7, "done", "ended_on", "结束日期不能晚于今天"),
        (5, 3, "planned", "ended_on", "计划中的外出，结束日期不能早于今天"),
    ],
)
def test_bad_dates_are_refused_beside_the_field(
    app, client, people, login, heads, start, end, status, field, message, past
):
    login(people["bureau"])
    form = trip_form([heads["party"]], past(start), past(end), status=status, city="苏州市")
    page = client.post("/trips/new", data=form).get_data(as_text=True)
    assert message in _field_error(page, field)
    assert 'value="苏州市"' in page  # what was typed stays
    assert _trips(app) == []


def test_sixty_days_is_the_longest_trip(app, client, people, login, heads, past):
    login(people["bureau"])
    form = trip_form([heads["party"]], past(70), past(11))
    assert client.post("/trips/new", data=form).status_code == 302


def test_an_inactive_leader_is_refused(app, client, people, login, make, past):
    gone = make.leader("前任书记", "区委书记", active=False)
    login(people["bureau"])
    page = client.post("/trips/new", data=trip_form([gone], past(9), past(8))).get_data(
        as_text=True
    )
    assert "前任书记 已停用，不能登记外出" in _field_error(page, "leader_ids")


def test_empty_and_malformed_fields_are_refused_in_chinese(app, client, people, login, heads, past):
    login(people["bureau"])
    form = trip_form([], past(9), past(8), province="火星", city="")
    form["started_on"] = "2026-13-45"
    page = client.post("/trips/new", data=form).get_data(as_text=True)
    assert "请选择至少一位外出的领导" in _field_error(page, "leader_ids")
    assert "请选择目的地省份" in _field_error(page, "province")
    assert "请填写目的地城市" in _field_error(page, "city")
    assert _field_error(page, "started_on")  # WTForms' own message, in Chinese
    assert "Not a valid" not in page


def test_a_leader_cannot_be_on_two_trips_at_once(app, client, people, login, heads, add_trip, past):
    add_trip([heads["party"]], past(10), days=3)
    login(people["bureau"])
    page = client.post("/trips/new", data=trip_form([heads["party"]], past(8), past(6))).get_data(
        as_text=True
    )
    assert "日期不能重叠" in _field_error(page, "leader_ids")


def test_a_planned_trip_may_lie_ahead(app, client, people, login, heads, past):
    login(people["leader"])
    ahead = past(-10)
    form = trip_form([heads["party"]], ahead, ahead + timedelta(days=2), status="planned")
    assert client.post("/trips/new", data=form).status_code == 302


def test_a_trip_recorded_by_mistake_is_deleted_with_a_reason(
    app, client, people, login, heads, add_trip, past
):
    trip = add_trip([heads["party"]], past(20))
    login(people["leader"])
    refused = client.post(f"/trips/{trip.id}/delete", data={"reason": ""})
    assert refused.status_code == 400 and "请填写删除原因" in refused.get_data(as_text=True)
    assert client.post(f"/trips/{trip.id}/delete", data={"reason": "重复登记"}).status_code == 302
    assert client.get(f"/trips/{trip.id}").status_code == 404
    with app.app_context():
        assert db.session.get(Trip, trip.id).deleted_at is not None
