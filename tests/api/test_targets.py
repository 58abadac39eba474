"""/api/v1/targets: readers list and read (a unit: its own); the bureau sets and changes a
unit's targets; the unit claims them."""

from __future__ import annotations

from tests.api.roles import READERS, assert_error, refused_to, statuses


def test_who_may_read_set_and_claim(api_as, people, make):
    target = make.target(people["unit_a"], funds_total="1000", signed_count=3)
    result = statuses(api_as, people, "get", "/targets")
    assert refused_to(result, READERS) == [] and all(result[r] == 200 for r in READERS)
    seen = statuses(api_as, people, "get", f"/targets/{target.id}")
    assert seen["other_unit"] == 404 and seen["unit"] == seen["bureau"] == 200
    body = {"unit_id": people["unit_b"].id, "year": 2026, "signed_count": 2}
    created = statuses(api_as, people, "post", "/targets", json=body)
    assert created["bureau"] == 201 and refused_to(created, {"bureau"}) == []
    claimed = statuses(api_as, people, "post", f"/targets/{target.id}/claim")
    assert claimed["unit"] == 200 and claimed["other_unit"] == 404
    assert refused_to(claimed, {"unit", "other_unit"}) == []


def test_a_unit_sees_only_its_own_targets(api_as, people, make):
    make.target(people["unit_a"], funds_total="1000")
    make.target(people["unit_b"], funds_total="2000")
    mine = api_as(people["unit"]).get("/targets").get_json()
    assert [t["unit_id"] for t in mine["items"]] == [people["unit_a"].id]
    assert mine["items"][0]["funds_total"] == "1000.00"
    assert (
        api_as(people["bureau"])
        .get(f"/targets?unit_id={people['unit_b'].id}")
        .get_json()["items"][0]["funds_total"]
        == "2000.00"
    )


def test_set_change_and_claim_again_after_a_change(api_as, people):
    bureau, unit = api_as(people["bureau"]), api_as(people["unit"])
    body = {"unit_id": people["unit_a"].id, "year": 2026, "funds_total": "1500.50", "big_count": 2}
    created = bureau.post("/targets", json=body)
    assert created.status_code == 201
    target = created.get_json()
    assert target["funds_total"] == "1500.50" and target["big_count"] == 2
    assert target["signed_count"] is None
    assert_error(bureau.post("/targets", json=body), 422, "year")  # the year has its targets
    claimed = unit.post(f"/targets/{target['id']}/claim").get_json()
    assert claimed["claimed_at"] and claimed["claimed_by_id"] == people["unit"].id
    changed = bureau.patch(
        f"/targets/{target['id']}", json={"funds_total": "2000", "version": claimed["version"]}
    )
    assert changed.status_code == 200
    assert (
        changed.get_json()["funds_total"] == "2000.00" and changed.get_json()["claimed_at"] is None
    )


def test_a_stale_change_is_409_and_changes_nothing(api_as, people, make):
    target = make.target(people["unit_a"], funds_total="1000")
    api = api_as(people["bureau"])
    assert (
        api.patch(f"/targets/{target.id}", json={"funds_total": "1100", "version": 1}).status_code
        == 200
    )
    stale = api.patch(f"/targets/{target.id}", json={"funds_total": "1200", "version": 1})
    assert_error(stale, 409)
    assert api.get(f"/targets/{target.id}").get_json()["funds_total"] == "1100.00"


def test_bad_input_is_the_documented_error(api_as, people, make):
    api = api_as(people["bureau"])
    unit_id = people["unit_a"].id
    assert_error(api.post("/targets", json={"unit_id": unit_id, "year": 2026, "funds_total": "-1"}),
                 422, "funds_total")  # fmt: skip
    assert_error(api.post("/targets", json={"unit_id": unit_id, "year": 2026, "big_count": 1.5}),
                 422, "big_count")  # fmt: skip
    assert_error(api.post("/targets", json={"unit_id": unit_id, "year": 1900, "big_count": 1}),
                 422, "year")  # fmt: skip
    assert_error(api.post("/targets", json={"unit_id": unit_id, "year": 2026}), 422)
    assert_error(api.post("/targets", json={"unit_id": 999999, "year": 2026, "big_count": 1}),
                 422, "unit_id")  # fmt: skip
    too_much = {"unit_id": unit_id, "year": 2026, "funds_total": "100", "funds_foreign": "200"}
    assert_error(api.post("/targets", json=too_much), 422, "funds_foreign")
    assert_error(api.post("/targets", json={"unit_id": unit_id, "year": 2026, "x": 1}), 422, "x")
    assert_error(api.get("/targets?per_page=500"), 422, "per_page")
    assert_error(api.get("/targets/999999"), 404)
    empty = make.target(people["unit_b"])
    assert_error(api_as(people["other_unit"]).post(f"/targets/{empty.id}/claim"), 422)
