"""Scoped reads on trips: the list, one trip, its projects, the choices the forms offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, select

from app.core.pagination import contains_pattern
from app.core.params import whole_number
from app.core.scoping import apply_scope, get_or_404, scope_condition, scoped_select
from app.extensions import db
from app.leaders.models import Leader
from app.projects.models import Project
from app.trips.models import STATUSES, Trip, TripLeader, TripProject


@dataclass
class TripFilters:
    """The list's filters, read from a query string; anything unreadable is ignored."""

    year: int | None = None
    month: int | None = None
    leader_id: int | None = None
    province: str = ""
    status: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: Any) -> TripFilters:
        def number(name: str, low: int, high: int) -> int | None:
            return whole_number(args.get(name), low, high)

        return cls(
            year=number("year", 2000, 2100),
            month=number("month", 1, 12),
            leader_id=number("leader_id", 1, 10**9),
            province=(args.get("province") or "").strip()[:20],
            status=args.get("status", "") if args.get("status") in STATUSES else "",
            q=(args.get("q") or "").strip()[:100],
        )


def trip_statement(actor: Any, f: TripFilters) -> Select:
    """The actor's trips, filtered, newest first."""
    stmt = scoped_select(Trip, actor)
    if f.year:
        start = date(f.year, f.month or 1, 1)
        if f.month:
            end = date(f.year + (f.month == 12), f.month % 12 + 1, 1)
        else:
            end = date(f.year + 1, 1, 1)
        stmt = stmt.where(Trip.started_on >= start, Trip.started_on < end)
    if f.leader_id:
        stmt = stmt.where(
            exists().where(TripLeader.trip_id == Trip.id, TripLeader.leader_id == f.leader_id)
        )
    if f.province:
        stmt = stmt.where(Trip.province == f.province)
    if f.status:
        stmt = stmt.where(Trip.status == f.status)
    if f.q:
        like = contains_pattern(f.q)
        stmt = stmt.where(
            Trip.city.like(like, escape="\\")
            | Trip.enterprises.like(like, escape="\\")
            | Trip.report.like(like, escape="\\")
        )
    return stmt.order_by(Trip.started_on.desc(), Trip.id.desc())


def get_trip_or_404(trip_id: Any, actor: Any) -> Trip:
    """One trip within the actor's scope, or 404."""
    return get_or_404(Trip, trip_id, actor)


def trip_visible(trip_id: int, actor: Any) -> bool:
    """True when the trip exists, is not deleted, and lies within the actor's scope."""
    stmt = scoped_select(Trip, actor).where(Trip.id == trip_id)
    return db.session.execute(stmt.with_only_columns(Trip.id)).first() is not None


def produced_projects(trip: Trip, actor: Any) -> list[Project]:
    """The projects that came from the trip (Project.trip_id), those the actor may see."""
    stmt = scoped_select(Project, actor).where(Project.trip_id == trip.id)
    return list(db.session.execute(stmt.order_by(Project.id)).scalars())


def advanced_links(trip: Trip, actor: Any) -> list[TripProject]:
    """The existing projects the trip advanced, those the actor may see."""
    stmt = (
        select(TripProject)
        .join(Project, Project.id == TripProject.project_id)
        .where(TripProject.trip_id == trip.id, Project.deleted_at.is_(None))
        .where(scope_condition(Project, actor))
        .order_by(TripProject.id)
    )
    return list(db.session.execute(stmt).scalars())


def trips_of_project(project: Project, actor: Any) -> list[tuple[Trip, str]]:
    """The trips a project came from or was advanced by, with the relation (the project tab)."""
    out: list[tuple[Trip, str]] = []
    if project.trip_id:
        trip = db.session.execute(
            scoped_select(Trip, actor).where(Trip.id == project.trip_id)
        ).scalar_one_or_none()
        if trip is not None:
            out.append((trip, "produced"))
    advanced = (
        scoped_select(Trip, actor)
        .join(TripProject, TripProject.trip_id == Trip.id)
        .where(TripProject.project_id == project.id)
        .order_by(Trip.started_on.desc())
    )
    out += [(trip, "advanced") for trip in db.session.execute(advanced).scalars()]
    return out


def leader_choices(actor: Any, include: list[int] | None = None) -> list[tuple[int, str]]:
    """Leaders the trip form offers: active ones (a unit user: its own unit's), plus any
    already on the trip."""
    stmt = select(Leader).where(Leader.active.is_(True))
    if actor.role == "unit":
        stmt = stmt.where(Leader.unit_id == actor.unit_id)
    if include:
        stmt = select(Leader).where(Leader.id.in_(include) | stmt.whereclause)
    leaders = db.session.execute(stmt).scalars().all()
    leaders = sorted(leaders, key=lambda x: (x.unit_id is not None, x.jurisdiction, x.id))
    return [(x.id, f"{x.name}（{x.title}）") for x in leaders]


def linkable_projects(actor: Any, q: str, exclude: set[int]) -> list[Project]:
    """Projects the actor may link to a trip, found by name or investor (20 at most)."""
    from app.projects.queries import search_condition

    stmt = scoped_select(Project, actor).where(Project.dropped_on.is_(None))
    if q:
        stmt = stmt.where(search_condition(q))
    if exclude:
        stmt = stmt.where(Project.id.not_in(exclude))
    return list(db.session.execute(stmt.order_by(Project.id.desc()).limit(10)).scalars())


def trips_in_year(actor: Any, year: int) -> list[Trip]:
    """The actor's trips touching the year (both statuses), oldest first."""
    stmt = apply_scope(
        select(Trip).where(
            Trip.started_on <= date(year, 12, 31), Trip.ended_on >= date(year, 1, 1)
        ),
        Trip,
        actor,
    )
    return list(db.session.execute(stmt.order_by(Trip.started_on, Trip.id)).scalars())


def trip_years(actor: Any) -> list[int]:
    """Years with trips, newest first (for the filters)."""
    rows = db.session.execute(scoped_select(Trip, actor).with_only_columns(Trip.started_on))
    return sorted({r[0].year for r in rows}, reverse=True)
