"""Projects in and out of spreadsheets: the import template's columns, each row checked into
a ProjectData, and the filtered list exported with the same columns so it imports back."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect

from app.core import cells, history, scoping, uscc
from app.core.cells import CellError, CheckedRows, RowError
from app.core.db import analyse_after_growth, utcnow
from app.core.forms import ServiceError
from app.core.id_groups import id_groups, matching
from app.core.inserts import Insert
from app.core.money import yuan_to_wan
from app.core.spreadsheets import Column, Sheet, Table
from app.events.models import PromotionEvent
from app.extensions import db
from app.leaders.models import Leader
from app.projects.duplicates import (
    DUPLICATE_DETECTION,
    Match,
    refresh_groups,
    visible_project_ids,
)
from app.projects.models import INDUSTRIES, SOURCES, Project
from app.projects.names import normalise_investor
from app.projects.queries import ProjectFilters, project_statement
from app.projects.search import index_after_commit
from app.projects.services import ProjectData, create_project, field_problems, milestone_problems
from app.rollups.maintain import refresh_projects
from app.units.models import Unit

HEADERS = (
    "项目名称",
    "投资方",
    "统一社会信用代码",
    "投资方所在省",
    "投资方所在市",
    "是否外资",
    "产业类别",
    "产业链",
    "计划总投资（万元）",
    "责任单位",
    "包保领导",
    "项目来源",
    "招商活动",
    "洽谈日期",
    "签约日期",
    "合同投资额（万元）",
    "注册日期",
    "开工日期",
    "投产日期",
    "备注",
)
REQUIRED = ("项目名称", "投资方", "产业类别", "责任单位", "项目来源")
CHUNK = 1000  # rows written per flush on import
DATES = {
    "洽谈日期": "negotiating_on",
    "签约日期": "signed_on",
    "注册日期": "registered_on",
    "开工日期": "started_on",
    "投产日期": "operating_on",
}
# The service's field names -> the template column a problem belongs to.
COLUMN_OF = {
    "name": "项目名称",
    "investor_name": "投资方",
    "uscc": "统一社会信用代码",
    "industry": "产业类别",
    "source": "项目来源",
    "unit_id": "责任单位",
    "leader_id": "包保领导",
    "event_id": "招商活动",
    "planned_wan": "计划总投资（万元）",
    "contract_wan": "合同投资额（万元）",
    **{field: header for header, field in DATES.items()},
}
COLUMNS = [
    Column("项目名称", width=30),
    Column("投资方", width=32),
    Column("统一社会信用代码", width=21),
    Column("投资方所在省", width=13),
    Column("投资方所在市", width=13),
    Column("是否外资", width=9),
    Column("产业类别", width=9),
    Column("产业链", width=16),
    Column("计划总投资（万元）", "money", total=True),
    Column("责任单位", width=14),
    Column("包保领导", width=10),
    Column("项目来源", width=12),
    Column("招商活动", width=22),
    Column("洽谈日期", "date"),
    Column("签约日期", "date"),
    Column("合同投资额（万元）", "money", total=True),
    Column("注册日期", "date"),
    Column("开工日期", "date"),
    Column("投产日期", "date"),
    Column("备注", width=30),
]


def name_key(name: str) -> str:
    """A project name as compared for duplicates: half-width, no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).lower()


class References:
    """Units, leaders and events by name, loaded once for a whole file."""

    def __init__(self) -> None:
        self.units = {u.name: u for u in db.session.execute(select(Unit)).scalars()}
        self.leaders: dict[str, list[Leader]] = {}
        for leader in db.session.execute(select(Leader).where(Leader.active.is_(True))).scalars():
            self.leaders.setdefault(leader.name, []).append(leader)
            self.leaders.setdefault(leader.label, []).append(leader)
        self.events = {
            e.name: e.id
            for e in db.session.execute(select(PromotionEvent.id, PromotionEvent.name)).all()
        }

    def unit_id(self, raw: str, actor: Any) -> int | None:
        if not raw:
            if actor.role == "unit":
                return actor.unit_id
            raise CellError("请填写责任单位")
        unit = self.units.get(raw)
        if unit is None:
            raise CellError(f"责任单位“{raw}”不存在，请填写系统中的单位全称")
        return unit.id

    def leader_id(self, raw: str) -> int | None:
        if not raw:
            return None
        found = self.leaders.get(raw, [])
        if not found:
            raise CellError(f"包保领导“{raw}”不存在或已停用")
        if len({leader.id for leader in found}) > 1:
            raise CellError(f"有多位领导名为“{raw}”，请写成“姓名（职务）”")
        return found[0].id

    def event_id(self, raw: str) -> int | None:
        if not raw:
            return None
        if raw not in self.events:
            raise CellError(f"招商活动“{raw}”不存在，请先在招商活动中登记")
        return self.events[raw]


