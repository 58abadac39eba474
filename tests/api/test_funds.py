"""Funds entries through the API: entering, changing, verifying, the month's verified total."""

from __future__ import annotations

from datetime import date

import pytest

W = 10_000


@pytest.fixture
def signed(make, people):
    own = make.project(people["unit_a"], name="城关项目", investor="城关公司",
                       signed_on=date(2026, 1, 5), contract_investment=5000 * W)  # fmt: skip
    other = make.project(people["unit_b"], name="北山项目", investor="北山公司",
                         signed_on=date(2026, 1, 5), contract_investment=5000 * W)  # fmt: skip
    return {"own": own, "other": other}


def _entry(project, **changes):
    return {"project_id": project.id, "received_on": "2026-10-08", "amount": "300.00",
            "origin": "国内省外", "evidence_ref": "PZ-1", **changes}  # fmt: skip


def test_a_unit_enters_and_the_bureau_verifies(api_as, people, signed):
    unit, bureau = api_as(people["unit"]), api_as(people["bureau"])
    made = unit.post("/funds", json=_entry(signed["own"]))
    assert made.status_code == 201
    entry = made.get_json()
    assert entry["status"] == "pending" and entry["amount"] == "300.00"
    assert unit.post(f"/funds/{entry['id']}/verify", json={}).status_code == 403
    verified = bureau.post(f"/funds/{entry['id']}/verify", json={"note": "凭证齐全"})
    assert verified.status_code == 200 and verified.get_json()["status"] == "verified"
    again = bureau.post(f"/funds/{entry['id']}/verify", json={})
    assert again.status_code == 422


def test_the_ledger_sums_a_months_verified_funds(api_as, people, signed, make):
    make.funds_entry(signed["own"], "300", received_on=date(2026, 10, 8))
    make.funds_entry(signed["other"], "200", received_on=date(2026, 10, 20))
    make.funds_entry(signed["own"], "50", status="pending", received_on=date(2026, 10, 9))
    make.funds_entry(signed["own"], "70", received_on=date(2026, 9, 30))
    query = "/funds?year=2026&month_from=10&month_to=10&status=verified"
    bureau = api_as(people["bureau"]).get(query).get_json()
    assert (bureau["total"], bureau["amount_total"]) == (2, "500.00")
    unit = api_as(people["unit"]).get(query).get_json()
    assert (unit["total"], unit["amount_total"]) == (1, "300.00")


def test_another_units_entries_are_not_found(api_as, people, signed, make):
    theirs = make.funds_entry(signed["other"], "10")
    api = api_as(people["unit"])
    assert api.get(f"/funds/{theirs.id}").status_code == 404
    assert api.patch(f"/funds/{theirs.id}", json={"amount": "1", "version": 1}).status_code == 404
    assert api.post("/funds", json=_entry(signed["other"])).status_code == 404


def test_refusals_name_the_fields(api_as, people, signed):
    api = api_as(people["unit"])
    response = api.post("/funds", json=_entry(signed["own"], amount="0", received_on="2026-12-01"))
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422 and "amount" in fields and "received_on" in fields
    assert api.post("/funds", json=_entry(signed["own"], amount=12.5)).status_code == 422


def test_a_pending_entry_is_changed_with_its_version(api_as, people, signed):
    api = api_as(people["unit"])
    entry = api.post("/funds", json=_entry(signed["own"])).get_json()
    url = f"/funds/{entry['id']}"
    changed = api.patch(url, json={"amount": "350", "version": entry["version"]})
    assert changed.status_code == 200 and changed.get_json()["amount"] == "350.00"
    stale = api.patch(url, json={"amount": "360", "version": entry["version"]})
    assert stale.status_code == 409 and stale.get_json()["current"]["amount"] == "350.00"


def test_a_return_needs_a_reason(api_as, people, signed):
    entry = api_as(people["unit"]).post("/funds", json=_entry(signed["own"])).get_json()
    bureau = api_as(people["bureau"])
    refused = bureau.post(f"/funds/{entry['id']}/reject", json={})
    assert refused.status_code == 422 and "note" in refused.get_json()["error"]["fields"]
    done = bureau.post(f"/funds/{entry['id']}/reject", json={"note": "凭证不清"})
    assert done.get_json()["status"] == "rejected"


def test_idempotent_entry(api_as, people, signed):
    api = api_as(people["unit"])
    headers = {"Idempotency-Key": "funds-1"}
    first = api.post("/funds", json=_entry(signed["own"]), headers=headers)
    second = api.post("/funds", json=_entry(signed["own"]), headers=headers)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert api.get("/funds").get_json()["total"] == 1


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_readers_who_do_not_write(api_as, people, signed, role):
    api = api_as(people[role])
    assert api.get("/funds").status_code == 200
    assert api.post("/funds", json=_entry(signed["own"])).status_code == 403
