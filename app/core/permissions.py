"""Named, composable permissions and the deny-by-default rule for every route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol


class Actor(Protocol):
    """What a permission needs to know about the acting user."""

    role: str
    unit_id: int | None
    is_authenticated: bool


class Permission:
    """A named predicate over the acting user; combine with `|` and `&`."""

    def __init__(self, name: str, test: Callable[[Any], bool]):
        self.name = name
        self._test = test

    def __call__(self, user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and self._test(user)

    def __or__(self, other: Permission) -> Permission:
        return Permission(f"{self.name}|{other.name}", lambda u: self(u) or other(u))

    def __and__(self, other: Permission) -> Permission:
        return Permission(f"{self.name}&{other.name}", lambda u: self(u) and other(u))

    def __repr__(self) -> str:
        return f"<Permission {self.name}>"


def has_role(*roles: str) -> Permission:
    """True for a logged-in user holding one of these roles."""
    return Permission("role:" + ",".join(roles), lambda u: u.role in roles)


Authenticated = Permission("authenticated", lambda u: True)
IsAdmin = has_role("admin")
IsAuditor = has_role("auditor")
IsBureau = has_role("bureau")
IsUnit = has_role("unit")
IsLeader = has_role("leader")
IsBureauOrAdmin = IsBureau | IsAdmin
# Business data: read by every role but the auditor (三员分立: the auditor reads logs only).
ReadsBusinessData = has_role("admin", "bureau", "unit", "leader")
# Business data: written by the bureau and the units (admins and leaders do not edit it).
WritesBusinessData = has_role("bureau", "unit")
# Reports across units.
ReadsReports = has_role("admin", "bureau", "leader", "unit")


class _Public:
    """Marker for the few routes open to anonymous users (login, static, health)."""

    name = "public"

    def __call__(self, user: Any) -> bool:
        return True

    def __repr__(self) -> str:
        return "<Permission public>"


Public = _Public()


def requires(permission: Permission | _Public):
    """Attach the permission a view needs; the app's before_request enforces it."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.permission = permission
        return wrapper

    return decorate


def public(view):
    """Open a view to anonymous users."""
    return requires(Public)(view)


def permission_of(view) -> Permission | _Public | None:
    """The permission attached to a view function, or None when it has no rule."""
    return getattr(view, "permission", None)
