"""Who may do what to a project: functions of the user and the object."""

from __future__ import annotations

from typing import Any


def owns(user: Any, project: Any) -> bool:
    """The bureau, or the unit that owns the project."""
    if user.role == "bureau":
        return True
    return user.role == "unit" and user.unit_id == project.unit_id


def can_edit(user: Any, project: Any) -> bool:
    """Edit data, add milestones, follow-ups and contacts, drop or restore."""
    return owns(user, project) and project.deleted_at is None


def can_correct_milestones(user: Any) -> bool:
    """Correcting or clearing a milestone date is the bureau's alone, with a reason (三员分立:
    the administrator edits no business data)."""
    return getattr(user, "role", None) == "bureau"


def sees_full_phone(user: Any, project: Any) -> bool:
    """Full phone numbers for the owning unit and the bureau; everyone else sees them masked."""
    return owns(user, project)


def can_merge(user: Any) -> bool:
    """Merging duplicate records is the bureau's."""
    return user.role == "bureau"
