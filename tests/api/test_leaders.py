"""/api/v1/leaders: every reader reads the register; the bureau alone writes it."""

from __future__ import annotations

from tests.api.roles import READERS, assert_error, refused_to, statuses


def _new(unit=None, **fields) -> dict:
    body = {"name": "王镇长", "post": "镇长", "head_kind": "government", **fields}
    if unit is not None:
        body["unit_id"] = unit.id
    return body


def test_who_may_read_and_write(api_as, people, make):
    leader = make.leader()
    for path in ("/leaders", f"/leaders/{leader.id}"):
        result = statuses(api_as, people, "get", path)
        assert refused_to(result, READERS) == [] and all(result[r] == 200 for r in READERS)
    created = statuses(api_as, people, "post", "/leaders", json=_new(people["unit_a"]))
    assert created["bureau"] == 201 and refused_to(created, {"bureau"}) == []
    patched = statuses(
        api_as, people, "patch", f"/leaders/{leader.id}", json={"post": "区委书记", "version": 1}
    )
    assert patched["bureau"] == 200 and refused_to(patched, {"bureau"}) == []
    for action in ("deactivate", "activate"):
        result = statuses(api_as, people, "post", f"/leaders/{leader.id}/{action}")
        assert result["bureau"] == 200 and refused_to(result, {"bureau"}) == []


def test_the_register_filters_as_on_the_screen(api_as, people, make):
    make.leader("张书记", "区委书记")
    make.leader("王镇长", "镇长", unit=people["unit_a"], head_kind="government")
    make.leader("李主任", "原主任", unit=people["unit_b"], head_kind=None, active=False)
    api = api_as(people["unit"])
    assert [x["name"] for x in api.get("/leaders").get_json()["items"]] == ["张书记", "王镇长"]
    assert [x["name"] for x in api.get("/leaders?unit=district").get_json()["items"]] == ["张书记"]
    unit = api.get(f"/leaders?unit={people['unit_a'].id}").get_json()["items"]
    assert [x["name"] for x in unit] == ["王镇长"] and unit[0]["jurisdiction"] == "城关街道"
    assert [x["name"] for x in api.get("/leaders?active=0").get_json()["items"]] == ["李主任"]
    assert api.get("/leaders?active=all&q=主任").get_json()["total"] == 1


def test_create_update_and_the_head_rule(api_as, people):
    api = api_as(people["bureau"])
    created = api.post("/leaders", json=_new(people["unit_a"], took_office_on="2026-03-01"))
    assert created.status_code == 201
    body = created.get_json()
    assert body["unit_id"] == people["unit_a"].id and body["took_office_on"] == "2026-03-01"
    second = api.post("/leaders", json=_new(people["unit_a"], name="赵镇长"))
    error = assert_error(second, 422, "head_kind")
    assert "已有" in error["fields"]["head_kind"]
    changed = api.patch(f"/leaders/{body['id']}", json={"post": "镇党委副书记、镇长", "version": 1})
    assert changed.status_code == 200 and changed.get_json()["post"] == "镇党委副书记、镇长"
    off = api.post(f"/leaders/{body['id']}/deactivate")
    assert off.status_code == 200 and off.get_json()["active"] is False


def test_a_stale_update_is_409_and_changes_nothing(api_as, people, make):
    leader = make.leader()
    api = api_as(people["bureau"])
    assert (
        api.patch(f"/leaders/{leader.id}", json={"post": "区长", "version": 1}).status_code == 200
    )
    stale = api.patch(f"/leaders/{leader.id}", json={"post": "副区长", "version": 1})
    assert_error(stale, 409)
    assert stale.get_json()["current"]["post"] == "区长"
    assert api.get(f"/leaders/{leader.id}").get_json()["post"] == "区长"


def test_bad_input_is_the_documented_error(api_as, people):
    api = api_as(people["bureau"])
    assert_error(api.post("/leaders", json={**_new(), "rank": "高"}), 422, "rank")
    assert_error(api.post("/leaders", json={**_new(), "unit_id": -3}), 422, "unit_id")
    assert_error(api.post("/leaders", json={**_new(), "head_kind": "king"}), 422, "head_kind")
    assert_error(api.post("/leaders", json={**_new(), "took_office_on": "2030-01-01"}), 422,
                 "took_office_on")  # fmt: skip
    assert_error(api.post("/leaders", json=_new(unit_id=999999)), 422, "unit_id")
    assert_error(api.get("/leaders?unit=abc"), 422, "unit")
    assert_error(api.get("/leaders?page=-1"), 422, "page")
    assert_error(api.get("/leaders/999999"), 404)
    assert_error(api.post("/leaders/999999/deactivate"), 404)
