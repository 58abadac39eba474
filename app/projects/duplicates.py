"""Duplicates: the same USCC or the same normalised investor name; flagging, groups, merging.

The groups are kept, not computed on each view: every project stores its group key and the
`duplicate_groups` table holds each group's key and size, both refreshed for the keys a flush
touches (the roll-ups' pattern, app/rollups/maintain.py), so the screens cost O(groups)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    UniqueConstraint,
    case,
    cast,
    delete,
    distinct,
    event,
    func,
    insert,
    inspect,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core import history, scoping
from app.core.db import Base, utcnow
from app.core.forms import ServiceError
from app.core.id_groups import chunks, id_groups, matching
from app.extensions import db
from app.projects.models import Project
from app.projects.names import search_text
from app.projects.stages import Stage, stage_of
from app.rollups.maintain import attribute_values, changed_fields, flushed_objects
from app.units.models import Unit

# What a user learns about another unit's duplicate, which they may not see: its unit's name.
OTHER_UNITS_PROJECT = "已有同一投资方的项目，请与该单位或投资促进局核实"
DUPLICATE_DETECTION = "duplicate detection searches every unit"


@dataclass(frozen=True)
class Match:
    """Another project that looks like the same investor. For a project the actor may not see
    (another unit's), only its unit: no id, name, investor or USCC agreement."""

    unit_name: str
    unit_id: int
    project_id: int | None = None
    name: str = ""
    investor_name: str = ""
    same_uscc: bool = False

    @property
    def redacted(self) -> bool:
        return self.project_id is None

    @property
    def note(self) -> str:
        """The line a screen or an import message shows for the match."""
        if self.redacted:
            return f"{self.unit_name}{OTHER_UNITS_PROJECT}"
        return f"{self.unit_name}：{self.name}（{self.investor_name}）"


class DuplicateFound(ServiceError):
    """Saving would create a likely duplicate; the user must confirm."""

    def __init__(self, matches: list[Match]):
        self.matches = matches
        names = "、".join(dict.fromkeys(m.unit_name for m in matches[:5]))
        super().__init__({"": f"疑似重复：{names} 已登记同一投资方的项目，请核实后确认保存"})


def _active():
    return (Project.deleted_at.is_(None),)


def visible_project_ids(actor: Any, ids: Iterable[int] | None = None) -> set[int] | None:
    """Of these projects (or of all live ones), those the actor may see; None: every one."""
    if scoping.sees_whole_district(actor):
        return None
    stmt = select(Project.id).where(scoping.scope_condition(Project, actor), *_active())
    if ids is not None:
        ids = list(ids)
        if not ids:
            return set()
        stmt = stmt.where(Project.id.in_(ids))
    return set(db.session.scalars(stmt))


def as_seen_by(actor: Any, matches: list[Match]) -> list[Match]:
    """The matches as the actor may learn them: another unit's only by its unit's name, once."""
    visible = visible_project_ids(actor, [m.project_id for m in matches if m.project_id])
    shown: list[Match] = []
    redacted_units: set[int] = set()
    for match in matches:
        if visible is None or match.project_id in visible:
            shown.append(match)
        elif match.unit_id not in redacted_units:
            redacted_units.add(match.unit_id)
            shown.append(Match(match.unit_name, match.unit_id))
    return shown


def find_duplicates(
    investor_key: str, code: str | None, actor: Any, exclude: int | None = None
) -> list[Match]:
    """Projects of any unit with the same USCC or normalised investor name, as the actor may
    learn of them (`as_seen_by`)."""
    conditions = [Project.investor_key == investor_key] if investor_key else []
    if code:
        conditions.append(Project.uscc == code)
    if not conditions:
        return []
    stmt = (
        select(Project.id, Project.name, Project.investor_name, Project.uscc, Unit.name, Unit.id)
        .join(Unit, Unit.id == Project.unit_id)
        .where(or_(*conditions), *_active())
        .order_by(Project.id)
        .limit(20)
    )
    if exclude:
        stmt = stmt.where(Project.id != exclude)
    with scoping.district_wide(DUPLICATE_DETECTION):
        rows = db.session.execute(stmt).all()
    found = [
        Match(r[4], r[5], project_id=r[0], name=r[1], investor_name=r[2],
              same_uscc=bool(code) and r[3] == code)
        for r in rows
    ]  # fmt: skip
    return as_seen_by(actor, found)


@dataclass(frozen=True)
class Member:
    """A project of a duplicate group: the columns the screens show, not the ORM object."""

    id: int
    name: str
    investor_name: str
    investor_key: str
    uscc: str | None
    unit_id: int
    unit_name: str
    stage_order: int
    dropped_on: date | None
    planned_investment: int
    lead_on: date

    @property
    def stage(self) -> Stage:
        return stage_of(self.stage_order or 0)


class DuplicateGroup(Base):
    """A duplicate group as the records stand (docs/domain.md, "Duplicates"): its key and how
    many live projects it has. Derived: kept in the flushing transaction by `refresh_groups`,
    all recomputed by `rebuild_groups` (`flask --app wsgi rebuild-rollups`)."""

    __tablename__ = "duplicate_groups"
    __history__ = False  # derived from the projects, recomputed on every write: no history

    group_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)


