"""Key projects (重点项目): the register — list (the screen's filters), get, create, update,
mark started — its procedures (前置要件) and its monthly reports (月调度)."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.core import (
    Day,
    Id,
    PageArgsSchema,
    StrictSchema,
    Text,
    Wan,
    call_service,
    expect_version,
    load,
    page_schema,
    paged,
    read_version,
    resource_blueprint,
)
from app.api.errors import ApiError
from app.api.idempotency import idempotent
from app.core.money import yuan_to_wan
from app.core.permissions import ReadsBusinessData, WritesBusinessData, has_role, requires
from app.extensions import db
from app.keyprojects import access, queries, rules, scheduling, services
from app.keyprojects.models import (
    CATEGORIES,
    FUNDING_CHANNELS,
    LEVELS,
    PROCEDURE_KINDS,
    PROCEDURE_STATUSES,
    KeyMonthlyReport,
    KeyProject,
)
from app.projects.models import Project

blp = resource_blueprint(
    "key_projects", "/key-projects", "重点项目：名录、查看、登记、修改、标记开工、前置要件、月调度"
)

# Scheduling is read by the bureau, the units (their own projects) and the leaders.
ReadsSchedule = has_role("bureau", "unit", "leader")

FIELD_NAMES = {"total_wan": "total_investment", "plan_wan": "annual_plan"}


class TeamMemberSchema(StrictSchema):
    """One member of the 工作班子."""

    name = Text(50, required=True)
    post = Text(100, load_default="")


class KeyProjectSchema(ma.Schema):
    """A key project as the API shows it (amounts in 万元 as strings)."""

    id = ma.fields.Integer(required=True)
    year = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    programme = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={"enum": list(CATEGORIES)})
    level = ma.fields.String(metadata={"enum": list(LEVELS)})
    unit_id = ma.fields.Integer(required=True)
    liaison_unit_id = ma.fields.Integer(allow_none=True)
    leader_id = ma.fields.Integer(allow_none=True)
    funding_channel = ma.fields.String(metadata={"enum": list(FUNDING_CHANNELS)})
    total_investment = Wan(required=True)
    annual_plan = Wan(required=True)
    planned_start_on = ma.fields.Date(allow_none=True)
    started_on = ma.fields.Date(allow_none=True)
    completed_on = ma.fields.Date(allow_none=True)
    in_statistics = ma.fields.Boolean()
    project_id = ma.fields.Integer(allow_none=True)
    goal = ma.fields.String(allow_none=True)
    notes = ma.fields.String(allow_none=True)
    team = ma.fields.List(ma.fields.Nested(TeamMemberSchema))
    version = ma.fields.Integer(required=True)


class KeyProjectListArgs(PageArgsSchema):
    """The register's filters (app/keyprojects/queries.py KeyProjectFilters; year: this year)."""

    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    category = ma.fields.String(validate=ma.validate.OneOf(CATEGORIES))
    programme = Text(50)
    unit_id = Id(strict=False)
    leader_id = Id(strict=False)
    q = Text(100)
    blocked = ma.fields.String(
        validate=ma.validate.OneOf(["1"]), metadata={"description": "1：只看前置要件未办齐的"}
    )


class KeyProjectInSchema(StrictSchema):
    """A key project's fields as a client sends them (amounts in 万元)."""

    year = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(min=2000, max=2100)
    )
    name = Text(200, required=True)
    programme = Text(50, required=True)
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES))
    unit_id = Id(required=True)
    total_investment = Wan(required=True)
    annual_plan = Wan(required=True)
    level = ma.fields.String(validate=ma.validate.OneOf(LEVELS))
    leader_id = Id(allow_none=True)
    liaison_unit_id = Id(allow_none=True)
    funding_channel = ma.fields.String(validate=ma.validate.OneOf(FUNDING_CHANNELS))
    planned_start_on = Day(allow_none=True)
    started_on = Day(allow_none=True)
    completed_on = Day(allow_none=True)
    in_statistics = ma.fields.Boolean()
    goal = Text(2000, multiline=True, allow_none=True)
    notes = Text(2000, multiline=True, allow_none=True)
    team = ma.fields.List(ma.fields.Nested(TeamMemberSchema), validate=ma.validate.Length(max=100))


class KeyProjectNewSchema(KeyProjectInSchema):
    """A new key project; `project_id` lists a signed 招商 project (the bureau's alone)."""

    project_id = Id()


class KeyProjectPatchSchema(KeyProjectInSchema):
    """The fields to change (any subset) and the version read (or an If-Match header)."""

    version = ma.fields.Integer(strict=True, metadata={"description": "读取时的 version"})


class KeyProjectStartSchema(StrictSchema):
    """Mark the project started (实际开工日期)."""

    started_on = Day(required=True)


class ProcedureSchema(StrictSchema):
    """One procedure (前置要件) and where it stands."""

    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(PROCEDURE_KINDS))
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(PROCEDURE_STATUSES)))
    applied_on = Day(allow_none=True)
    done_on = Day(allow_none=True)
    handling_unit_id = Id(allow_none=True)
    notes = Text(500, multiline=True, allow_none=True)


