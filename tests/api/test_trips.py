"""/api/v1/trips: readers list and read within their scope; the bureau, the units (their
leaders) and the leaders (their own trips) record, change, delete and link projects."""

from __future__ import annotations

import pytest

from tests.api.roles import READERS, assert_error, refused_to, statuses


@pytest.fixture
def leaders(make, people):
    """A leader of unit A (城关街道) and one of unit B, and the leader account's record."""
    return {
        "a": make.leader("王主任", "街道办主任", unit=people["unit_a"], head_kind="government"),
        "b": make.leader("李镇长", "镇长", unit=people["unit_b"], head_kind="government"),
        "own": make.leader("张书记", "区委书记", user=people["leader"]),
    }


def _trip(leader_ids, **fields) -> dict:
    return {"leader_ids": leader_ids, "status": "done", "started_on": "2026-10-08",
            "ended_on": "2026-10-10", "province": "广东省", "city": "深圳市", **fields}  # fmt: skip


def test_who_may_record_and_read(api_as, people, leaders):
    bodies = {
        "bureau": _trip([leaders["a"].id]),
        "unit": _trip([leaders["a"].id], started_on="2026-09-01", ended_on="2026-09-02"),
        "other_unit": _trip([leaders["b"].id]),
        "leader": _trip([leaders["own"].id]),
        "admin": _trip([leaders["own"].id]),
        "auditor": _trip([leaders["own"].id]),
    }
    created = {r: api_as(people[r]).post("/trips", json=b).status_code for r, b in bodies.items()}
    allowed = {"bureau", "unit", "other_unit", "leader"}
    assert {r: created[r] for r in allowed} == dict.fromkeys(allowed, 201)
    assert refused_to(created, allowed) == []
    result = statuses(api_as, people, "get", "/trips")
    assert refused_to(result, READERS) == [] and all(result[r] == 200 for r in READERS)


def test_a_unit_sees_and_changes_only_its_leaders_trips(api_as, people, leaders):
    bureau = api_as(people["bureau"])
    mine = bureau.post("/trips", json=_trip([leaders["a"].id])).get_json()
    theirs = bureau.post("/trips", json=_trip([leaders["b"].id])).get_json()
    unit = api_as(people["unit"])
    assert [t["id"] for t in unit.get("/trips").get_json()["items"]] == [mine["id"]]
    assert_error(unit.get(f"/trips/{theirs['id']}"), 404)
    assert_error(unit.patch(f"/trips/{theirs['id']}", json={"city": "广州市", "version": 1}), 404)
    assert_error(unit.post("/trips", json=_trip([leaders["b"].id])), 422, "leader_ids")
    changed = unit.patch(f"/trips/{mine['id']}", json={"city": "广州市", "version": 1})
    assert changed.status_code == 200 and changed.get_json()["city"] == "广州市"


def test_the_list_filters_as_on_the_screen(api_as, people, leaders):
    api = api_as(people["bureau"])
    api.post("/trips", json=_trip([leaders["a"].id]))
    api.post("/trips", json=_trip([leaders["b"].id], started_on="2026-03-02", ended_on="2026-03-03",
                                  province="浙江省", city="杭州市"))  # fmt: skip
    assert api.get("/trips?year=2026&month=3").get_json()["items"][0]["city"] == "杭州市"
    assert api.get("/trips?province=广东省").get_json()["total"] == 1
    assert api.get(f"/trips?leader_id={leaders['b'].id}").get_json()["total"] == 1
    assert api.get("/trips?q=杭州").get_json()["total"] == 1
    assert api.get("/trips?status=planned").get_json()["total"] == 0


def test_a_stale_change_is_409_and_a_delete_needs_a_reason(api_as, people, leaders):
    api = api_as(people["bureau"])
    trip = api.post("/trips", json=_trip([leaders["a"].id])).get_json()
    assert (
        api.patch(f"/trips/{trip['id']}", json={"city": "珠海市", "version": 1}).status_code == 200
    )
    stale = api.patch(f"/trips/{trip['id']}", json={"city": "佛山市", "version": 1})
    assert_error(stale, 409)
    assert api.get(f"/trips/{trip['id']}").get_json()["city"] == "珠海市"
    assert_error(api.delete(f"/trips/{trip['id']}"), 422, "reason")
    assert api.delete(f"/trips/{trip['id']}?reason=重复登记").status_code == 204
    assert_error(api.get(f"/trips/{trip['id']}"), 404)


def test_projects_are_linked_and_unlinked(api_as, people, leaders, make):
    project = make.project(people["unit_a"])
    other = make.project(people["unit_b"], name="北山项目")
    unit = api_as(people["unit"])
    trip = unit.post("/trips", json=_trip([leaders["a"].id])).get_json()
    linked = unit.post(f"/trips/{trip['id']}/projects",
                       json={"project_id": project.id, "relation": "produced"})  # fmt: skip
    assert linked.status_code == 200
    assert linked.get_json() == [
        {"project_id": project.id, "name": "智能制造产业园", "relation": "produced", "note": None}
    ]
    assert_error(unit.post(f"/trips/{trip['id']}/projects",
                           json={"project_id": other.id, "relation": "advanced"}), 404)  # fmt: skip
    assert unit.get(f"/trips/{trip['id']}/projects").get_json()[0]["project_id"] == project.id
    assert unit.delete(f"/trips/{trip['id']}/projects/{project.id}").get_json() == []


def test_bad_input_is_the_documented_error(api_as, people, leaders):
    api = api_as(people["bureau"])
    ok = _trip([leaders["a"].id])
    assert_error(api.post("/trips", json={**ok, "ended_on": "2026-10-01"}), 422, "ended_on")
    assert_error(api.post("/trips", json={**ok, "leader_ids": []}), 422, "leader_ids")
    assert_error(api.post("/trips", json={**ok, "leader_ids": [999999]}), 422, "leader_ids")
    assert_error(api.post("/trips", json={**ok, "leader_ids": "1"}), 422, "leader_ids")
    assert_error(api.post("/trips", json={**ok, "province": "火星"}), 422, "province")
    assert_error(api.post("/trips", json={**ok, "budget": 1}), 422, "budget")
    assert_error(api.get("/trips?month=13"), 422, "month")
    assert_error(api.get("/trips?page=-1"), 422, "page")
    assert_error(api.get("/trips/999999"), 404)
