"""/api/v1/key-projects and /api/v1/figures/key-projects: the register, its procedures, its
monthly reports and the 台账 figures, each within the caller's scope."""

from __future__ import annotations

from tests.api.roles import READERS, WRITERS, assert_error, refused_to, statuses


def _new(unit, **fields) -> dict:
    return {"year": 2026, "name": "城南污水处理厂", "programme": "基础设施工程", "category": "续建",
            "unit_id": unit.id, "total_investment": "20000", "annual_plan": "6000.50",
            **fields}  # fmt: skip


def test_who_may_read_and_write(api_as, people, make):
    kp = make.key_project(people["unit_a"])
    for path in ("/key-projects", "/figures/key-projects"):
        result = statuses(api_as, people, "get", path)
        assert refused_to(result, READERS) == [] and all(result[r] == 200 for r in READERS)
    seen = statuses(api_as, people, "get", f"/key-projects/{kp.id}")
    assert seen["other_unit"] == 404 and seen["unit"] == seen["leader"] == 200
    units = {"bureau": people["unit_a"], "unit": people["unit_a"], "other_unit": people["unit_b"]}
    created = {
        role: api_as(people[role])
        .post("/key-projects", json=_new(units.get(role, people["unit_a"]), name=f"项目 {role}"))
        .status_code
        for role in ("bureau", "unit", "other_unit", "leader", "admin", "auditor")
    }
    assert {r: created[r] for r in WRITERS} == dict.fromkeys(WRITERS, 201)
    assert refused_to(created, WRITERS) == []
    reports = statuses(api_as, people, "get", f"/key-projects/{kp.id}/reports")
    assert reports["bureau"] == reports["unit"] == reports["leader"] == 200
    assert reports["other_unit"] == 404
    assert refused_to(reports, {"bureau", "unit", "leader", "other_unit"}) == []


def test_create_update_and_a_stale_update(api_as, people):
    api = api_as(people["unit"])
    created = api.post(
        "/key-projects", json=_new(people["unit_a"], team=[{"name": "张三", "post": "组长"}])
    )
    assert created.status_code == 201
    kp = created.get_json()
    assert kp["total_investment"] == "20000.00" and kp["annual_plan"] == "6000.50"
    assert kp["team"] == [{"name": "张三", "post": "组长"}]
    changed = api.patch(f"/key-projects/{kp['id']}", json={"annual_plan": "7000", "version": 1})
    assert changed.status_code == 200 and changed.get_json()["annual_plan"] == "7000.00"
    assert changed.get_json()["team"] == [{"name": "张三", "post": "组长"}]
    stale = api.patch(f"/key-projects/{kp['id']}", json={"name": "别的名字", "version": 1})
    assert_error(stale, 409)
    assert api.get(f"/key-projects/{kp['id']}").get_json()["name"] == "城南污水处理厂"
    assert_error(api.post("/key-projects", json=_new(people["unit_b"])), 422, "unit_id")
    theirs = api_as(people["other_unit"])
    assert_error(theirs.patch(f"/key-projects/{kp['id']}", json={"name": "x", "version": 2}), 404)


def test_the_register_filters_as_on_the_screen(api_as, people, make):
    make.key_project(people["unit_a"], name="污水厂", category="新建")
    make.key_project(people["unit_b"], name="学校", programme="民生工程")
    make.key_project(people["unit_a"], name="去年的路", year=2025)
    api = api_as(people["bureau"])
    assert api.get("/key-projects").get_json()["total"] == 2  # this year by default
    assert api.get("/key-projects?year=2025").get_json()["items"][0]["name"] == "去年的路"
    assert api.get("/key-projects?category=新建").get_json()["items"][0]["name"] == "污水厂"
    assert api.get("/key-projects?programme=民生工程").get_json()["total"] == 1
    assert api.get(f"/key-projects?unit_id={people['unit_b'].id}").get_json()["total"] == 1
    assert api.get("/key-projects?q=学校").get_json()["total"] == 1
    assert api_as(people["unit"]).get("/key-projects").get_json()["total"] == 1


