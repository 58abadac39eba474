"""Projects through the API: every role, cross-unit 404s, stale updates, idempotent creates."""

from __future__ import annotations

from datetime import date

import pytest

from app.core import scoping
from app.extensions import db
from app.projects.models import FollowUp, Project

READERS = ["bureau", "unit", "leader", "admin"]


@pytest.fixture
def projects(make, people):
    own = make.project(people["unit_a"], name="城关项目", investor="城关公司")
    other = make.project(people["unit_b"], name="北山项目", investor="北山公司")
    return {"own": own, "other": other}


def _new(people, **changes):
    return {
        "name": "新能源电池项目",
        "investor_name": "宁德某新能源有限公司",
        "unit_id": people["unit_a"].id,
        "source": "以商招商",
        "industry": "工业",
        "planned_investment": "12000.50",
        **changes,
    }


def _count(app, model=Project) -> int:
    with app.app_context(), scoping.district_wide("counting in a test"):
        return db.session.query(model).count()


@pytest.mark.parametrize("role", READERS)
def test_every_reader_lists_what_the_screen_lists(api_as, people, projects, role):
    body = api_as(people[role]).get("/projects?per_page=10").get_json()
    names = {item["name"] for item in body["items"]}
    expected = {"城关项目"} if role == "unit" else {"城关项目", "北山项目"}
    assert names == expected and body["total"] == len(expected)
    assert body["per_page"] == 10


def test_the_list_takes_the_screens_filters(api_as, people, projects):
    api = api_as(people["bureau"])
    body = api.get(f"/projects?unit_id={people['unit_b'].id}").get_json()
    assert [i["name"] for i in body["items"]] == ["北山项目"]
    assert api.get("/projects?q=城关").get_json()["total"] == 1
    assert api.get("/projects?stage=signed").get_json()["total"] == 0


def test_another_units_project_is_not_found(api_as, people, projects):
    api = api_as(people["unit"])
    assert api.get(f"/projects/{projects['other'].id}").status_code == 404
    assert (
        api.patch(f"/projects/{projects['other'].id}", json={"name": "x", "version": 1}).status_code
        == 404
    )
    assert (
        api.post(
            f"/projects/{projects['other'].id}/milestones",
            json={"stage": "negotiating", "on": "2026-11-01"},
        ).status_code
        == 404
    )
    assert api.get(f"/projects/{projects['other'].id}/follow-ups").status_code == 404


def test_a_project_reads_as_the_glossary_names_it(api_as, people, projects):
    body = api_as(people["bureau"]).get(f"/projects/{projects['own'].id}").get_json()
    assert body["planned_investment"] == "0.00"
    assert body["stage"] == "lead" and body["lead_on"] == "2025-01-02"
    assert body["version"] == 1


@pytest.mark.parametrize(("role", "status"), [("bureau", 201), ("unit", 201), ("leader", 403),
                                         ("admin", 403), ("auditor", 403)])  # fmt: skip
def test_who_may_create(app, api_as, people, role, status):
    response = api_as(people[role]).post("/projects", json=_new(people))
    assert response.status_code == status
    assert _count(app) == (1 if status == 201 else 0)
    if status == 201:
        assert response.get_json()["planned_investment"] == "12000.50"


