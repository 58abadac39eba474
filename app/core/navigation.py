"""The navigation: items registered by blueprints, shown to a user only where they may go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from app.core.permissions import permission_of

BADGE_MOST = 99  # a badge over this reads 99+ (its counts need not go further)


@dataclass(frozen=True)
class NavItem:
    """One entry of the top navigation and of the home page's cards."""

    label: str
    endpoint: str
    icon: str
    group: str
    description: str = ""
    # A count shown beside the label (我的待办): badge(user) -> int or None for no badge.
    badge: Callable[[Any], int | None] | None = field(default=None, compare=False)

    def badge_for(self, user) -> int | None:
        """The item's badge count for this user, or None when it has none."""
        return self.badge(user) if self.badge is not None else None

    def badge_text(self, user) -> str | None:
        """The badge as shown: the count, 99+ beyond BADGE_MOST, None for none or 0."""
        count = self.badge_for(user)
        if not count:
            return None
        return f"{BADGE_MOST}+" if count > BADGE_MOST else str(count)


def register(app, *items: NavItem) -> None:
    """Add items to the application's navigation, in order."""
    app.extensions.setdefault("crm_nav", []).extend(items)


def can_access(endpoint: str, user) -> bool:
    """True when the endpoint's permission admits the user (templates ask this, not roles)."""
    view = current_app.view_functions.get(endpoint)
    permission = permission_of(view)
    return permission is not None and permission(user)


def visible_items(user) -> list[NavItem]:
    """The navigation items this user may open."""
    return [i for i in current_app.extensions.get("crm_nav", []) if can_access(i.endpoint, user)]


def grouped(user) -> list[tuple[str, list[NavItem]]]:
    """Visible items grouped for the top bar's dropdowns, in registration order."""
    groups: dict[str, list[NavItem]] = {}
    for item in visible_items(user):
        groups.setdefault(item.group, []).append(item)
    return list(groups.items())
