"""Who may do what to a key project: functions of the user and the object."""

from __future__ import annotations

from typing import Any


def owns(user: Any, key_project: Any) -> bool:
    """The bureau, or the key project's 责任单位."""
    if getattr(user, "role", None) == "bureau":
        return True
    return getattr(user, "role", None) == "unit" and user.unit_id == key_project.unit_id


def can_edit(user: Any, key_project: Any) -> bool:
    """Edit the fields, the team, the 实施方案, the procedures; mark it started."""
    return owns(user, key_project) and key_project.deleted_at is None


def can_manage(user: Any) -> bool:
    """Carry the list over to a new year and list 招商 projects: the bureau's alone."""
    return getattr(user, "role", None) == "bureau"
