"""/api/v1/users: the administrator's alone; never a password hash or a session token."""

from __future__ import annotations

from tests.api.roles import ROLES, assert_error, refused_to, statuses

SECRET_KEYS = {"password", "password_hash", "session_token"}


def _new(people, **fields) -> dict:
    return {"username": "newunit", "name": "新账户", "role": "unit",
            "unit_id": people["unit_a"].id, "password": "Zsxq-2026-abcd", **fields}  # fmt: skip


def test_only_the_administrator_reaches_accounts(api_as, people, make):
    uid = make.user("spare", "bureau").id
    for method, path, body in (
        ("get", "/users", None),
        ("get", f"/users/{uid}", None),
        ("post", "/users", _new(people)),
        ("patch", f"/users/{uid}", {"name": "改名"}),
        ("post", f"/users/{uid}/disable", None),
        ("post", f"/users/{uid}/enable", None),
    ):
        result = statuses(api_as, people, method, path, json=body)
        assert refused_to(result, {"admin"}) == [], (method, path, result)
        assert result["admin"] in (200, 201), (method, path, result)


def test_no_secret_is_ever_shown(api_as, people):
    api = api_as(people["admin"])
    listed = api.get("/users").get_json()["items"]
    assert len(listed) == len(ROLES) and all(not SECRET_KEYS & set(u) for u in listed)
    created = api.post("/users", json=_new(people))
    assert created.status_code == 201 and not SECRET_KEYS & set(created.get_json())
    assert created.get_json()["must_change_password"] is True
    assert "Zsxq" not in created.get_data(as_text=True)


def test_the_list_filters_as_on_the_screen(api_as, people):
    api = api_as(people["admin"])
    assert [u["username"] for u in api.get("/users?role=unit").get_json()["items"]] == [
        "unita", "unitb"
    ]  # fmt: skip
    assert api.get("/users?q=audit").get_json()["items"][0]["role"] == "auditor"
    assert api.get("/users?q=%25").get_json()["total"] == 0  # a % is a character, not a wildcard
    api.post(f"/users/{people['leader'].id}/disable")
    assert [u["username"] for u in api.get("/users?status=disabled").get_json()["items"]] == [
        "leader1"
    ]


def test_create_update_disable_and_their_refusals(api_as, people):
    api = api_as(people["admin"])
    assert_error(api.post("/users", json=_new(people, username="unita")), 422, "username")
    assert_error(api.post("/users", json=_new(people, unit_id=None)), 422, "unit_id")
    assert_error(api.post("/users", json=_new(people, password="123")), 422, "password")
    assert_error(api.post("/users", json=_new(people, role="root")), 422, "role")
    assert_error(api.post("/users", json=_new(people, is_admin=True)), 422, "is_admin")
    moved = api.patch(f"/users/{people['unit'].id}", json={"unit_id": people["unit_b"].id})
    assert moved.status_code == 200 and moved.get_json()["unit_id"] == people["unit_b"].id
    assert_error(api.patch(f"/users/{people['admin'].id}", json={"role": "bureau"}), 422, "role")
    assert_error(api.post(f"/users/{people['admin'].id}/disable"), 422)
    off = api.post(f"/users/{people['bureau'].id}/disable")
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert_error(api.get("/users/999999"), 404)
    assert_error(api.get("/users?per_page=999"), 422, "per_page")


def test_a_disabled_users_token_stops_working(api_as, people):
    bureau = api_as(people["bureau"])
    assert bureau.get("/units").status_code == 200
    api_as(people["admin"]).post(f"/users/{people['bureau'].id}/disable")
    assert_error(bureau.get("/units"), 401)
