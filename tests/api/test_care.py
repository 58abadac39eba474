"""/api/v1/problems and /api/v1/commitments: readers list and read within their scope; the
bureau and the project's unit record; the bureau hands over and escalates; the handling unit
starts and resolves; every action carries the version read."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.roles import READERS, assert_error, refused_to, statuses


@pytest.fixture
def project(make, people):
    """A signed project of unit A (城关街道)."""
    return make.project(people["unit_a"], signed_on=date(2026, 1, 5))


def _problem(project, **fields) -> dict:
    return {"project_id": project.id, "category": "用地", "description": "缺少用地指标",
            "raised_on": "2026-11-01", **fields}  # fmt: skip


def _commitment(project, people, **fields) -> dict:
    unit_id = people["unit_a"].id
    return {"project_id": project.id, "promise": "年底前完成供地",
            "delivering_unit_id": unit_id, "due_on": "2026-12-31", **fields}  # fmt: skip


def test_who_may_raise_read_and_act(api_as, people, project):
    raised = statuses(api_as, people, "post", "/problems", json=_problem(project))
    assert raised["bureau"] == raised["unit"] == 201 and raised["other_unit"] == 404
    assert refused_to(raised, {"bureau", "unit", "other_unit"}) == []
    for path in ("/problems", "/commitments"):
        result = statuses(api_as, people, "get", path)
        assert refused_to(result, READERS) == [] and all(result[r] == 200 for r in READERS)
    problem_id = api_as(people["bureau"]).get("/problems").get_json()["items"][0]["id"]
    body = {"handling_unit_id": people["unit_a"].id, "deadline": "2026-12-01", "version": 1}
    assigned = statuses(api_as, people, "post", f"/problems/{problem_id}/assign", json=body)
    assert assigned["bureau"] == 200 and refused_to(assigned, {"bureau"}) == []


def test_a_problem_goes_from_raised_to_resolved(api_as, people, project):
    bureau, unit = api_as(people["bureau"]), api_as(people["unit"])
    problem = unit.post("/problems", json=_problem(project)).get_json()
    assert problem["status"] == "open" and problem["subject_name"] == "智能制造产业园"
    pid = problem["id"]
    assert_error(unit.post(f"/problems/{pid}/start", json={"version": 1}), 403)  # not handed yet
    handing = {"handling_unit_id": people["unit_a"].id, "deadline": "2026-12-01", "version": 1}
    handed = bureau.post(f"/problems/{pid}/assign", json=handing)
    assert handed.get_json()["handling_unit_id"] == people["unit_a"].id
    up = bureau.post(f"/problems/{pid}/escalate", json={"reason": "逾期风险", "version": 2})
    assert up.get_json()["level"] == 1 and up.get_json()["level_label"] == "包保领导"
    started = unit.post(f"/problems/{pid}/start", json={"version": 3})
    assert started.get_json()["status"] == "in_progress"
    done = unit.post(
        f"/problems/{pid}/resolve",
        json={"resolution": "已协调指标", "resolved_on": "2026-11-10", "version": 4},
    )
    assert done.status_code == 200 and done.get_json()["status"] == "resolved"
    assert_error(unit.post(f"/problems/{pid}/resolve",
                           json={"resolution": "再办", "resolved_on": "2026-11-11", "version": 5}),
                 422)  # fmt: skip
    assert bureau.get("/problems?state=resolved").get_json()["total"] == 1
    assert bureau.get("/problems?state=open").get_json()["total"] == 0


def test_a_stale_action_is_409_and_changes_nothing(api_as, people, project):
    bureau = api_as(people["bureau"])
    pid = bureau.post("/problems", json=_problem(project)).get_json()["id"]
    body = {"handling_unit_id": people["unit_a"].id, "deadline": "2026-12-01", "version": 1}
    assert bureau.post(f"/problems/{pid}/assign", json=body).status_code == 200
    stale = bureau.post(f"/problems/{pid}/escalate", json={"reason": "x", "version": 1})
    assert_error(stale, 409)
    assert stale.get_json()["current"]["level"] == 0
    assert bureau.get(f"/problems/{pid}").get_json()["level"] == 0
    assert_error(bureau.post(f"/problems/{pid}/escalate", json={"reason": "x"}), 422, "version")


def test_another_units_problem_is_not_found(api_as, people, project, make):
    other = make.project(people["unit_b"], name="北山项目", signed_on=date(2026, 2, 1))
    pid = api_as(people["bureau"]).post("/problems", json=_problem(other)).get_json()["id"]
    unit = api_as(people["unit"])
    assert_error(unit.get(f"/problems/{pid}"), 404)
    assert_error(unit.post(f"/problems/{pid}/start", json={"version": 1}), 404)
    assert unit.get("/problems").get_json()["total"] == 0
    assert_error(api_as(people["other_unit"]).post("/problems", json=_problem(project)), 404)


def test_problem_filters_and_bad_input(api_as, people, project, make):
    api = api_as(people["bureau"])
    api.post("/problems", json=_problem(project))
    api.post("/problems", json=_problem(project, category="资金", raised_on="2026-10-01"))
    assert api.get("/problems?category=资金").get_json()["total"] == 1
    assert api.get("/problems?state=unassigned").get_json()["total"] == 2
    assert api.get("/problems?raised_from=2026-10-15").get_json()["total"] == 1
    assert api.get(f"/problems?unit_id={people['unit_a'].id}").get_json()["total"] == 2
    assert api.get("/problems?handling_unit_id=0").get_json()["total"] == 2
    key_project = make.key_project(people["unit_a"])
    both = _problem(project, key_project_id=key_project.id)
    assert_error(api.post("/problems", json=both), 422, "project_id")
    on_key = {**_problem(project), "key_project_id": key_project.id}
    on_key.pop("project_id")
    assert api.post("/problems", json=on_key).get_json()["key_project_id"] == key_project.id
    assert api.get("/problems?key=1").get_json()["total"] == 1
    assert_error(api.post("/problems", json=_problem(project, category="天气")), 422, "category")
    assert_error(api.post("/problems", json=_problem(project, raised_on="2026-12-30")), 422,
                 "raised_on")  # fmt: skip
    assert_error(api.post("/problems", json=_problem(project, mood="急")), 422, "mood")
    assert_error(api.get("/problems?level=7"), 422, "level")
    assert_error(api.get("/problems?per_page=0"), 422, "per_page")
    assert_error(api.get("/problems/999999"), 404)


def test_commitments_are_recorded_and_fulfilled(api_as, people, project, make):
    unit = api_as(people["unit"])
    created = unit.post("/commitments", json=_commitment(project, people))
    assert created.status_code == 201
    cid = created.get_json()["id"]
    assert created.get_json()["due_on"] == "2026-12-31" and created.get_json()["overdue"] is False
    assert_error(api_as(people["other_unit"]).get(f"/commitments/{cid}"), 404)
    assert api_as(people["other_unit"]).get("/commitments").get_json()["total"] == 0
    stale = unit.post(
        f"/commitments/{cid}/fulfil", json={"fulfilled_on": "2026-11-10", "version": 7}
    )
    assert_error(stale, 409)
    kept = unit.post(
        f"/commitments/{cid}/fulfil", json={"fulfilled_on": "2026-11-10", "version": 1}
    )
    assert kept.status_code == 200 and kept.get_json()["fulfilled_on"] == "2026-11-10"
    assert unit.get("/commitments?state=fulfilled").get_json()["total"] == 1
    assert unit.get("/commitments?state=open").get_json()["total"] == 0
    unsigned = make.project(people["unit_a"], name="未签约项目")
    assert_error(unit.post("/commitments", json=_commitment(unsigned, people)), 422)
    assert_error(unit.post("/commitments", json=_commitment(project, people, due_on="soon")), 422,
                 "due_on")  # fmt: skip
    assert_error(api_as(people["leader"]).post("/commitments", json=_commitment(project, people)),
                 403)  # fmt: skip
    assert_error(unit.get("/commitments?state=late"), 422, "state")