def test_a_unit_user_cannot_create_for_another_unit(api_as, people):
    response = api_as(people["unit"]).post(
        "/projects", json=_new(people, unit_id=people["unit_b"].id)
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["unit_id"] == "只能登记本单位的项目"


def test_service_refusals_name_the_apis_fields(api_as, people):
    response = api_as(people["bureau"]).post(
        "/projects", json=_new(people, planned_investment="-5", uscc="123")
    )
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422
    assert "planned_investment" in fields and "uscc" in fields


def test_an_idempotent_retry_creates_one_record(app, api_as, people):
    api = api_as(people["unit"])
    headers = {"Idempotency-Key": "order-42"}
    first = api.post("/projects", json=_new(people), headers=headers)
    again = api.post("/projects", json=_new(people), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(app) == 1
    changed = api.post("/projects", json=_new(people, name="另一个"), headers=headers)
    assert changed.status_code == 422
    assert _count(app) == 1


def test_a_failed_request_leaves_its_key_free(app, api_as, people):
    api = api_as(people["unit"])
    headers = {"Idempotency-Key": "retry-me"}
    assert (
        api.post("/projects", json=_new(people, industry="x"), headers=headers).status_code == 422
    )
    assert api.post("/projects", json=_new(people), headers=headers).status_code == 201
    assert _count(app) == 1


def test_a_duplicate_asks_to_confirm(app, api_as, people, projects):
    api = api_as(people["bureau"])
    body = _new(people, investor_name="城关公司")
    assert api.post("/projects", json=body).status_code == 422
    assert api.post("/projects", json={**body, "confirm_duplicate": True}).status_code == 201


def test_an_update_needs_the_version_read(api_as, people, projects):
    api = api_as(people["unit"])
    url = f"/projects/{projects['own'].id}"
    missing = api.patch(url, json={"name": "改名"})
    assert missing.status_code == 422 and "version" in missing.get_json()["error"]["fields"]
    done = api.patch(url, json={"name": "改名", "version": 1})
    assert done.status_code == 200 and done.get_json()["name"] == "改名"
    assert done.get_json()["version"] == 2
    by_header = api.patch(url, json={"notes": "备注"}, headers={"If-Match": '"2"'})
    assert by_header.status_code == 200


def test_a_stale_update_gets_409_and_changes_nothing(api_as, people, projects):
    api = api_as(people["unit"])
    url = f"/projects/{projects['own'].id}"
    assert api.patch(url, json={"name": "第一次", "version": 1}).status_code == 200
    stale = api.patch(url, json={"name": "第二次", "version": 1})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["error"]["code"] == "stale"
    assert body["current"]["name"] == "第一次" and body["current"]["version"] == 2
    assert api.get(url).get_json()["name"] == "第一次"


def test_leaders_and_admins_cannot_update(api_as, people, projects):
    for role in ("leader", "admin"):
        url = f"/projects/{projects['own'].id}"
        assert api_as(people[role]).patch(url, json={"name": "x", "version": 1}).status_code == 403


def test_milestones_advance_as_on_the_screen(api_as, people, projects):
    api = api_as(people["unit"])
    url = f"/projects/{projects['own'].id}/milestones"
    refused = api.post(url, json={"stage": "signed", "on": "2026-11-01"})
    assert refused.status_code == 422
    assert "contract_investment" in refused.get_json()["error"]["fields"]
    done = api.post(url, json={"stage": "signed", "on": "2026-11-01", "contract_investment": "800"})
    assert done.status_code == 200
    assert (
        done.get_json()["stage"] == "signed" and done.get_json()["contract_investment"] == "800.00"
    )
    backwards = api.post(url, json={"stage": "negotiating", "on": "2026-11-02"})
    assert backwards.status_code == 422
    assert api.post(url, json={"stage": "funded", "on": "2026-11-02"}).status_code == 422
    future = api.post(url, json={"stage": "registered", "on": "2026-12-30", "uscc": "x"})
    assert future.status_code == 422


def test_follow_ups_are_recorded_and_listed(app, api_as, people, projects):
    api = api_as(people["unit"])
    url = f"/projects/{projects['own'].id}/follow-ups"
    made = api.post(url, json={"happened_on": "2026-11-18", "kind": "拜访", "summary": "实地考察"},
                    headers={"Idempotency-Key": "f1"})  # fmt: skip
    assert made.status_code == 201
    api.post(url, json={"happened_on": "2026-11-18", "kind": "拜访", "summary": "实地考察"},
             headers={"Idempotency-Key": "f1"})  # fmt: skip
    assert _count(app, FollowUp) == 1
    listed = api.get(url).get_json()
    assert listed["total"] == 1 and listed["items"][0]["summary"] == "实地考察"
    assert api_as(people["leader"]).get(url).get_json()["total"] == 1
    bad = api.post(url, json={"happened_on": date(2026, 12, 30).isoformat(), "kind": "拜访",
                              "summary": "x"})  # fmt: skip
    assert bad.status_code == 422
