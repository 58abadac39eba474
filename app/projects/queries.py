"""Scoped reads on projects: the statement behind the list, its count, the board, exports."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import defaultload, lazyload

from app.core.dates import today
from app.core.kept import Kept
from app.core.params import whole_number
from app.core.scoping import apply_scope, scope_key, scoped_select
from app.extensions import db
from app.projects.models import BIG_PROJECT_YUAN, INDUSTRIES, SOURCES, FollowUp, Project
from app.projects.search import substring_condition
from app.projects.stages import BY_KEY, STAGES, Stage, reached_condition, stage_of
from app.search.queries import SearchQuery, word_condition
from app.units.models import Unit


@dataclass
class ProjectFilters:
    """The list's filters, read from a query string; anything unreadable is ignored."""

    q: str = ""
    stage: str = ""
    unit_id: int | None = None
    leader_id: int | None = None
    industry: str = ""
    source: str = ""
    event_id: int | None = None
    province: str = ""
    city: str = ""
    signed_year: int | None = None
    # A milestone reached within year `year`, months month_from..month_to (the dashboard's
    # cohorts: milestone=signed&year=2026&month_to=10 is "signed in 1—10月 2026").
    milestone: str = ""
    year: int | None = None
    month_from: int = 1
    month_to: int = 12
    reached: str = ""  # at least this stage (the funnel and the rates)
    below: str = ""  # not yet this stage (signed but not started)
    as_of: date | None = None  # reached / not yet reached on or before this day (figures)
    big: bool = False
    dropped: str = ""  # "" active only, "only" dropped only, "all" both
    sort: str = "-id"

    @classmethod
    def from_args(cls, args: Any) -> ProjectFilters:
        def number(name: str) -> int | None:
            return whole_number(args.get(name))

        def month(name: str, default: int) -> int:
            value = number(name)
            return value if value is not None and 1 <= value <= 12 else default

        stage = args.get("stage", "")
        dated = {s.key for s in STAGES if s.date_field}
        return cls(
            q=(args.get("q") or "").strip()[:100],
            stage=stage if stage in BY_KEY else "",
            unit_id=number("unit_id"),
            leader_id=number("leader_id"),
            industry=args.get("industry", "") if args.get("industry") in INDUSTRIES else "",
            source=args.get("source", "") if args.get("source") in SOURCES else "",
            event_id=number("event_id"),
            province=(args.get("province") or "").strip()[:20],
            city=(args.get("city") or "").strip()[:30],
            signed_year=number("signed_year"),
            milestone=args.get("milestone", "") if args.get("milestone") in dated else "",
            year=number("year"),
            month_from=month("month_from", 1),
            month_to=month("month_to", 12),
            reached=args.get("reached", "") if args.get("reached") in BY_KEY else "",
            below=args.get("below", "") if args.get("below") in BY_KEY else "",
            as_of=_day(args.get("as_of")),
            big=args.get("big") == "1",
            dropped=args.get("dropped", "") if args.get("dropped") in ("only", "all") else "",
            sort=args.get("sort", "-id") if args.get("sort", "").lstrip("-") in SORTS else "-id",
        )

    def to_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links, pagination, the board, exports)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            out[f.name] = "1" if value is True else str(value)
        return out

    def args_with(self, **changes: str) -> dict[str, str]:
        """The filters as arguments with some replaced (a board column's link sets `stage`)."""
        return {**self.to_args(), **changes}


def _day(raw: Any) -> date | None:
    """An ISO date from a query string (2000..2100), or None."""
    try:
        day = date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None
    return day if date(2000, 1, 1) <= day <= date(2100, 12, 31) else None


@dataclass(frozen=True)
class SortColumn:
    """A sortable column whose empty values come last both ways, on both databases alike."""

    column: Any

    def asc(self) -> Any:
        return self._last(self.column.asc())

    def desc(self) -> Any:
        return self._last(self.column.desc())

    def _last(self, order: Any) -> Any:
        # on NOT NULL id, NULLS LAST kept PostgreSQL off its index: only nullable columns get it
        return order.nulls_last() if self.column.expression.nullable else order