PROJECTS = Project.__table__
GROUPS = DuplicateGroup.__table__
# A project's fields that decide its group and whether the group is one.
GROUP_FIELDS = ("investor_key", "uscc", "unit_id", "name", "deleted_at")


def _own_key():
    """SQL: the group key of a project without a USCC (its investor key), NULL once deleted."""
    return case((PROJECTS.c.deleted_at.is_not(None), null()), else_=PROJECTS.c.investor_key)


def _code_keys(codes: list[str] | None = None):
    """Each USCC (of these, all when None) with the smallest investor key among its live
    projects: the group key of every live project carrying it."""
    stmt = select(PROJECTS.c.uscc, func.min(PROJECTS.c.investor_key).label("code_key")).where(
        PROJECTS.c.uscc.is_not(None), *_active()
    )
    if codes is not None:
        stmt = stmt.where(PROJECTS.c.uscc.in_(codes))
    return stmt.group_by(PROJECTS.c.uscc).subquery("code_keys")


def _set_keys(conn: Any, condition: Any = None, codes: list[str] | None = None) -> None:
    """Store the group key of the projects matching the condition that carry no USCC or are
    deleted, then of the live projects carrying these USCCs (of all when None): two set-based
    UPDATEs, rows already right left alone (one correlated subquery a row was slower)."""
    own = _own_key()
    stmt = update(PROJECTS).where(
        or_(PROJECTS.c.uscc.is_(None), PROJECTS.c.deleted_at.is_not(None)),
        PROJECTS.c.duplicate_key.is_distinct_from(own),
    )
    if condition is not None:
        stmt = stmt.where(condition)
    conn.execute(stmt.values(_keyed(own)))
    if codes == []:
        return
    code_keys = _code_keys(codes)
    conn.execute(
        update(PROJECTS)
        .where(
            PROJECTS.c.uscc == code_keys.c.uscc,
            PROJECTS.c.deleted_at.is_(None),
            PROJECTS.c.duplicate_key.is_distinct_from(code_keys.c.code_key),
        )
        .values(_keyed(code_keys.c.code_key))
    )


def groups_select(keys: list[str] | None = None):
    """(key, size) of each duplicate group from the records, of these keys (all when None):
    two or more live projects of one key that are in different units, share a USCC, or
    carry the same name in one unit."""
    key = PROJECTS.c.duplicate_key
    unit_and_name = cast(PROJECTS.c.unit_id, String) + "|" + PROJECTS.c.name
    stmt = select(key, func.count()).where(key.is_not(None), *_active())
    if keys is not None:
        stmt = stmt.where(key.in_(keys))
    return stmt.group_by(key).having(
        func.count() > 1,
        or_(
            func.count(distinct(PROJECTS.c.unit_id)) > 1,
            func.count(distinct(PROJECTS.c.uscc)) < func.count(PROJECTS.c.uscc),
            func.count(distinct(unit_and_name)) < func.count(),
        ),
    )


def _keyed(key: Any) -> dict[str, Any]:
    """An UPDATE's values setting the group key, the row's updated_at left as it was (a
    derived column changes no record: its onupdate must not run)."""
    return {"duplicate_key": key, "updated_at": PROJECTS.c.updated_at}


