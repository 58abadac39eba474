"""Projects: list (the screen's filters), get, create, update, milestones, follow-ups."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_login import current_user

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
from app.core.permissions import ReadsBusinessData, WritesBusinessData, requires
from app.core.scoping import scoped_select
from app.projects import access, contacts, queries, services
from app.projects.models import FOLLOW_UP_KINDS, INDUSTRIES, SOURCES, FollowUp, Project
from app.projects.queries import SORTS
from app.projects.stages import BY_KEY, MANUAL_STAGES, STAGES

blp = resource_blueprint(
    "projects", "/projects", "招商项目：列表、查看、登记、修改、推进里程碑、跟进记录"
)

# The services' field names as the API names them.
FIELD_NAMES = {"planned_wan": "planned_investment", "contract_wan": "contract_investment"}
STAGE_KEYS = [s.key for s in STAGES]


class ProjectSchema(ma.Schema):
    """A project as the API shows it (amounts in 万元 as strings)."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    investor_name = ma.fields.String(required=True)
    uscc = ma.fields.String(allow_none=True)
    origin_province = ma.fields.String()
    origin_city = ma.fields.String()
    foreign_funded = ma.fields.Boolean()
    industry = ma.fields.String()
    chain_tag = ma.fields.String(allow_none=True)
    planned_investment = Wan()
    contract_investment = Wan(allow_none=True)
    unit_id = ma.fields.Integer()
    unit_name = ma.fields.Function(lambda p: p.unit.name if p.unit else None)
    leader_id = ma.fields.Integer(allow_none=True)
    source = ma.fields.String()
    event_id = ma.fields.Integer(allow_none=True)
    trip_id = ma.fields.Integer(allow_none=True)
    notes = ma.fields.String(allow_none=True)
    stage = ma.fields.Function(lambda p: p.stage.key, metadata={"enum": STAGE_KEYS})
    stage_label = ma.fields.Function(lambda p: p.stage.label)
    stage_since = ma.fields.Date()
    lead_on = ma.fields.Date()
    negotiating_on = ma.fields.Date(allow_none=True)
    signed_on = ma.fields.Date(allow_none=True)
    registered_on = ma.fields.Date(allow_none=True)
    funded_on = ma.fields.Date(allow_none=True)
    started_on = ma.fields.Date(allow_none=True)
    operating_on = ma.fields.Date(allow_none=True)
    dropped_on = ma.fields.Date(allow_none=True)
    drop_reason = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(required=True)


PROJECT = ProjectSchema()


def project_json(project: Project) -> dict:
    """A project as the API answers it."""
    return PROJECT.dump(project)


class ProjectListArgs(PageArgsSchema):
    """The list's filters, the same as the project list screen's (app/projects/queries.py)."""

    q = Text(100)
    stage = ma.fields.String(validate=ma.validate.OneOf(STAGE_KEYS))
    unit_id = Id(strict=False)
    leader_id = Id(strict=False)
    industry = ma.fields.String(validate=ma.validate.OneOf(INDUSTRIES))
    source = ma.fields.String(validate=ma.validate.OneOf(SOURCES))
    event_id = Id(strict=False)
    province = Text(20)
    city = Text(30)
    signed_year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    milestone = ma.fields.String(validate=ma.validate.OneOf(STAGE_KEYS[1:]))
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    month_from = ma.fields.Integer(validate=ma.validate.Range(min=1, max=12))
    month_to = ma.fields.Integer(validate=ma.validate.Range(min=1, max=12))
    reached = ma.fields.String(validate=ma.validate.OneOf(STAGE_KEYS))
    below = ma.fields.String(validate=ma.validate.OneOf(STAGE_KEYS))
    as_of = Day()
    big = ma.fields.String(validate=ma.validate.OneOf(["0", "1"]))
    dropped = ma.fields.String(validate=ma.validate.OneOf(["only", "all"]))
    sort = ma.fields.String(validate=ma.validate.OneOf(sorted(SORTS) + [f"-{s}" for s in SORTS]))


class ProjectInSchema(StrictSchema):
    """A project's data as a client sends it (amounts in 万元)."""

    name = Text(200, required=True)
    investor_name = Text(200, required=True)
    unit_id = Id(required=True)
    source = ma.fields.String(required=True, validate=ma.validate.OneOf(SOURCES))
    industry = ma.fields.String(required=True, validate=ma.validate.OneOf(INDUSTRIES))
    uscc = Text(18, allow_none=True)
    origin_province = Text(20)
    origin_city = Text(30)
    foreign_funded = ma.fields.Boolean()
    chain_tag = Text(50, allow_none=True)
    planned_investment = Wan(allow_none=True)
    leader_id = Id(allow_none=True)
    event_id = Id(allow_none=True)
    trip_id = Id(allow_none=True)
    notes = Text(2000, multiline=True, allow_none=True)
    confirm_duplicate = ma.fields.Boolean(
        metadata={"description": "疑似重复时确认仍要保存（否则 422 并说明重复）"}
    )


class ProjectPatchSchema(ProjectInSchema):
    """The fields to change (any subset) and the version read (or an If-Match header)."""

    version = ma.fields.Integer(strict=True, metadata={"description": "读取时的 version"})


class MilestoneSchema(StrictSchema):
    """Move a project forward to a stage, with what that stage needs."""

    stage = ma.fields.String(
        required=True, validate=ma.validate.OneOf([s.key for s in MANUAL_STAGES])
    )
    on = Day(required=True)
    contract_investment = Wan(metadata={"description": "签约时必填（万元）"})
    uscc = Text(18, metadata={"description": "注册时必填"})
    reason = Text(500, metadata={"description": "日期在已月结月份时必填"})
    version = ma.fields.Integer(strict=True, metadata={"description": "可选：读取时的 version"})


