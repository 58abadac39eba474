"""我的待办: the to-do registry other domains add sections to (see registry.py)."""

from app.todo.registry import (
    TodoItem,
    TodoProvider,
    TodoSection,
    badge_count,
    register,
    sections_for,
)

__all__ = [
    "TodoItem",
    "TodoProvider",
    "TodoSection",
    "badge_count",
    "register",
    "sections_for",
]


def init_app(app) -> None:
    """Register the projects domain's sections (due follow-ups, stalled, duplicates, 包保)."""
    from app.todo import builtin

    register(app, builtin.PROVIDER)
