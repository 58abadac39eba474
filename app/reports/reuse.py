"""The dashboard's body, reused while no record behind it has changed: kept per app process
under (month, the day it is counted on, role, unit) with the data generation it was computed
at (app.core.generation); any committed change of business data, on any host, raises the
generation, and the next view computes it afresh. So a closed month's page, whose records
rarely change, costs one small query instead of thirty-five figures. A few entries at most;
each is also dropped after a few minutes, should a change have failed to raise the number."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from markupsafe import Markup

from app.core import generation, scoping
from app.extensions import db
from app.reports.figures.period import Period

ENTRIES = 24
REUSE_SECONDS = 300


@dataclass
class _Kept:
    lock: threading.Lock = field(default_factory=threading.Lock)
    bodies: OrderedDict = field(default_factory=OrderedDict)


def _kept() -> _Kept:
    return current_app.extensions.setdefault("reports_reuse", _Kept())


def scope_key(actor: Any) -> tuple:
    """Who sees the same page: the role, and the unit when the role sees only its own."""
    unit = None if scoping.sees_whole_district(actor) else scoping.own_unit(actor)
    return (actor.role, unit)


def _settings() -> int:
    """The settings the figures are counted by (the landed stage, the lights' bounds…), as a
    running process has them: a page is never reused under other settings."""
    return hash(repr(sorted((key, repr(value)) for key, value in current_app.config.items())))


def body(actor: Any, period: Period, on: date, render: Callable[[], str]) -> Markup:
    """The page body for the actor: the kept one if nothing changed since, else `render()`."""
    key = (period.year, period.month, on, *scope_key(actor), _settings())
    now = generation.current(db.session)  # before a single record is read
    kept = _kept()
    with kept.lock:
        hit = kept.bodies.get(key)
        if hit and hit[0] == now and time.monotonic() - hit[1] < REUSE_SECONDS:
            kept.bodies.move_to_end(key)
            return hit[2]
    html = Markup(render())  # noqa: S704 - a template Jinja rendered, escaped there
    with kept.lock:
        kept.bodies[key] = (now, time.monotonic(), html)
        kept.bodies.move_to_end(key)
        while len(kept.bodies) > ENTRIES:
            kept.bodies.popitem(last=False)
    return html
