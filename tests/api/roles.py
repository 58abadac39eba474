"""Helpers of the API resource tests: who gets which status, and the error shape."""

from __future__ import annotations

ROLES = ("bureau", "unit", "other_unit", "leader", "admin", "auditor")
READERS = {"bureau", "unit", "other_unit", "leader", "admin"}
WRITERS = {"bureau", "unit", "other_unit"}


def statuses(api_as, people, method: str, path: str, **kwargs) -> dict[str, int]:
    """The status each role's token gets for one request."""
    return {
        role: api_as(people[role]).call(method.upper(), path, **kwargs).status_code
        for role in ROLES
    }


def refused_to(result: dict[str, int], allowed: set[str]) -> list[str]:
    """The roles outside `allowed` that were not refused with 403."""
    return [role for role, status in result.items() if role not in allowed and status != 403]


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The response is the API's error shape with this status (and a message for `field`)."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if field is not None:
        assert error["fields"].get(field), error
    return error
