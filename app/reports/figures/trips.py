"""Trip figures: monthly misses, overlaps of the heads, yields (docs/domain.md, "Trip compliance
and yields")."""

# Trips count in the month they start, done ones only. Only active party and government heads
# (主要领导) must go out every month; a month before their 任职日期 is not judged, nor the
# current month until it is over. Overlaps pair a jurisdiction's party and government heads.

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.core.dates import today
from app.core.scoping import apply_scope, unit_condition
from app.extensions import db
from app.funds.models import FundsEntry
from app.leaders.models import Leader
from app.projects.models import Project
from app.reports.figures.funds import verified_funds_of
from app.trips.models import Trip, TripLeader

YIELD_DAYS = 90  # default of the setting TRIP_YIELD_DAYS
MONTHS = tuple(range(1, 13))

# A month's state in the grid.
OK, MISS, CURRENT, FUTURE, NOT_JUDGED = "ok", "miss", "current", "future", "not_judged"


def yield_days() -> int:
    """Days after a trip's end within which it should have produced a project."""
    return int(current_app.config.get("TRIP_YIELD_DAYS", YIELD_DAYS))


def days_after(day: date, days: int) -> date:
    """`day` plus `days`, held at date.min / date.max: a stored 9999-12-31 breaks no figure."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def window_end(trip: Trip) -> date:
    """The last day on which a project still counts as produced by the trip."""
    return days_after(trip.ended_on, yield_days())


def is_required(leader: Leader) -> bool:
    """Only active party and government heads must go out every month."""
    return leader.active and leader.is_head


def _visible_leaders(actor: Any):
    """Leaders whose compliance the actor may see: the scoping's allow-list decides (a unit
    user its own unit's leaders, a role it does not know none)."""
    return select(Leader).where(unit_condition(Leader.unit_id, actor))


def _done_trip_months(leader_ids: list[int], year: int) -> dict[tuple[int, int], int]:
    """(leader id, month) -> number of done trips that started in that month of the year."""
    if not leader_ids:
        return {}
    month = func.extract("month", Trip.started_on)
    stmt = (
        select(TripLeader.leader_id, month, func.count())
        .join(Trip, Trip.id == TripLeader.trip_id)
        .where(
            TripLeader.leader_id.in_(leader_ids),
            Trip.deleted_at.is_(None),
            Trip.status == "done",
            Trip.started_on >= date(year, 1, 1),
            Trip.started_on <= date(year, 12, 31),
        )
        .group_by(TripLeader.leader_id, month)
    )
    return {(lid, int(m)): n for lid, m, n in db.session.execute(stmt)}


@dataclass
class MonthCell:
    """One leader's month: how many trips started in it, and whether it is a miss."""

    month: int
    trips: int
    state: str


@dataclass
class LeaderRow:
    """One leader's year: the months, the total and the misses."""

    leader: Leader
    required: bool
    months: list[MonthCell]

    @property
    def total(self) -> int:
        return sum(c.trips for c in self.months)

    @property
    def misses(self) -> int:
        return sum(c.state == MISS for c in self.months)


def _state(leader: Leader, year: int, month: int, trips: int, on: date) -> str:
    if (year, month) > (on.year, on.month):
        return FUTURE
    if trips:
        return OK
    office = leader.took_office_on
    if not is_required(leader) or (office and (year, month) < (office.year, office.month)):
        return NOT_JUDGED
    return CURRENT if (year, month) == (on.year, on.month) else MISS


def compliance(actor: Any, year: int, on: date | None = None) -> list[LeaderRow]:
    """The month-by-leader grid: required heads first, then others who went out that year."""
    on = on or today()
    leaders = list(db.session.execute(_visible_leaders(actor)).scalars())
    counts = _done_trip_months([x.id for x in leaders], year)
    rows = []
    for leader in leaders:
        months = []
        for m in MONTHS:
            trips = counts.get((leader.id, m), 0)
            months.append(MonthCell(m, trips, _state(leader, year, m, trips, on)))
        row = LeaderRow(leader, is_required(leader), months)
        if row.required or row.total:
            rows.append(row)
    return sorted(rows, key=_row_order)


def _row_order(row: LeaderRow) -> tuple:
    """Required heads first; the district before the units; party head before government."""
    x = row.leader
    return (not row.required, x.unit_id is not None, x.jurisdiction, x.head_kind != "party", x.id)


def missing_this_month(actor: Any, on: date | None = None) -> list[Leader]:
    """Required heads with no done trip started in the current month so far."""
    on = on or today()
    return [
        row.leader
        for row in compliance(actor, on.year, on)
        if row.months[on.month - 1].state == CURRENT
    ]


def has_trip_this_month(leader: Leader, on: date | None = None) -> bool:
    """Whether the leader has a done trip that started in the current month."""
    on = on or today()
    return _done_trip_months([leader.id], on.year).get((leader.id, on.month), 0) > 0


@dataclass(frozen=True)
class Overlap:
    """The party and the government head of one jurisdiction away on overlapping days."""

    jurisdiction: str
    party: Leader
    government: Leader
    party_trip: Trip
    government_trip: Trip
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def same_trip(self) -> bool:
        return self.party_trip.id == self.government_trip.id

    @property
    def planned(self) -> bool:
        return "planned" in (self.party_trip.status, self.government_trip.status)