class ProceduresSchema(StrictSchema):
    """The procedures to change (by kind; the others stay as they are)."""

    procedures = ma.fields.List(
        ma.fields.Nested(ProcedureSchema), required=True, validate=ma.validate.Length(max=50)
    )


class ReportSchema(ma.Schema):
    """One month's report (月调度): investment completed that month and 形象进度."""

    id = ma.fields.Integer(required=True)
    key_project_id = ma.fields.Integer(required=True)
    year = ma.fields.Integer(required=True)
    month = ma.fields.Integer(required=True)
    invested = Wan(required=True)
    progress = ma.fields.String(required=True)
    reported_on = ma.fields.Date()
    reported_by_id = ma.fields.Integer(allow_none=True)
    version = ma.fields.Integer(required=True)


class ReportInSchema(StrictSchema):
    """A month's report; `version` is the report's as read (leave it out for a new report)."""

    invested = Wan(required=True, metadata={"description": "本月完成投资（万元），没有投资填 0"})
    progress = Text(scheduling.MAX_PROGRESS, multiline=True, required=True)
    version = ma.fields.Integer(strict=True, metadata={"description": "已有月报时必填"})


KEY_PROJECT = KeyProjectSchema()
REPORT = ReportSchema()
DATA_FIELDS = {
    "year": "year", "name": "name", "programme": "programme", "category": "category",
    "unit_id": "unit_id", "level": "level", "leader_id": "leader_id",
    "liaison_unit_id": "liaison_unit_id", "funding_channel": "funding_channel",
    "planned_start_on": "planned_start_on", "started_on": "started_on",
    "completed_on": "completed_on", "in_statistics": "in_statistics", "goal": "goal",
    "notes": "notes",
}  # fmt: skip


def _wan(base: KeyProject | None, name: str):
    """A stored amount of the key project in 万元 (None without a key project)."""
    return None if base is None else yuan_to_wan(getattr(base, name))


def _data(values: dict, base: KeyProject | None = None) -> rules.KeyProjectData:
    """KeyProjectData from the sent fields, over the key project's current ones."""
    current = {name: getattr(base, name, None) for name in DATA_FIELDS}
    current.update({k: v for k, v in values.items() if k in DATA_FIELDS})
    team = [(m.name, m.post) for m in base.team] if base else []
    if "team" in values:
        team = [(m["name"], m.get("post") or "") for m in values["team"] or []]
    return rules.KeyProjectData(
        year=current["year"] or 0,
        name=current["name"] or "",
        programme=current["programme"] or "",
        category=current["category"] or "",
        unit_id=current["unit_id"],
        total_wan=values.get("total_investment", _wan(base, "total_investment")),
        plan_wan=values.get("annual_plan", _wan(base, "annual_plan")),
        level=current["level"] or "区重点",
        leader_id=current["leader_id"],
        liaison_unit_id=current["liaison_unit_id"],
        funding_channel=current["funding_channel"] or "社会投资",
        planned_start_on=current["planned_start_on"],
        started_on=current["started_on"],
        completed_on=current["completed_on"],
        in_statistics=bool(current["in_statistics"]),
        goal=current["goal"],
        notes=current["notes"],
        team=team,
    )


def _names() -> dict[str, str]:
    """The services' field names (and team rows) as the API calls them."""
    return {**FIELD_NAMES, **{f"team-{i}": f"team[{i}]" for i in range(100)}}


def _editable(key_project_id: int) -> KeyProject:
    """A key project the caller may change: another unit's is 404, a leader's try 403."""
    key_project = load(KeyProject, key_project_id)
    if not access.can_edit(current_user, key_project):
        raise ApiError(403, message="只有投资促进局和项目责任单位可以修改该重点项目")
    return key_project


def _procedures(key_project: KeyProject) -> list[dict]:
    return [
        {"kind": r.kind, "status": r.status, "applied_on": r.applied_on, "done_on": r.done_on,
         "handling_unit_id": r.handling_unit_id, "notes": r.notes}
        for r in services.procedure_rows_of(key_project)
    ]  # fmt: skip


@blp.route("")
@requires(ReadsBusinessData)
@blp.arguments(KeyProjectListArgs, location="query")
@blp.response(200, page_schema(KeyProjectSchema, "KeyProjectPage"))
def list_key_projects(args):
    """A year's key projects the caller may see, filtered like the register's screen."""
    filters = queries.KeyProjectFilters.from_args(request.args)
    stmt = queries.key_project_statement(current_user, filters).options(
        selectinload(KeyProject.team)
    )
    return paged(stmt, args)


@blp.route("", methods=["POST"])
@requires(WritesBusinessData)
@idempotent
@blp.arguments(KeyProjectNewSchema)
@blp.response(201, KeyProjectSchema)
def create_key_project(values):
    """List a new key project (a unit: its own; from a 招商 project: the bureau)."""
    project = load(Project, values["project_id"]) if "project_id" in values else None
    key_project = call_service(
        lambda: services.create_key_project(_data(values), current_user, project=project),
        _names(),
    )
    return key_project