class FollowUpSchema(ma.Schema):
    """A follow-up as the API shows it."""

    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    user_id = ma.fields.Integer()
    happened_on = ma.fields.Date()
    kind = ma.fields.String()
    summary = ma.fields.String()
    next_step = ma.fields.String(allow_none=True)
    next_due_on = ma.fields.Date(allow_none=True)


class FollowUpInSchema(StrictSchema):
    """A new follow-up."""

    happened_on = Day(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(FOLLOW_UP_KINDS))
    summary = Text(2000, multiline=True, required=True)
    next_step = Text(500, allow_none=True)
    next_due_on = Day(allow_none=True)


def _data(values: dict, base: Project | None = None) -> services.ProjectData:
    """ProjectData from the sent fields (over the project's current ones for an update)."""

    def value(name: str, current=None):
        return values.get(name, current)

    current = base or Project()
    return services.ProjectData(
        name=value("name", current.name) or "",
        investor_name=value("investor_name", current.investor_name) or "",
        unit_id=value("unit_id", current.unit_id),
        source=value("source", current.source) or "",
        industry=value("industry", current.industry) or "",
        uscc=value("uscc", current.uscc),
        origin_province=value("origin_province", current.origin_province) or "",
        origin_city=value("origin_city", current.origin_city) or "",
        foreign_funded=bool(value("foreign_funded", current.foreign_funded)),
        chain_tag=value("chain_tag", current.chain_tag),
        planned_wan=value("planned_investment", base.planned_wan if base else None),
        leader_id=value("leader_id", current.leader_id),
        event_id=value("event_id", current.event_id),
        trip_id=value("trip_id", current.trip_id),
        notes=value("notes", current.notes),
    )


def _editable(project_id: int) -> Project:
    """A project the caller may edit: another unit's is 404, one the role may not edit 403."""
    project = load(Project, project_id)
    if not access.can_edit(current_user, project):
        raise ApiError(403, message="只有投资促进局和项目所属单位可以修改该项目")
    return project


@blp.route("")
@requires(ReadsBusinessData)
@blp.arguments(ProjectListArgs, location="query")
@blp.response(200, page_schema(ProjectSchema, "ProjectPage"))
def list_projects(args):
    """The projects the caller may see, filtered like the project list screen."""
    filters = queries.ProjectFilters.from_args(request.args)
    return paged(queries.project_statement(current_user, filters), args)


@blp.route("", methods=["POST"])
@requires(WritesBusinessData)
@idempotent
@blp.arguments(ProjectInSchema)
@blp.response(201, ProjectSchema)
def create_project(values):
    """Record a new lead (as the screen's 登记项目); honours Idempotency-Key."""
    project = call_service(
        lambda: services.create_project(
            _data(values), current_user, confirm_duplicate=values.get("confirm_duplicate", False)
        ),
        FIELD_NAMES,
    )
    return project


@blp.route("/<int:project_id>")
@requires(ReadsBusinessData)
@blp.response(200, ProjectSchema)
def get_project(project_id):
    """One project (another unit's: 404)."""
    return load(Project, project_id)


@blp.route("/<int:project_id>", methods=["PATCH"])
@requires(WritesBusinessData)
@blp.arguments(ProjectPatchSchema(partial=True))
@blp.response(200, ProjectSchema)
def update_project(values, project_id):
    """Change a project's data (not its milestones); needs the version read (409 if stale)."""
    project = _editable(project_id)
    version = read_version(values)
    expect_version(project, version, project_json(project))
    call_service(
        lambda: services.update_project(
            project,
            _data(values, project),
            current_user,
            project.version,
            confirm_duplicate=values.get("confirm_duplicate", False),
        ),
        FIELD_NAMES,
    )
    return project


@blp.route("/<int:project_id>/milestones", methods=["POST"])
@requires(WritesBusinessData)
@idempotent
@blp.arguments(MilestoneSchema)
@blp.response(200, ProjectSchema)
def advance_project(values, project_id):
    """Move a project forward to a stage (as the screen's 推进); 资金到位 comes from funds."""
    project = _editable(project_id)
    if "version" in values:
        expect_version(project, values["version"], project_json(project))
    stage = BY_KEY[values["stage"]]
    call_service(
        lambda: services.advance(
            project,
            stage.key,
            values["on"],
            current_user,
            contract_wan=values.get("contract_investment"),
            code=values.get("uscc"),
            reason=values.get("reason"),
        ),
        FIELD_NAMES,
    )
    return project


@blp.route("/<int:project_id>/follow-ups")
@requires(ReadsBusinessData)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_schema(FollowUpSchema, "FollowUpPage"))
def list_follow_ups(args, project_id):
    """A project's follow-ups, newest first."""
    project = load(Project, project_id)
    stmt = (
        scoped_select(FollowUp, current_user)
        .where(FollowUp.project_id == project.id)
        .order_by(FollowUp.happened_on.desc(), FollowUp.id.desc())
    )
    return paged(stmt, args)


@blp.route("/<int:project_id>/follow-ups", methods=["POST"])
@requires(WritesBusinessData)
@idempotent
@blp.arguments(FollowUpInSchema)
@blp.response(201, FollowUpSchema)
def create_follow_up(values, project_id):
    """Record a follow-up on a project; honours Idempotency-Key."""
    project = _editable(project_id)
    data = contacts.FollowUpData(
        happened_on=values["happened_on"],
        kind=values["kind"],
        summary=values["summary"],
        next_step=values.get("next_step"),
        next_due_on=values.get("next_due_on"),
    )
    follow_up = call_service(lambda: contacts.add_follow_up(project, data, current_user))
    return follow_up
