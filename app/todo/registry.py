"""The to-do registry: each domain adds a provider that returns sections for a user; the
home page shows them and the navigation shows how many items need action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app, g

from app.core.dates import today
from app.core.kept import Kept
from app.extensions import db

SHOWN = 10  # items a section lists before "查看全部"
COUNTED_MOST = 1000  # a section's count stops past this and reads 1000+ (its full list counts)
BADGES = Kept("todo_badges", entries=2000)  # (user, role, unit, day) -> the badge's count
PAGES = Kept("todo_pages", entries=500)  # (user, role, unit, day) -> the page's sections


@dataclass
class TodoItem:
    """One thing to do, linking to the page where it is dealt with."""

    title: str
    url: str
    detail: str = ""
    due_on: date | None = None
    overdue: bool = False
    tag: str = ""  # a short label beside the title, e.g. "逾期 3 天"


@dataclass
class TodoSection:
    """A group of items on the to-do page (到期跟进, 逾期问题, ...).

    `total` is the full count when `items` holds only the first few, or COUNTED_MOST with
    `beyond` set when it stopped counting there (shown 1000+; the full list at `more_url`
    counts them exactly); `badge` is how many of them count in the navigation badge (default:
    `total`); `note` is shown when there are no items (e.g. "本月已登记外出招商")."""

    key: str
    title: str
    items: list[TodoItem] = field(default_factory=list)
    total: int | None = None
    badge: int | None = None
    more_url: str | None = None
    icon: str = "check2-square"
    tone: str = "primary"  # primary, danger, warning, secondary
    note: str = ""
    order: int = 100
    beyond: bool = False

    @property
    def total_text(self) -> str:
        """The count as shown: 1000+ once it stopped counting."""
        return f"{self.total}+" if self.beyond else str(self.total)

    def __post_init__(self) -> None:
        if self.total is None:
            self.total = len(self.items)
        if self.badge is None:
            self.badge = self.total


def total_of(first: list[Any], counted: Callable[[], int]) -> int:
    """A section's total from its first rows (read with LIMIT SHOWN): fewer than SHOWN are
    all there is, so only a section whose first rows fill it runs its count (most sections
    of most users are short, and each count is a statement of its own)."""
    return len(first) if len(first) < SHOWN else counted()


@dataclass(frozen=True)
class TodoProvider:
    """A domain's contribution: `sections(user, on)` returns its sections for that user (an
    empty list when it has nothing for that role). `roles` limits which users it is asked
    about; `count(user, on)`, if given, is a cheap badge count used instead of building the
    sections on every page."""

    key: str
    sections: Callable[[Any, date], list[TodoSection]]
    roles: frozenset[str] = frozenset({"admin", "auditor", "bureau", "unit", "leader"})
    count: Callable[[Any, date], int] | None = None


def register(app, provider: TodoProvider) -> None:
    """Add a provider to the application's to-do page (a second one with the same key
    replaces the first)."""
    providers = app.extensions.setdefault("crm_todo", {})
    providers[provider.key] = provider


def _providers(user: Any) -> list[TodoProvider]:
    providers = current_app.extensions.get("crm_todo", {}).values()
    return [p for p in providers if getattr(user, "role", None) in p.roles]


def _built(user: Any, on: date) -> list[TodoSection]:
    sections = [s for p in _providers(user) for s in p.sections(user, on)]
    return sorted(sections, key=lambda s: (s.order, s.key))


def sections_for(user: Any, on: date | None = None) -> list[TodoSection]:
    """Every section for this user, in display order: kept between views of the page while no
    record has changed (PAGES; a user returning to 我的待办 costs one small query, not the
    fifteen its sections run). Treat them as read-only: the next view may be given the same."""
    on = on or today()
    if getattr(user, "id", None) is None:
        return _built(user, on)
    sections = PAGES.get((user.id, user.role, user.unit_id, on), lambda: _built(user, on))
    if on == today():
        # The page has just counted them: the navigation badge of this request need not.
        g.setdefault("todo_badge", {})[user.id] = sum(s.badge or 0 for s in sections)
    return sections


def _count(user: Any, on: date) -> int:
    total = 0
    for provider in _providers(user):
        if provider.count is not None:
            total += provider.count(user, on)
        else:
            total += sum(s.badge or 0 for s in provider.sections(user, on))
    return total


def _counted(user: Any, on: date) -> int:
    with db.session.begin_nested():
        return _count(user, on)


def badge_count(user: Any) -> int | None:
    """The navigation badge: items needing action, once per request and kept between requests
    while no record has changed (BADGES: one small query on most pages instead of a count per
    provider). A failing provider must not take every page down: it is logged and the badge
    is left out."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("todo_badge", {})
    if user.id not in cache:
        on = today()
        try:
            key = (user.id, user.role, user.unit_id, on)
            cache[user.id] = BADGES.get(key, lambda: _counted(user, on))
        except Exception:
            current_app.logger.exception("to-do badge count failed")
            cache[user.id] = None
    return cache[user.id]