def _read_row(table: Table, cells_: list[Any], refs: References, actor: Any, errors: dict):
    """One row into a ProjectData; unreadable cells are noted in `errors` by column."""
    row = cells.RowCells(table, cells_, errors)
    read, text, ref = row.read, row.text, row.ref
    dates = {field: read(header, cells.parse_date) for header, field in DATES.items()}
    return ProjectData(
        name=text("项目名称"),
        investor_name=text("投资方"),
        uscc=text("统一社会信用代码") or None,
        origin_province=text("投资方所在省"),
        origin_city=text("投资方所在市"),
        foreign_funded=bool(read("是否外资", cells.parse_yes_no)),
        industry=text("产业类别"),
        chain_tag=text("产业链") or None,
        planned_wan=read("计划总投资（万元）", cells.optional_amount),
        unit_id=ref("责任单位", refs.unit_id, actor),
        leader_id=ref("包保领导", refs.leader_id),
        source=text("项目来源"),
        event_id=ref("招商活动", refs.event_id),
        notes=cells.text(table.get(cells_, "备注")) or None,
        milestones={k: v for k, v in dates.items() if v is not None},
        contract_wan=read("合同投资额（万元）", cells.optional_amount),
    )


def _service_problems(data: ProjectData, actor: Any, errors: dict) -> None:
    found = field_problems(data, actor)
    code = uscc.normalise(data.uscc) or None
    found.update(milestone_problems(dict(data.milestones), data.contract_wan, code))
    if data.industry and data.industry not in INDUSTRIES:
        found["industry"] = f"产业类别“{data.industry}”不在可选范围：" + " / ".join(INDUSTRIES)
    if data.source and data.source not in SOURCES:
        found["source"] = f"项目来源“{data.source}”不在可选范围：" + " / ".join(SOURCES)
    for name, message in found.items():
        errors.setdefault(COLUMN_OF.get(name, ""), message)


@dataclass
class _Known:
    """Live projects already recorded, by (name, investor) and by investor or USCC, each as
    the importing actor may learn of it (duplicates.as_seen_by: another unit's by its unit)."""

    by_pair: dict[tuple[str, str], Match]
    by_investor: dict[str, Match]
    by_code: dict[str, Match]


def _known(actor: Any) -> _Known:
    with scoping.district_wide(DUPLICATE_DETECTION):
        rows = db.session.execute(
            select(Project.id, Project.name, Project.investor_key, Project.uscc, Unit.name,
                   Unit.id)
            .join(Unit, Unit.id == Project.unit_id)
            .where(Project.deleted_at.is_(None))
        ).all()  # fmt: skip
    visible = visible_project_ids(actor)
    known = _Known({}, {}, {})
    for project_id, name, investor, code, unit, unit_id in rows:
        seen = visible is None or project_id in visible
        match = Match(unit, unit_id, project_id, name) if seen else Match(unit, unit_id)
        known.by_pair[(name_key(name), investor)] = match
        known.by_investor.setdefault(investor, match)
        if code:
            known.by_code.setdefault(code, match)
    return known


SIMILAR = "已登记同一投资方的项目"


def _already_recorded(match: Match) -> str:
    if match.redacted:
        return f"{match.note}，不能重复导入"
    return f"系统中已有该项目（同名同投资方，{match.unit_name}），不能重复导入"


