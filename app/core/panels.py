"""Sections other domains add to a record's page (the project page's funds and aftercare tabs),
so the page's own package need not import them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from markupsafe import Markup


@dataclass(frozen=True)
class Panel:
    """A tab on a record's page: its template gets `record`, `user` and what `context` returns."""

    key: str
    title: str
    template: str
    context: Callable[[Any, Any], dict]
    visible: Callable[[Any, Any], bool] = lambda record, user: True
    order: int = 100


def register(app, page: str, panel: Panel) -> None:
    """Add a panel to a page ("project", ...)."""
    panels = app.extensions.setdefault("crm_panels", {}).setdefault(page, [])
    panels.append(panel)
    panels.sort(key=lambda p: p.order)


def panels_for(page: str, record: Any, user: Any) -> list[tuple[Panel, Markup]]:
    """The panels of a page the user may see, each rendered with its context."""
    out = []
    for panel in current_app.extensions.get("crm_panels", {}).get(page, []):
        if panel.visible(record, user):
            html = render_template(
                panel.template, record=record, user=user, **panel.context(record, user)
            )
            out.append((panel, Markup(html)))  # noqa: S704 - Jinja output, already escaped
    return out