def _keys(conn: Any, conditions: list) -> set[str]:
    """The group keys stored on the projects matching any of the conditions."""
    found: set[str] = set()
    for condition in conditions:
        stmt = select(PROJECTS.c.duplicate_key).where(condition).distinct()
        found.update(k for (k,) in conn.execute(stmt) if k is not None)
    return found


def refresh_groups(
    session: Session,
    project_ids: Iterable[int],
    codes: Iterable[str] = (),
    keys: Iterable[str] = (),
) -> None:
    """Bring the group keys and groups the given projects touch up to date: the projects' own
    keys and those of every project sharing one of their USCCs (as they are now or the given
    former ones), then each group any of them was or is in, and the given former keys' groups.
    After bulk Core writes, with the projects written; flushes call it by themselves."""
    conn = session.connection()
    by_id = [matching(PROJECTS.c.id, group) for group in id_groups(project_ids)]
    codes = set(codes)
    for condition in by_id:
        found = select(PROJECTS.c.uscc).where(condition, PROJECTS.c.uscc.is_not(None))
        codes.update(conn.execute(found.distinct()).scalars())
    conditions = by_id + [PROJECTS.c.uscc.in_(chunk) for chunk in chunks(sorted(codes - {None}))]
    touched = _keys(conn, conditions) | set(keys)
    for condition in by_id:
        _set_keys(conn, condition, [])
    for chunk in chunks(sorted(codes - {None})):
        _set_keys(conn, PROJECTS.c.uscc.in_(chunk), chunk)
    touched |= _keys(conn, conditions)
    for chunk in chunks(sorted(touched)):
        conn.execute(delete(GROUPS).where(GROUPS.c.group_key.in_(chunk)))
        conn.execute(insert(GROUPS).from_select(["group_key", "size"], groups_select(chunk)))


def rebuild_groups(session: Session) -> None:
    """Every project's group key and every group recomputed from the records."""
    conn = session.connection()
    _set_keys(conn)
    conn.execute(delete(GROUPS))
    conn.execute(insert(GROUPS).from_select(["group_key", "size"], groups_select()))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    """Refresh the groups of the projects this flush created, deleted or changed a grouping
    field of, on its own connection, before the commit."""
    ids: set[int] = set()
    codes: set[str] = set()
    keys: set[str] = set()
    for obj, is_dirty in flushed_objects(session):
        if not isinstance(obj, Project) or (is_dirty and not changed_fields(obj, GROUP_FIELDS)):
            continue
        if obj.id is not None:
            ids.add(obj.id)
        codes |= attribute_values(obj, "uscc")
        keys |= attribute_values(obj, "investor_key")
    if ids or keys:
        refresh_groups(session, ids, codes, keys)


def count_duplicate_groups() -> int:
    """How many duplicate groups there are (a count of the kept groups)."""
    return db.session.execute(select(func.count()).select_from(DuplicateGroup)).scalar_one()


def duplicate_groups(offset: int = 0, limit: int | None = None) -> list[list[Member]]:
    """Groups of live projects that look like the same investor, by group key, `limit`
    groups from `offset` (all when None); each group's members by id."""
    keys = list(
        db.session.scalars(
            select(DuplicateGroup.group_key)
            .order_by(DuplicateGroup.group_key)
            .offset(offset)
            .limit(limit)
        )
    )
    if not keys:
        return []
    rows = db.session.execute(
        select(
            Project.id,
            Project.name,
            Project.investor_name,
            Project.investor_key,
            Project.uscc,
            Project.unit_id,
            Unit.name,
            Project.stage_order,
            Project.dropped_on,
            Project.planned_investment,
            Project.lead_on,
            Project.duplicate_key,
        )
        .join(Unit, Unit.id == Project.unit_id)
        .where(Project.duplicate_key.in_(keys), *_active())
        .order_by(Project.duplicate_key, Project.id)
    ).all()
    groups: dict[str, list[Member]] = {key: [] for key in keys}
    for row in rows:
        groups[row[-1]].append(Member(*row[:-1]))
    return [members for members in groups.values() if members]


def _children() -> list[type]:
    """Every mapped class, of any domain, that hangs off a project by project_id."""
    return [
        m.class_
        for m in Base.registry.mappers
        if m.class_ is not Project and "project_id" in m.columns
    ]