def prepare(table: Table, actor: Any, verified: bool = False, progress: Any = None) -> CheckedRows:
    """Check every row; the result lists every problem and what would be written (and tells
    `progress`, when given, of each row checked)."""
    refs = References()
    as_of = utcnow()  # before reading the projects: the write looks again from here
    known = _known(actor)
    seen_pair: dict[tuple[str, str], int] = {}
    seen_investor: dict[str, int] = {}
    items, problems, warnings, preview = [], [], [], []
    for number, row in table.rows:
        errors: dict[str, str] = {}
        data = _read_row(table, row, refs, actor, errors)
        _service_problems(data, actor, errors)
        pair = (name_key(data.name), normalise_investor(data.investor_name))
        if data.name and data.investor_name:
            if pair in seen_pair:
                errors.setdefault(
                    "项目名称", f"与第 {seen_pair[pair]} 行是同一项目（同名同投资方）"
                )
            elif pair in known.by_pair:
                errors.setdefault("项目名称", _already_recorded(known.by_pair[pair]))
            else:
                similar = known.by_investor.get(pair[1]) or known.by_code.get(data.uscc or "")
                if similar:
                    warnings.append(
                        RowError(number, "投资方", f"疑似重复：{similar.unit_name} {SIMILAR}")
                    )
                elif pair[1] in seen_investor:
                    warnings.append(
                        RowError(number, "投资方", f"与第 {seen_investor[pair[1]]} 行为同一投资方")
                    )
            seen_pair.setdefault(pair, number)
            seen_investor.setdefault(pair[1], number)
        problems.extend(RowError(number, column, message) for column, message in errors.items())
        if progress is not None:
            progress.advance()
        if not errors:
            items.append((number, data))
            if len(preview) < 10:
                preview.append(
                    [
                        number,
                        data.name,
                        data.investor_name,
                        data.industry,
                        data.milestones.get("signed_on") or "",
                        data.contract_wan or "",
                    ]
                )
    signed = sum(1 for _n, d in items if d.milestones.get("signed_on"))
    summary = [f"共 {len(table.rows)} 行，可导入 {len(items)} 个项目，其中已签约 {signed} 个"]
    headers = ["行号", "项目名称", "投资方", "产业类别", "签约日期", "合同投资额（万元）"]
    return CheckedRows(items, problems, warnings, summary, headers, preview, as_of)


TAKEN_SLACK = timedelta(hours=1)
"""How far before the check the write looks for projects it could not have seen: one saved
by a transaction still open while the check read (its timestamps are its flush's)."""


LATE = ("id", "import_batch_id", "created_at", "updated_at")
"""The insert's columns only the write knows: the ids it takes, its batch, its time."""
COMPUTED = tuple(c.key for c in Project.__table__.columns if c.computed is not None)


@dataclass
class Chunk:
    """CHUNK built projects: the driver's values of their insert but for LATE, in the order
    of `Built.statement`'s other columns, and their history entries' snapshots."""

    values: list[tuple]
    snapshots: history.Snapshots


@dataclass
class Built:
    """The checked projects as their inserts will write them, built while other users work on
    (app/imports/services.py `import_in_steps`), with what the write checks again: the write,
    holding SQLite's lock, adds only the ids, the batch, the time and the computed stage."""

    statement: Insert  # LATE, then every other column a project sets
    chunks: list[Chunk]
    pairs: dict[tuple[str, str], int]  # (name, investor) keys -> the row number that adds it
    as_of: datetime | None


def build(checked: CheckedRows, actor: Any, progress: Any = None) -> Built:
    """Each checked project made by the service, as one typed in is, into its insert's values
    and its history snapshot; nothing is written (`progress` hears of every chunk built)."""
    refs = References()  # held: the session's identity map keeps units etc. only while referenced
    rows: list[dict[str, Any]] = []
    names: list[str] = []
    items = checked.items
    for start in range(0, len(items), CHUNK):
        projects = _built(items[start : start + CHUNK], actor)
        rows += [_values(project) for project in projects]
        names += [project.name for project in projects]
        if progress is not None:
            progress.advance(len(projects))
    del refs
    keys = [key for key in dict.fromkeys(k for row in rows for k in row) if key not in LATE]
    statement = Insert(db.session.get_bind().dialect, Project.__table__, (*LATE, *keys))
    chunks = [
        Chunk(
            statement.driver_values(rows[start : start + CHUNK], keys),
            history.Snapshots(
                Project, rows[start : start + CHUNK], names[start : start + CHUNK], LATE + COMPUTED
            ),
        )
        for start in range(0, len(rows), CHUNK)
    ]
    pairs = {(name_key(d.name), normalise_investor(d.investor_name)): n for n, d in items}
    return Built(statement, chunks, pairs, checked.as_of)


