"""/api/v1/events: every reader lists and reads the register; the bureau and the units record
events (a unit: the ones it hosts) and change them with the version they read."""

from __future__ import annotations

from datetime import date

from tests.api.roles import READERS, WRITERS, assert_error, refused_to, statuses


def _new(host_unit=None, name="2026 深圳推介会") -> dict:
    body = {"name": name, "kind": "推介会", "city": "深圳市", "held_on": "2026-03-18"}
    if host_unit is not None:
        body["host_unit_id"] = host_unit.id
    return body


def test_who_may_list_read_and_record(api_as, people, make):
    event = make.event()
    result = statuses(api_as, people, "get", "/events")
    assert refused_to(result, READERS) == [] and all(result[r] == 200 for r in READERS)
    result = statuses(api_as, people, "get", f"/events/{event.id}")
    assert refused_to(result, READERS) == [] and all(result[r] == 200 for r in READERS)
    hosts = {"unit": people["unit_a"], "other_unit": people["unit_b"]}
    posted = {
        role: api_as(people[role])
        .post("/events", json=_new(hosts.get(role), name=f"推介会 {role}"))
        .status_code
        for role in ("bureau", "unit", "other_unit", "leader", "admin", "auditor")
    }
    assert {r: s for r, s in posted.items() if r in WRITERS} == dict.fromkeys(WRITERS, 201)
    assert refused_to(posted, WRITERS) == []


def test_the_list_filters_as_on_the_screen(api_as, people, make):
    make.event("2025 深圳推介会", held_on=date(2025, 3, 1))
    make.event("2026 上海展会", kind="展会", city="上海市", held_on=date(2026, 5, 1))
    api = api_as(people["unit"])
    assert [e["name"] for e in api.get("/events?year=2026").get_json()["items"]] == [
        "2026 上海展会"
    ]
    assert [e["name"] for e in api.get("/events?kind=推介会").get_json()["items"]] == [
        "2025 深圳推介会"
    ]
    assert api.get("/events?q=上海").get_json()["total"] == 1
    assert api.get("/events?per_page=1&page=2").get_json()["items"][0]["name"] == "2025 深圳推介会"


def test_a_unit_records_only_the_events_it_hosts(api_as, people):
    api = api_as(people["unit"])
    assert_error(api.post("/events", json=_new(people["unit_b"])), 422, "host_unit_id")
    created = api.post("/events", json=_new(people["unit_a"]))
    assert created.status_code == 201
    body = created.get_json()
    assert body["host_unit_id"] == people["unit_a"].id and body["held_on"] == "2026-03-18"
    assert api.get(f"/events/{body['id']}").get_json()["name"] == "2026 深圳推介会"


def test_an_update_needs_the_version_and_a_stale_one_changes_nothing(api_as, people, make):
    event = make.event(host_unit=people["unit_a"])
    api = api_as(people["unit"])
    assert_error(api.patch(f"/events/{event.id}", json={"city": "广州市"}), 422, "version")
    changed = api.patch(f"/events/{event.id}", json={"city": "广州市", "version": 1})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    stale = api.patch(f"/events/{event.id}", json={"city": "珠海市", "version": 1})
    assert_error(stale, 409)
    assert stale.get_json()["current"]["city"] == "广州市"
    assert api.get(f"/events/{event.id}").get_json()["city"] == "广州市"
    by_header = api.patch(f"/events/{event.id}", json={"notes": "备注"}, headers={"If-Match": "2"})
    assert by_header.status_code == 200 and by_header.get_json()["notes"] == "备注"


def test_another_units_event_is_refused_to_edit(api_as, people, make):
    event = make.event(host_unit=people["unit_a"])
    response = api_as(people["other_unit"]).patch(
        f"/events/{event.id}", json={"city": "广州市", "version": 1}
    )
    assert_error(response, 403)
    assert api_as(people["bureau"]).get(f"/events/{event.id}").get_json()["city"] == "深圳市"


def test_bad_input_is_the_documented_error_never_a_500(api_as, people, make):
    api = api_as(people["bureau"])
    make.event()
    assert_error(api.post("/events", json={**_new(), "bogus": 1}), 422, "bogus")
    assert_error(api.post("/events", json={**_new(), "held_on": "2026-02-30"}), 422, "held_on")
    assert_error(api.post("/events", json={**_new(), "kind": 3}), 422, "kind")
    assert_error(api.post("/events", json={**_new(), "name": "2025 深圳招商推介会"}), 422, "name")
    assert_error(api.post("/events", json=_new(host_unit=people["unit_a"]) | {"host_unit_id": "x"}),
                 422, "host_unit_id")  # fmt: skip
    assert_error(api.get("/events?page=0"), 422, "page")
    assert_error(api.get("/events?per_page=1000"), 422, "per_page")
    assert_error(api.get("/events/999999"), 404)
    assert_error(api.patch("/events/999999", json={"city": "x", "version": 1}), 404)


def test_an_idempotent_retry_records_one_event(api_as, people):
    api = api_as(people["bureau"])
    first = api.post("/events", json=_new(), headers={"Idempotency-Key": "e-1"})
    again = api.post("/events", json=_new(), headers={"Idempotency-Key": "e-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert api.get("/events").get_json()["total"] == 1