SORTS = {
    key: SortColumn(column)
    for key, column in {
        "id": Project.id,
        "name": Project.name,
        "investor": Project.investor_name,
        "unit": Project.unit_id,
        "stage": Project.stage_order,
        "planned": Project.planned_investment,
        "contract": Project.contract_investment,
        "signed": Project.signed_on,
        "since": Project.stage_since,
        "source": Project.source,
        "industry": Project.industry,
        "origin": Project.origin_province,
    }.items()
}
TIEBREAK = (Project.id.desc(),)


def search_condition(q: str):
    """Substring of the names (any length, Chinese included) or of their pinyin initials."""
    needle = unicodedata.normalize("NFKC", q).lower().strip()  # as search_text is stored
    return substring_condition(needle)  # LIKE, narrowed by an index (app/projects/search.py)


def words_condition(q: str) -> ColumnElement[bool]:
    """The top bar's matching (app/search): every word in the names, investor, USCC, their
    pinyin, or a live contact's name or phone; a too-short word is matched as a substring."""
    words = SearchQuery.read(q).words
    if not words:
        return search_condition(q)
    return and_(*(word_condition(w) for w in words))


def apply_filters(stmt: Select, f: ProjectFilters, *, with_stage: bool = True) -> Select:
    """Add the filters to a statement over Project."""
    if f.dropped == "only":
        stmt = stmt.where(Project.dropped_on.is_not(None))
    elif f.dropped != "all":
        stmt = stmt.where(Project.dropped_on.is_(None))
    if f.q:
        stmt = stmt.where(words_condition(f.q))
    if with_stage and f.stage:
        stmt = stmt.where(Project.stage_order == BY_KEY[f.stage].order)
    for column, value in (
        (Project.unit_id, f.unit_id),
        (Project.leader_id, f.leader_id),
        (Project.event_id, f.event_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    for column, value in (
        (Project.industry, f.industry),
        (Project.source, f.source),
        (Project.origin_province, f.province),
        (Project.origin_city, f.city),
    ):
        if value:
            stmt = stmt.where(column == value)
    if f.signed_year and 1 <= f.signed_year < 9999:
        stmt = stmt.where(
            Project.signed_on >= date(f.signed_year, 1, 1),
            Project.signed_on < date(f.signed_year + 1, 1, 1),
        )
    if f.milestone and f.year and 1 <= f.year < 9999:
        column = getattr(Project, BY_KEY[f.milestone].date_field)
        low, high = sorted((f.month_from, f.month_to))
        stmt = stmt.where(
            column >= date(f.year, low, 1),
            column < (date(f.year + 1, 1, 1) if high == 12 else date(f.year, high + 1, 1)),
        )
    if f.reached:
        stmt = stmt.where(reached_condition(Project, BY_KEY[f.reached], f.as_of))
    if f.below:
        stmt = stmt.where(~reached_condition(Project, BY_KEY[f.below], f.as_of))
    if f.big:
        stmt = stmt.where(Project.planned_investment >= BIG_PROJECT_YUAN)
    return stmt


# The sorts whose column ix_projects_live_board holds (besides the stage it leads with).
BOARD_SORTS = frozenset({"id", "stage", "since", "planned", "industry", "source"})


def _answered_by_board_index(f: ProjectFilters) -> bool:
    """The live list of every stage, filtered by nothing but what ix_projects_live_board holds
    (industry, source, planned investment) and sorted by a column it holds."""
    rest = replace(f, industry="", source="", big=False, sort=ProjectFilters.sort)
    return rest == ProjectFilters() and f.sort.lstrip("-") in BOARD_SORTS


def project_statement(actor: Any, f: ProjectFilters) -> Select:
    """The filtered, sorted, scoped statement: the list page, its count and the export."""
    stmt = apply_filters(scoped_select(Project, actor), f)
    if _answered_by_board_index(f):
        # Every stage (stage_order is computed, never NULL): the range lets SQLite count and
        # sort from the index instead of reading each of the district's 95,000 live rows
        # (count 22 -> 4 ms). Not for other filters or sorts: it would then read the rows
        # through the index, one by one, slower than straight through the table.
        stmt = stmt.where(Project.stage_order >= STAGES[0].order)
    column = SORTS[f.sort.lstrip("-")]
    order = column.desc() if f.sort.startswith("-") else column.asc()
    return stmt.order_by(order, *TIEBREAK)


BOARD_TOTALS = Kept("board_totals", entries=200)  # (scope, filters) -> {stage: (count, sum)}


def board_columns(actor: Any, f: ProjectFilters) -> list[dict]:
    """Per stage: exact count and summed planned investment of the filtered projects, kept
    while no record changes (the district's 95,000 live projects summed on every view cost
    9-13 ms on PostgreSQL).

    Every filter of the list applies, `stage` included: the other columns are then empty."""
    key = (scope_key(actor), tuple(sorted(f.to_args().items())), today())
    totals = BOARD_TOTALS.get(key, lambda: _board_totals(actor, f))
    return [
        {
            "stage": s,
            "count": totals.get(s.order, (0, 0))[0],
            "planned": totals.get(s.order, (0, 0))[1],
        }
        for s in STAGES
    ]


def _board_totals(actor: Any, f: ProjectFilters) -> dict[int, tuple[int, int]]:
    stmt = apply_filters(
        select(
            Project.stage_order,
            func.count(),
            func.coalesce(func.sum(Project.planned_investment), 0),
        ),
        f,
    )
    stmt = apply_scope(stmt, Project, actor).group_by(Project.stage_order)
    return {row[0]: (row[1], row[2]) for row in db.session.execute(stmt)}


@dataclass(frozen=True)
class Card:
    """What a board card shows of a project (a row of columns, not the ORM object); enough
    for `over_limit`, `days_in_stage` and `access.can_edit`."""

    id: int
    name: str
    investor_name: str
    unit_id: int
    unit_name: str
    stage_order: int
    stage_since: date
    dropped_on: date | None
    deleted_at: None = None  # the board shows live projects only

    @property
    def stage(self) -> Stage:
        return stage_of(self.stage_order or 0)


def board_cards(
    actor: Any, f: ProjectFilters, stage_order: int, offset: int = 0, limit: int = 50
) -> list[Card]:
    """One column's cards, longest in the stage first (none when `stage` names another)."""
    if f.stage and BY_KEY[f.stage].order != stage_order:
        return []
    stmt = select(
        Project.id,
        Project.name,
        Project.investor_name,
        Project.unit_id,
        Unit.name,
        Project.stage_order,
        Project.stage_since,
        Project.dropped_on,
    ).join(Unit, Unit.id == Project.unit_id)
    stmt = apply_scope(apply_filters(stmt, f, with_stage=False), Project, actor)
    stmt = (
        stmt.where(Project.stage_order == stage_order)
        .order_by(Project.stage_since.asc(), Project.id.asc())
        .offset(offset)
        .limit(limit)
    )
    return [Card(*row) for row in db.session.execute(stmt)]


def mentioned(*path: Any, unit: bool = True) -> list:
    """Loader options for projects only mentioned (a to-do item: name, stage, unit): their
    leader and event, which every load of a project joins with their units, are left to be
    loaded if asked for; without `unit`, the unit too. `path` leads from the statement's entity
    to its project (FundsEntry.project), none when it is Project. On PostgreSQL those four
    joins were half of the planning of each of the to-do page's statements."""
    skipped = (Project.leader, Project.event, *(() if unit else (Project.unit,)))
    return [defaultload(*path).lazyload(r) if path else lazyload(r) for r in skipped]


def days_in_stage(project: Project, on: date | None = None) -> int:
    """Days since the project reached its current stage."""
    return ((on or today()) - project.stage_since).days


def over_limit(project: Project, limits: dict[str, int], on: date | None = None) -> int:
    """Days beyond the stage's time limit (0 when within it, or when the stage has none)."""
    limit = limits.get(project.stage.key)
    if limit is None or project.dropped_on:
        return 0
    return max(0, days_in_stage(project, on) - limit)


def latest_owner() -> ColumnElement[Any]:
    """The user of a follow-up that is its project's latest, else NULL: PostgreSQL indexes this
    expression (migration follow_up_latest_owner) and so keeps statistics of it. The partial
    index on (user_id, next_due_on) WHERE is_latest is estimated from user_id over the whole
    table: a user owning half of 3,000,000 follow-ups but the latest of only 829 projects was
    taken for 197,000 rows, and the planner read 1,800 follow-ups of each of the unit's
    projects instead (3.2 s; with this expression 10 ms)."""
    return case((FollowUp.is_latest, FollowUp.user_id))


def latest_of(actor: Any) -> tuple[ColumnElement[bool], ...]:
    """SQL: the follow-up is the actor's and its project's latest. SQLite keeps the partial
    index (it estimates it well and reads no statistics of expressions)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return (latest_owner() == actor.id,)
    return (FollowUp.user_id == actor.id, FollowUp.is_latest)


def due_follow_ups(actor: Any, on: date | None = None) -> Select:
    """The actor's follow-ups whose next step is due today or earlier and that no newer
    follow-up on the same project has superseded (`FollowUp.is_latest`, read through an index,
    `latest_of`: the same few index reads for a user owning none or 150,000 follow-ups)."""
    on = on or today()
    # Scoped by the joined project's unit, which is what a follow-up's scope is: its own
    # scope (a semi-join per row) added to the session's automatic one made two, and cost a
    # user owning 150,000 follow-ups 8 ms instead of 5 at 100,000 projects on PostgreSQL.
    joined = select(FollowUp).join(Project, Project.id == FollowUp.project_id)
    stmt = (
        apply_scope(joined, Project, actor)
        .where(
            FollowUp.deleted_at.is_(None),
            *latest_of(actor),
            FollowUp.next_due_on.is_not(None),
            FollowUp.next_due_on <= on,
            Project.deleted_at.is_(None),
            Project.dropped_on.is_(None),
        )
    )
    return stmt.order_by(FollowUp.next_due_on.asc(), FollowUp.id.asc())


def reference_choices(actor: Any) -> dict[str, list[tuple[int, str]]]:
    """Options for the unit, leader and event selects (a unit user gets only their unit)."""
    from app.events.models import PromotionEvent
    from app.leaders.models import Leader
    from app.units.queries import unit_choices

    units = unit_choices(active_only=True)
    if actor.role == "unit":
        units = [(i, n) for i, n in units if i == actor.unit_id]
    leaders = db.session.execute(
        select(Leader.id, Leader.name, Leader.post)
        .where(Leader.active.is_(True))
        .order_by(Leader.unit_id.is_not(None), Leader.id)
    ).all()
    events = db.session.execute(
        select(PromotionEvent.id, PromotionEvent.name).order_by(PromotionEvent.held_on.desc())
    ).all()
    return {
        "units": units,
        "leaders": [(r.id, f"{r.name}（{r.post}）") for r in leaders],
        "events": [(r.id, r.name) for r in events],
    }


def history_of(project: Project) -> list:
    """History entries of the project and of the records merged into it, newest first."""
    from app.core.history import HistoryEntry

    merged = select(Project.id).where(Project.merged_into_id == project.id)
    return list(
        db.session.execute(
            select(HistoryEntry)
            .where(
                HistoryEntry.table_name == "projects",
                (HistoryEntry.record_id == project.id) | HistoryEntry.record_id.in_(merged),
            )
            .order_by(HistoryEntry.id.desc())
            .limit(200)
        ).scalars()
    )


def follow_ups_of(project: Project) -> list[FollowUp]:
    """A project's follow-ups, newest first."""
    return list(
        db.session.execute(
            select(FollowUp)
            .where(FollowUp.project_id == project.id, FollowUp.deleted_at.is_(None))
            .order_by(FollowUp.happened_on.desc(), FollowUp.id.desc())
        ).scalars()
    )
