"""The dashboard's body, reused while no record behind it has changed (app.core.kept): kept per
app process under (month, the day it is counted on, role, unit) with the data generation it
was computed at; any committed change of business data, on any host, raises the generation,
and the next view computes it afresh. So a closed month's page, whose records rarely change,
costs one small query instead of thirty-five figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from markupsafe import Markup

from app.core import scoping
from app.core.kept import Kept
from app.reports.figures.period import Period

BODIES = Kept("dashboard_bodies", entries=24)


def body(actor: Any, period: Period, on: date, render: Callable[[], str]) -> Markup:
    """The page body for the actor: the kept one if nothing changed since, else `render()`."""
    key = (period.year, period.month, on, *scoping.scope_key(actor))
    return BODIES.get(key, lambda: Markup(render()))  # noqa: S704 - escaped by Jinja
