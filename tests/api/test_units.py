"""/api/v1/units: read only; every reader sees the register, a unit user only their own unit."""

from __future__ import annotations

from tests.api.roles import READERS, assert_error, refused_to, statuses


def test_every_reader_lists_units_and_the_auditor_is_refused(api_as, people):
    result = statuses(api_as, people, "get", "/units")
    assert refused_to(result, READERS) == []
    assert all(result[r] == 200 for r in READERS)
    names = {u["name"] for u in api_as(people["bureau"]).get("/units").get_json()["items"]}
    assert names == {"城关街道", "北山镇"}


def test_a_unit_user_sees_only_their_own_unit(api_as, people):
    api = api_as(people["unit"])
    body = api.get("/units").get_json()
    assert [u["name"] for u in body["items"]] == ["城关街道"] and body["total"] == 1
    assert api.get(f"/units/{people['unit_a'].id}").get_json()["name"] == "城关街道"
    assert_error(api.get(f"/units/{people['unit_b'].id}"), 404)


def test_filters_by_kind_and_status(api_as, people, make):
    make.unit("开发区", kind="园区")
    make.unit("旧单位", kind="区直部门", active=False)
    api = api_as(people["bureau"])
    assert [u["name"] for u in api.get("/units?kind=园区").get_json()["items"]] == ["开发区"]
    inactive = api.get("/units?active=false").get_json()["items"]
    assert [u["name"] for u in inactive] == ["旧单位"]


def test_bad_paging_and_unknown_ids_are_the_documented_errors(api_as, people):
    api = api_as(people["bureau"])
    assert_error(api.get("/units?page=-1"), 422, "page")
    assert_error(api.get("/units?per_page=201"), 422, "per_page")
    assert_error(api.get("/units?kind=星球"), 422, "kind")
    assert_error(api.get("/units/999999"), 404)
    assert_error(api.get("/units/abc"), 404)
    assert api.post("/units", json={"name": "x"}).status_code == 405


PATHS = {
    "/api/v1/units": {"get"},
    "/api/v1/units/{unit_id}": {"get"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/{user_id}": {"get", "patch"},
    "/api/v1/users/{user_id}/disable": {"post"},
    "/api/v1/events/{event_id}": {"get", "patch"},
    "/api/v1/leaders/{leader_id}/deactivate": {"post"},
    "/api/v1/trips/{trip_id}": {"get", "patch", "delete"},
    "/api/v1/trips/{trip_id}/projects/{project_id}": {"delete"},
    "/api/v1/targets/{target_id}/claim": {"post"},
    "/api/v1/problems/{problem_id}/resolve": {"post"},
    "/api/v1/commitments/{commitment_id}/fulfil": {"post"},
    "/api/v1/key-projects/{key_project_id}/procedures": {"get", "put"},
    "/api/v1/key-projects/{key_project_id}/reports/{year}/{month}": {"put"},
    "/api/v1/figures/key-projects": {"get"},
}


def test_the_resources_are_in_the_openapi_document_with_their_errors(anonymous_api):
    spec = anonymous_api.get("/openapi.json").get_json()
    for path, methods in PATHS.items():
        assert methods <= set(spec["paths"][path]), path
        for method in methods:
            responses = set(spec["paths"][path][method]["responses"])
            assert {"401", "403", "404", "422"} <= responses, (path, method)
