"""Who may do what in aftercare: functions of the user and the object."""

from __future__ import annotations

from typing import Any

from app.care.models import TOP_LEVEL, Problem
from app.projects import access as project_access


def can_record(user: Any, project: Any) -> bool:
    """Visits, commitments and new requests: the bureau and the project's own unit."""
    return project_access.can_edit(user, project)


def can_manage(user: Any) -> bool:
    """Assigning a handling unit and escalating are the bureau's."""
    return user.role == "bureau"


def can_work(user: Any, problem: Problem) -> bool:
    """Starting and resolving: the bureau, or a user of the unit the problem is handed to."""
    if problem.is_resolved:
        return False
    if user.role == "bureau":
        return True
    return (
        user.role == "unit"
        and problem.handling_unit_id is not None
        and user.unit_id == problem.handling_unit_id
    )


def can_escalate(user: Any, problem: Problem) -> bool:
    """The bureau, on an unresolved problem below 主要领导."""
    return can_manage(user) and not problem.is_resolved and problem.level < TOP_LEVEL