# What the merge screen calls the records that move; a domain may set __merge_label__ instead.
CHILD_LABELS = {
    "follow_ups": "跟进记录",
    "project_contacts": "联系人",
    "funds_entries": "到位资金",
    "trip_projects": "外出招商关联",
}
FILLED_FIELDS = {
    name: label
    for name, label in (
        ("uscc", "统一社会信用代码"),
        ("chain_tag", "产业链"),
        ("leader_id", "包保领导"),
        ("event_id", "招商活动"),
        ("trip_id", "外出招商"),
    )
    if name in Project.__table__.c  # trip_id comes with the trips domain
}


def _unique_partners(cls: type) -> list[list]:
    """For each unique constraint that includes project_id, its other columns."""
    out = []
    for constraint in cls.__table__.constraints:
        if isinstance(constraint, UniqueConstraint) and "project_id" in constraint.columns:
            out.append([c for c in constraint.columns if c.name != "project_id"])
    return out


def _movable(cls: type, gone_id: int, keep_id: int) -> list:
    """Rows of `gone` that can move to `keep`. A link `keep` already has (the same trip, say)
    stays with `gone`: moving it would break the link table's uniqueness."""
    rows = list(db.session.execute(select(cls).where(cls.project_id == gone_id)).scalars())
    for partners in _unique_partners(cls):
        if not partners:
            continue
        kept = {
            tuple(r) for r in db.session.execute(select(*partners).where(cls.project_id == keep_id))
        }
        mapper = inspect(cls)
        keys = [mapper.get_property_by_column(c).key for c in partners]
        rows = [r for r in rows if tuple(getattr(r, k) for k in keys) not in kept]
    return rows


def _child_label(cls: type) -> str:
    table = cls.__tablename__
    return getattr(cls, "__merge_label__", None) or CHILD_LABELS.get(table, table)


@dataclass(frozen=True)
class MergePreview:
    """What merging `gone` into `keep` will do: records that move, fields that get filled."""

    moves: list[tuple[str, int]]
    fills: list[str]


def merge_preview(keep: Project, gone: Project) -> MergePreview:
    """Count the records that would move and name the empty fields `gone` would fill."""
    moves = []
    for cls in _children():
        n = len(_movable(cls, gone.id, keep.id))
        if n:
            moves.append((_child_label(cls), n))
    fills = [
        label
        for name, label in FILLED_FIELDS.items()
        if getattr(keep, name) is None and getattr(gone, name) is not None
    ]
    return MergePreview(moves=moves, fills=fills)


def merge(keep: Project, gone: Project, reason: str, actor: Any) -> int:
    """Merge `gone` into `keep`: its follow-ups, funds, contacts and other records move;
    `gone` is marked deleted and points at `keep`. Returns how many records moved."""
    if keep.id == gone.id:
        raise ServiceError("不能把项目合并到它自己")
    if keep.deleted_at is not None or gone.deleted_at is not None:
        raise ServiceError("已合并或已删除的项目不能再合并")
    if not (reason or "").strip():
        raise ServiceError({"reason": "请填写合并原因"})
    moved = 0
    # No flush until the end: the reason is attached to the one flush that writes the merge,
    # so every history row of it (moved records, the gone project) carries the reason.
    with db.session.no_autoflush:
        for cls in _children():
            for row in _movable(cls, gone.id, keep.id):
                row.project_id = keep.id
                moved += 1
        earlier = select(Project).where(Project.merged_into_id == gone.id)
        for project in db.session.execute(earlier).scalars():
            project.merged_into_id = keep.id  # records merged into `gone` before follow it
        for name in FILLED_FIELDS:
            if getattr(keep, name) is None and getattr(gone, name) is not None:
                setattr(keep, name, getattr(gone, name))
        keep.search_text = search_text(keep.name, keep.investor_name, keep.uscc)
        gone.merged_into_id = keep.id
        gone.deleted_at = utcnow()
        gone.deleted_by_id = getattr(actor, "id", None)
    history.note_reason(db.session, f"合并重复项目 {gone.id} → {keep.id}：{reason.strip()}")
    db.session.flush()
    from app.funds.services import recompute_funded_on  # the funds ledger sets 资金到位

    history.note_reason(db.session, f"合并重复项目 {gone.id} → {keep.id}：{reason.strip()}")
    recompute_funded_on([keep.id, gone.id])
    db.session.info.pop("history_reason", None)
    return moved