def _head_trips(actor: Any, year: int, head_ids: list[int]) -> dict[int, list[tuple]]:
    """Per head, (trip id, first day, last day) of the actor's trips touching the year (both
    statuses), oldest first: dates only, so that just the overlapping trips are loaded whole."""
    stmt = apply_scope(
        select(TripLeader.leader_id, Trip.id, Trip.started_on, Trip.ended_on)
        .join(TripLeader, TripLeader.trip_id == Trip.id)
        .where(
            TripLeader.leader_id.in_(head_ids),
            Trip.started_on <= date(year, 12, 31),
            Trip.ended_on >= date(year, 1, 1),
        ),
        Trip,
        actor,
    ).order_by(Trip.started_on, Trip.id)
    found: dict[int, list[tuple]] = defaultdict(list)
    for leader_id, *trip in db.session.execute(stmt):
        found[leader_id].append(tuple(trip))
    return found


def _days_shared(a: tuple, b: tuple) -> tuple[date, date] | None:
    first, last = max(a[1], b[1]), min(a[2], b[2])
    return (first, last) if first <= last else None


def overlaps(actor: Any, year: int) -> list[Overlap]:
    """Every pair of trips (or one trip) that took a jurisdiction's party and government
    heads away on the same days, in the year, within the actor's scope."""
    heads = db.session.execute(_visible_leaders(actor).where(Leader.head_kind.is_not(None)))
    by_place: dict[int | None, dict[str, list[Leader]]] = defaultdict(lambda: defaultdict(list))
    head_ids = []
    for leader in heads.scalars():
        by_place[leader.unit_id][leader.head_kind].append(leader)
        head_ids.append(leader.id)
    trips_by_leader = _head_trips(actor, year, head_ids) if head_ids else {}
    pairs = []
    for place in by_place.values():
        for party in place.get("party", []):
            for government in place.get("government", []):
                for a in trips_by_leader.get(party.id, []):
                    for b in trips_by_leader.get(government.id, []):
                        days = _days_shared(a, b)
                        if days:
                            pairs.append((party, government, a[0], b[0], days))
    if not pairs:
        return []
    ids = {trip_id for pair in pairs for trip_id in pair[2:4]}
    loaded = db.session.execute(apply_scope(select(Trip).where(Trip.id.in_(ids)), Trip, actor))
    trips = {trip.id: trip for trip in loaded.scalars()}
    found = [
        Overlap(party.jurisdiction, party, government, trips[a], trips[b], *days)
        for party, government, a, b, days in pairs
    ]
    return sorted(found, key=lambda o: (o.first_day, o.jurisdiction))


def overlaps_of_trip(trip: Trip, actor: Any) -> list[Overlap]:
    """The overlaps this trip is part of (a warning when it is saved)."""
    # A trip lasts at most a few weeks; a stored row spanning centuries reads two years only.
    years = range(trip.started_on.year, min(trip.ended_on.year, trip.started_on.year + 1) + 1)
    return [
        o
        for year in years
        for o in overlaps(actor, year)
        if trip.id in (o.party_trip.id, o.government_trip.id)
    ]


@dataclass
class TripYield:
    """What a trip produced: projects, how many signed, their contracted investment (元) and
    verified funds (元); `barren` when nothing came of it within the yield window."""

    trip: Trip
    produced: int = 0
    signed: int = 0
    contract: int = 0
    funds: int = 0
    produced_in_window: int = 0
    window_over: bool = False
    project_ids: list[int] = field(default_factory=list)

    @property
    def barren(self) -> bool:
        return self.trip.status == "done" and self.window_over and not self.produced_in_window

    @property
    def waiting(self) -> bool:
        return self.trip.status == "done" and not self.window_over and not self.produced


def trip_yields(actor: Any, trips: list[Trip], on: date | None = None,
                as_of: date | None = None) -> list[TripYield]:  # fmt: skip
    """The yield of each trip, counting only projects the actor may see. With `as_of` (a
    period's end), only what was true at the end of that day: projects recorded by then,
    signings dated by then and verified funds received by then, the window judged on that
    day, so that the figure of a closed period never moves (docs/domain.md, "As of the
    period's end"); without it, everything to date."""
    on = as_of or on or today()
    ids = [t.id for t in trips]
    by_trip = {t.id: TripYield(t, window_over=on > window_end(t)) for t in trips}
    if not ids:
        return []
    stmt = apply_scope(select(Project), Project, actor).where(Project.trip_id.in_(ids))
    if as_of is not None:
        stmt = stmt.where(Project.lead_on <= as_of)
    for project in db.session.execute(stmt).scalars():
        result = by_trip[project.trip_id]
        result.produced += 1
        result.project_ids.append(project.id)
        if project.lead_on <= window_end(result.trip):
            result.produced_in_window += 1
        if project.signed_on and (as_of is None or project.signed_on <= as_of):
            result.signed += 1
            result.contract += project.contract_investment or 0
    received = None if as_of is None else FundsEntry.received_on <= as_of
    for result in by_trip.values():
        if result.project_ids:
            result.funds = verified_funds_of(
                select(Project).where(Project.id.in_(result.project_ids)), received
            )
    return [by_trip[i] for i in ids]


def totals_through(row: LeaderRow, month: int) -> tuple[int, int]:
    """A leader's trips and missed months in months 1..M of the grid's year."""
    cells = row.months[:month]
    return sum(c.trips for c in cells), sum(c.state == MISS for c in cells)


def overlaps_through(found: list[Overlap], year: int, month: int) -> list[Overlap]:
    """The overlaps that began in months 1..M of the year."""
    return [o for o in found if (o.first_day.year, o.first_day.month) <= (year, month)]