def test_a_guarded_project_starts_only_with_its_procedures(api_as, people, make):
    kp = make.key_project(people["unit_a"], category="新建")
    api = api_as(people["unit"])
    refused = api.post(f"/key-projects/{kp.id}/start", json={"started_on": "2026-11-01"})
    assert "尚缺" in assert_error(refused, 422, "started_on")["fields"]["started_on"]
    procedures = api.get(f"/key-projects/{kp.id}/procedures").get_json()
    assert len(procedures) == 11 and {p["status"] for p in procedures} == {"todo"}
    done = [{"kind": p["kind"], "status": "done", "done_on": "2026-10-01"} for p in procedures]
    saved = api.put(f"/key-projects/{kp.id}/procedures", json={"procedures": done})
    assert saved.status_code == 200 and {p["status"] for p in saved.get_json()} == {"done"}
    started = api.post(f"/key-projects/{kp.id}/start", json={"started_on": "2026-11-01"})
    assert started.status_code == 200 and started.get_json()["started_on"] == "2026-11-01"
    bad = [{"kind": procedures[0]["kind"], "status": "done"}]
    error = assert_error(api.put(f"/key-projects/{kp.id}/procedures", json={"procedures": bad}),
                         422)  # fmt: skip
    assert "办结日期" in next(iter(error["fields"].values()))


def test_monthly_reports_and_the_ledger(api_as, people, make):
    kp = make.key_project(people["unit_a"], plan_wan="6000")
    api = api_as(people["unit"])
    first = api.put(f"/key-projects/{kp.id}/reports/2026/10",
                    json={"invested": "600", "progress": "主体施工"})  # fmt: skip
    assert first.status_code == 200 and first.get_json()["invested"] == "600.00"
    assert_error(api.put(f"/key-projects/{kp.id}/reports/2026/10",
                         json={"invested": "700", "progress": "封顶"}), 422, "version")  # fmt: skip
    stale = api.put(f"/key-projects/{kp.id}/reports/2026/10",
                    json={"invested": "700", "progress": "封顶", "version": 9})  # fmt: skip
    assert_error(stale, 409)
    assert_error(api.put(f"/key-projects/{kp.id}/reports/2026/11",
                         json={"invested": "1", "progress": "x"}), 422, "month")  # fmt: skip
    assert_error(api.put(f"/key-projects/{kp.id}/reports/2026/10",
                         json={"invested": "-1", "progress": "x", "version": 1}), 422,
                 "invested")  # fmt: skip
    assert [r["month"] for r in api.get(f"/key-projects/{kp.id}/reports").get_json()] == [10]
    ledger = api_as(people["bureau"]).get("/figures/key-projects?year=2026&month=10").get_json()
    assert ledger["total"]["completed"] == "600.00" and ledger["total"]["count"] == 1
    assert ledger["total"]["rate"] == "10.00"
    assert ledger["rows"][0]["key_project_id"] == kp.id and ledger["as_of"] == "2026-10-31"
    other = api_as(people["other_unit"]).get("/figures/key-projects?year=2026&month=10").get_json()
    assert other["total"]["count"] == 0 and other["rows"] == []


def test_bad_input_is_the_documented_error(api_as, people, make):
    api = api_as(people["bureau"])
    unit = people["unit_a"]
    assert_error(api.post("/key-projects", json=_new(unit, total_investment=20000.5)), 422,
                 "total_investment")  # fmt: skip
    assert_error(
        api.post("/key-projects", json=_new(unit, annual_plan="30000")), 422, "annual_plan"
    )
    assert_error(api.post("/key-projects", json=_new(unit, category="重建")), 422, "category")
    assert_error(api.post("/key-projects", json=_new(unit, owner="x")), 422, "owner")
    assert_error(api.post("/key-projects", json=_new(unit, team=[{"post": "组长"}])), 422)
    assert_error(api.get("/figures/key-projects?year=2026&month=13"), 422, "month")
    assert_error(api.get("/figures/key-projects?year=2027&month=1"), 422, "month")
    assert_error(api.get("/key-projects?per_page=201"), 422, "per_page")
    assert_error(api.get("/key-projects/999999"), 404)
    assert_error(api.put("/key-projects/999999/reports/2026/10",
                         json={"invested": "1", "progress": "x"}), 404)  # fmt: skip
