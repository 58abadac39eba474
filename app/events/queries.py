"""Scoped reads on promotion events: the list with each event's yield, an event's projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, extract, func, or_, select

from app.core.pagination import contains_pattern
from app.core.params import whole_number
from app.core.scoping import scoped_select
from app.events.models import EVENT_KINDS, PromotionEvent
from app.extensions import db
from app.projects.models import Project
from app.projects.stages import BY_KEY, reached_condition, stage_order_as_of


@dataclass
class EventFilters:
    """The event list's filters from a query string; anything unreadable is ignored."""

    year: int | None = None
    kind: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: Any) -> EventFilters:
        year = whole_number(args.get("year"), 1000, 9999)
        kind = args.get("kind", "")
        return cls(
            year=year,
            kind=kind if kind in EVENT_KINDS else "",
            q=" ".join((args.get("q") or "").split())[:50],
        )


def event_statement(f: EventFilters) -> Select:
    """Events, newest first, filtered (every role sees every event)."""
    stmt = select(PromotionEvent)
    if f.year:
        stmt = stmt.where(extract("year", PromotionEvent.held_on) == f.year)
    if f.kind:
        stmt = stmt.where(PromotionEvent.kind == f.kind)
    if f.q:
        pattern = contains_pattern(f.q.lower())
        stmt = stmt.where(
            or_(
                func.lower(PromotionEvent.name).like(pattern, escape="\\"),
                func.lower(PromotionEvent.city).like(pattern, escape="\\"),
            )
        )
    return stmt.order_by(PromotionEvent.held_on.desc(), PromotionEvent.id.desc())


def event_yields(actor: Any, event_ids: list[int], as_of: date) -> dict[int, tuple[int, int]]:
    """Per event: (projects it sourced, how many of them signed), as of the end of `as_of`
    (recorded as leads and signed on or before it), counted only over the projects the actor
    may see; for one page of events at a time."""
    if not event_ids:
        return {}
    signed = case((reached_condition(Project, BY_KEY["signed"], as_of), 1), else_=0)
    stmt = (
        scoped_select(Project, actor)
        .with_only_columns(Project.event_id, func.count(), func.sum(signed))
        .where(Project.event_id.in_(event_ids), Project.lead_on <= as_of)
        .group_by(Project.event_id)
    )
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in db.session.execute(stmt)}


def event_years() -> list[int]:
    """The years in which events were held, newest first (for the year filter)."""
    rows = db.session.execute(
        select(extract("year", PromotionEvent.held_on).label("y")).distinct().order_by("y")
    ).scalars()
    return sorted({int(y) for y in rows if y is not None}, reverse=True)


def sourced_projects(actor: Any, event_id: int, as_of: date, reached: str = "",
                     standing: str = "") -> Select:  # fmt: skip
    """The projects an event sourced that the actor may see (dropped ones too) as of the end
    of `as_of`: recorded by then; with `reached`, only those that had reached that stage by
    then, with `standing` those that stood in it then (the funnel's two columns); furthest
    first."""
    stmt = scoped_select(Project, actor).where(
        Project.event_id == event_id, Project.lead_on <= as_of
    )
    if reached in BY_KEY:
        stmt = stmt.where(reached_condition(Project, BY_KEY[reached], as_of))
    if standing in BY_KEY:
        stmt = stmt.where(stage_order_as_of(Project, as_of) == BY_KEY[standing].order)
    return stmt.order_by(Project.stage_order.desc(), Project.stage_since.desc(), Project.id.desc())


def event_choices() -> list[tuple[int, str]]:
    """(id, name) of every event, newest first (for project forms and imports)."""
    rows = db.session.execute(
        select(PromotionEvent.id, PromotionEvent.name, PromotionEvent.held_on).order_by(
            PromotionEvent.held_on.desc(), PromotionEvent.id.desc()
        )
    ).all()
    return [(r.id, r.name) for r in rows]