def _taken_since(built: Built) -> None:
    """Refuse the write when a project of the file was recorded by someone else since the
    check read the projects (the check itself refused those already there)."""
    if built.as_of is None:
        return
    with scoping.district_wide(DUPLICATE_DETECTION):
        recent = db.session.execute(
            select(Project.name, Project.investor_key).where(
                Project.deleted_at.is_(None), Project.updated_at >= built.as_of - TAKEN_SLACK
            )
        ).all()
    taken = sorted(n for name, key in recent if (n := built.pairs.get((name_key(name), key))))
    if taken:
        raise ServiceError(f"第 {taken[0]} 行的项目刚被他人登记（同名同投资方），请重新检查文件")


def write(
    built: Built,
    actor: Any,
    note: str,
    batch_id: int | None = None,
    progress: Any = None,
) -> int:
    """Insert every built project, marked with its import batch; return how many. One
    executemany per chunk, its history entries appended in one go, the roll-ups and duplicate
    groups refreshed once: the little left to do while holding SQLite's write lock."""
    _taken_since(built)
    db.session.flush()  # the batch row, before the rows that point at it
    now = utcnow()
    late = {"import_batch_id": batch_id, "created_at": now, "updated_at": now}
    (common,) = built.statement.driver_values([late], LATE[1:])
    connection = db.session.connection()
    written: list[int] = []
    for chunk in built.chunks:
        ids = new_ids(Project, len(chunk.values))
        index_after_commit(ids)  # SQLite: the trigram index, after the commit gives the lock back
        built.statement.run(
            connection,
            [(new_id, *common, *values) for new_id, values in zip(ids, chunk.values, strict=True)],
        )
        computed = computed_values(Project, ids)
        history.record_inserts(
            db.session,
            chunk.snapshots,
            [{"id": new_id, "import_batch_id": batch_id, **computed[new_id]} for new_id in ids],
            note,
        )
        written += ids
        if progress is not None:
            progress.advance(len(ids))
    # before the refreshes read them, by the columns they look projects up by
    looked_up = ("id", "duplicate_key", "uscc", "unit_id", "deleted_at", "dropped_on")
    analyse_after_growth(db.session, Project.__table__, len(written), *looked_up)
    _refresh_rollups(written)  # once: every chunk touches much the same unit-months
    refresh_groups(db.session, written)  # the rows bypassed the flush's hook
    return len(written)


def _built(items: list[tuple[int, ProjectData]], actor: Any) -> list:
    """The rows' projects as the service makes them, kept out of the session (written later)."""
    projects = []
    with db.session.no_autoflush:
        for _number, data in items:
            project = create_project(data, actor, confirm_duplicate=True, flush=False)
            db.session.expunge(project)
            projects.append(project)
    return projects


def _values(project: Project) -> dict[str, Any]:
    """What a flush would insert for the project: the values set on it and the columns'
    fixed defaults (the timestamps' default functions run in the insert itself)."""
    values = {
        column.key: column.default.arg
        for column in Project.__table__.columns
        if column.default is not None and column.default.is_scalar
    }
    state = sa_inspect(project)
    values.update(
        (attr.key, state.dict[attr.key])
        for attr in state.mapper.column_attrs
        if attr.key in state.dict
    )
    # The group key most rows keep (duplicates._own_key; refresh_groups corrects those that
    # share a USCC): set here, the refresh rewrites none of the rest, where on PostgreSQL
    # rewriting 10,000 rows' key (a new version of each, in every index) took 1.8 s.
    values["duplicate_key"] = values["investor_key"]
    return values


def new_ids(model: type, count: int) -> list[int]:
    """The ids the next `count` rows of the model's table will have, taken now."""
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        # Drawn from the sequence in one statement.
        return list(
            db.session.execute(
                select(func.nextval(func.pg_get_serial_sequence(table.name, "id"))).select_from(
                    func.generate_series(1, count)
                )
            ).scalars()
        )
    # SQLite: the ids it would give (the next after the largest: no table uses AUTOINCREMENT),
    # safe under the write lock this transaction holds from its BEGIN IMMEDIATE.
    last = db.session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(last + 1, last + 1 + count))


