"""Duplicates: the same USCC or the same normalised investor name; flagging, groups, merging."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    String,
    UniqueConstraint,
    and_,
    case,
    cast,
    distinct,
    func,
    inspect,
    or_,
    select,
)

from app.core import history, scoping
from app.core.db import Base, utcnow
from app.core.forms import ServiceError
from app.extensions import db
from app.projects.models import Project
from app.projects.names import search_text
from app.projects.stages import Stage, stage_of
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


def _candidates():
    """Live projects sharing a normalised investor name or a USCC with another, each with its
    group key: the smallest investor key among those sharing its USCC, else its own. One scan
    of the live projects with window counts (an IN over grouped keys was 40 times slower)."""
    live = (
        select(
            Project.id,
            Project.unit_id,
            Project.name,
            Project.uscc,
            Project.investor_key,
            func.count().over(partition_by=Project.investor_key).label("key_n"),
            func.count().over(partition_by=Project.uscc).label("code_n"),
            func.min(Project.investor_key).over(partition_by=Project.uscc).label("code_key"),
        )
        .where(*_active())
        .subquery("live")
    )
    coded = live.c.uscc.is_not(None)
    return (
        select(
            live.c.id,
            live.c.unit_id,
            live.c.name,
            live.c.uscc,
            case((coded, live.c.code_key), else_=live.c.investor_key).label("group_key"),
        )
        .where(or_(live.c.key_n > 1, and_(coded, live.c.code_n > 1)))
        .subquery("candidates")
    )


def _groups_statement():
    """One row per duplicate group (docs/domain.md, "Duplicates"): two or more projects of one
    key that are in different units, share a USCC, or carry the same name in one unit."""
    c = _candidates()
    unit_and_name = cast(c.c.unit_id, String) + "|" + c.c.name
    return (
        select(c.c.group_key, func.count().label("size"))
        .group_by(c.c.group_key)
        .having(
            func.count() > 1,
            or_(
                func.count(distinct(c.c.unit_id)) > 1,
                func.count(distinct(c.c.uscc)) < func.count(c.c.uscc),
                func.count(distinct(unit_and_name)) < func.count(),
            ),
        )
    )


def count_duplicate_groups() -> int:
    """How many duplicate groups there are (one grouped query, nothing loaded)."""
    groups = _groups_statement().subquery()
    return db.session.execute(select(func.count()).select_from(groups)).scalar_one()


def duplicate_groups(offset: int = 0, limit: int | None = None) -> list[list[Member]]:
    """Groups of live projects that look like the same investor, by group key, `limit`
    groups from `offset` (all when None); each group's members by id."""
    stmt = _groups_statement()
    keys = list(
        db.session.scalars(
            stmt.order_by(stmt.selected_columns.group_key).offset(offset).limit(limit)
        )
    )
    if not keys:
        return []
    c = _candidates()
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
            c.c.group_key,
        )
        .join(c, c.c.id == Project.id)
        .join(Unit, Unit.id == Project.unit_id)
        .where(c.c.group_key.in_(keys))
        .order_by(c.c.group_key, Project.id)
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
