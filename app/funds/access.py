"""Who may do what to a funds entry: functions of the user and the object."""

from __future__ import annotations

from typing import Any

from app.projects import access as project_access


def can_enter(user: Any, project: Any) -> bool:
    """Enter funds for a project: the bureau, or the unit that owns it."""
    return project_access.can_edit(user, project)


def can_edit(user: Any, entry: Any) -> bool:
    """Change an entry: only while it waits for verification, by its project's owner."""
    return entry.status == "pending" and not entry.is_reversal and can_enter(user, entry.project)


def can_verify(user: Any) -> bool:
    """Verify or reject: the bureau only."""
    return user.role == "bureau"


def can_correct(user: Any, entry: Any, reversed_ids: set[int] | frozenset = frozenset()) -> bool:
    """Correct a verified entry (reverse it, optionally with a new one): the bureau only."""
    return (
        user.role == "bureau"
        and entry.status == "verified"
        and not entry.is_reversal
        and entry.id not in reversed_ids
    )