def computed_values(model: type, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The columns the database computes (a flush reads them back), by id, for the history."""
    table = model.__table__
    columns = [c for c in table.columns if c.computed is not None]
    if not columns or not ids:
        return {}
    values = {}
    for group in id_groups(ids):
        found = db.session.execute(select(table.c.id, *columns).where(matching(table.c.id, group)))
        values.update(
            (row[0], dict(zip((c.key for c in columns), row[1:], strict=True))) for row in found
        )
    return values


def _refresh_rollups(ids: list[int]) -> None:
    """The monthly roll-ups follow ORM flushes; rows written by a bulk insert are told to them."""
    refresh_projects(db.session, ids)


def figure_dates(checked: CheckedRows, verified: bool = False) -> Iterator[tuple[int, date]]:
    """Each row's milestone dates: a new project counts in the figures of those months."""
    for number, data in checked.items:
        for on in data.milestones.values():
            if on is not None:
                yield number, on


HELP = {
    "项目名称": ("必填", "项目全称，同一投资方的同名项目不能重复", "新能源电池材料项目"),
    "投资方": ("必填", "投资企业全称", "宁德示例新能源科技有限公司"),
    "统一社会信用代码": ("注册时必填", "本地公司的 18 位代码", ""),
    "投资方所在省": ("", "如 福建省；外资写国家或地区", "福建省"),
    "投资方所在市": ("", "如 宁德市", "宁德市"),
    "是否外资": ("", "是 / 否，不填为否", "否"),
    "产业类别": ("必填", " / ".join(INDUSTRIES), "工业"),
    "产业链": ("", "如 新能源、电子信息", "新能源"),
    "计划总投资（万元）": ("", "单位万元，最多两位小数", "50000"),
    "责任单位": ("必填", "系统中的单位全称；责任单位账户导入时可不填", "城关街道"),
    "包保领导": ("", "系统中的领导姓名；重名时写“姓名（职务）”", ""),
    "项目来源": ("必填", " / ".join(SOURCES), "招商推介会"),
    "招商活动": ("", "系统中已登记的活动名称", ""),
    "洽谈日期": ("", "日期写法见下", "2026-03-05"),
    "签约日期": ("", "日期写法见下；填写时须填合同投资额", "2026/4/18"),
    "合同投资额（万元）": ("签约时必填", "单位万元，最多两位小数", "48000.50"),
    "注册日期": ("", "填写时须填统一社会信用代码", ""),
    "开工日期": ("", "", ""),
    "投产日期": ("", "", ""),
    "备注": ("", "", ""),
}
DATE_HELP = (
    "日期写成 2026-03-05、2026/3/5、2026.3.5、2026年3月5日 或 Excel 日期；"
    "不能晚于今天，也不能早于前一阶段的日期"
)


def template_sheets() -> list[Sheet]:
    """The downloadable template: the header row alone, and a sheet explaining each column."""
    return [
        Sheet("项目导入", [replace(c, total=False) for c in COLUMNS], [], paper=8),
        help_sheet(HEADERS, HELP, DATE_HELP),
    ]


def help_sheet(headers, notes: dict, footer: str) -> Sheet:
    """填表说明: one row per column, with an example (not on the import sheet, so it is
    never imported by mistake)."""
    columns = [Column("列名", width=20), Column("是否必填", width=12),
               Column("填写说明", width=56), Column("示例", width=28)]  # fmt: skip
    rows = [[h, *notes.get(h, ("", "", ""))] for h in headers]
    return Sheet("填表说明", columns, rows, title="填表说明", subtitle=footer)


def export_rows(actor: Any, filters: ProjectFilters) -> Iterator[list[Any]]:
    """The filtered, scoped projects, one row each, in the template's column order."""
    stmt = project_statement(actor, filters).execution_options(yield_per=1000)
    for p in db.session.execute(stmt).scalars():
        yield [
            p.name,
            p.investor_name,
            p.uscc or "",
            p.origin_province,
            p.origin_city,
            "是" if p.foreign_funded else "否",
            p.industry,
            p.chain_tag or "",
            yuan_to_wan(p.planned_investment),
            p.unit.name,
            p.leader.name if p.leader else "",
            p.source,
            p.event.name if p.event else "",
            p.negotiating_on,
            p.signed_on,
            None if p.contract_investment is None else yuan_to_wan(p.contract_investment),
            p.registered_on,
            p.started_on,
            p.operating_on,
            p.notes or "",
        ]


def export_sheet(actor: Any, filters: ProjectFilters) -> Sheet:
    """The project list as an import-compatible sheet (no title row: the header comes first)."""
    return Sheet("招商项目", COLUMNS, export_rows(actor, filters), paper=8)  # A3: 20 columns