@blp.route("/<int:key_project_id>")
@requires(ReadsBusinessData)
@blp.response(200, KeyProjectSchema)
def get_key_project(key_project_id):
    """One key project (another unit's: 404)."""
    return load(KeyProject, key_project_id)


@blp.route("/<int:key_project_id>", methods=["PATCH"])
@requires(WritesBusinessData)
@blp.arguments(KeyProjectPatchSchema(partial=True))
@blp.response(200, KeyProjectSchema)
def update_key_project(values, key_project_id):
    """Change a key project's fields and team; needs the version read (409 if stale)."""
    key_project = _editable(key_project_id)
    version = read_version(values)
    expect_version(key_project, version, KEY_PROJECT.dump(key_project))
    call_service(
        lambda: services.update_key_project(
            key_project, _data(values, key_project), current_user, version
        ),
        _names(),
    )
    return key_project


@blp.route("/<int:key_project_id>/start", methods=["POST"])
@requires(WritesBusinessData)
@blp.arguments(KeyProjectStartSchema)
@blp.response(200, KeyProjectSchema)
def start_key_project(values, key_project_id):
    """Mark it started (标记开工): refused while a required procedure is missing."""
    key_project = _editable(key_project_id)
    call_service(lambda: services.mark_started(key_project, values["started_on"], current_user))
    return key_project


@blp.route("/<int:key_project_id>/procedures")
@requires(ReadsBusinessData)
@blp.response(200, ProcedureSchema(many=True))
def list_procedures(key_project_id):
    """The eleven procedures in order (a kind without a row yet is todo, 未办)."""
    return _procedures(load(KeyProject, key_project_id))


@blp.route("/<int:key_project_id>/procedures", methods=["PUT"])
@requires(WritesBusinessData)
@blp.arguments(ProceduresSchema)
@blp.response(200, ProcedureSchema(many=True))
def save_procedures(values, key_project_id):
    """Change procedures, all or nothing; the row of a refused one is named (procedures[i])."""
    key_project = _editable(key_project_id)
    rows = {row.kind: row for row in services.procedure_rows_of(key_project)}
    sent = {p["kind"]: p for p in values["procedures"]}
    for kind, p in sent.items():
        rows[kind] = services.ProcedureRow(
            kind, p["status"], p.get("applied_on"), p.get("done_on"),
            p.get("handling_unit_id"), p.get("notes"),
        )  # fmt: skip
    ordered = [rows[kind] for kind in PROCEDURE_KINDS]
    names = {f"row-{i}": f"procedures.{kind}" for i, kind in enumerate(PROCEDURE_KINDS)}
    call_service(lambda: services.save_procedures(key_project, ordered, current_user), names)
    return _procedures(key_project)


@blp.route("/<int:key_project_id>/reports")
@requires(ReadsSchedule)
@blp.response(200, ReportSchema(many=True))
def list_reports(key_project_id):
    """The key project's monthly reports, by month."""
    key_project = load(KeyProject, key_project_id)
    stmt = (
        select(KeyMonthlyReport)
        .where(KeyMonthlyReport.key_project_id == key_project.id)
        .order_by(KeyMonthlyReport.year, KeyMonthlyReport.month)
    )
    return list(db.session.execute(stmt).scalars())


def _report(key_project: KeyProject, year: int, month: int) -> KeyMonthlyReport | None:
    stmt = select(KeyMonthlyReport).where(
        KeyMonthlyReport.key_project_id == key_project.id,
        KeyMonthlyReport.year == year,
        KeyMonthlyReport.month == month,
    )
    return db.session.execute(stmt).scalar_one_or_none()


@blp.route("/<int:key_project_id>/reports/<int:year>/<int:month>", methods=["PUT"])
@requires(WritesBusinessData)
@blp.arguments(ReportInSchema)
@blp.response(200, ReportSchema)
def save_report(values, key_project_id, year, month):
    """Enter or correct a month's report (an ended month, not locked); a correction needs the
    report's version (409 if stale)."""
    key_project = load(KeyProject, key_project_id)
    if not access.can_edit(current_user, key_project):
        raise ApiError(403, message="只有投资促进局和项目责任单位可以填报月调度")
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ApiError(
            422, message="年份须在 2000—2100、月份须在 1—12 之间", fields={"month": "无效的年月"}
        )
    existing = _report(key_project, year, month)
    version = values.get("version")
    if existing is not None:
        version = read_version(values)
        expect_version(existing, version, REPORT.dump(existing))
    elif version is not None:
        raise ApiError(409, "stale", message="该月尚无月报（可能已被删除），请重新读取")
    report = call_service(
        lambda: scheduling.save_report(
            key_project, year, month, values["invested"], values["progress"], current_user,
            "" if existing is None else existing.version,
        ),
        {"invested_wan": "invested"},
    )  # fmt: skip
    return report
