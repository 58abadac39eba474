"""Aftercare: problems (问题交办) — list, get, raise, and the actions hand over (交办),
escalate, start and resolve — and commitments (承诺事项) — list, get, record, fulfil."""

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
from app.care import access, queries, services
from app.care.models import LEVELS, PROBLEM_CATEGORIES, STATUSES, Commitment, Problem
from app.core.dates import today
from app.core.permissions import IsBureau, ReadsBusinessData, WritesBusinessData, requires
from app.core.scoping import scoped_select
from app.keyprojects.models import KeyProject
from app.projects.models import Project

problems_blp = resource_blueprint(
    "problems", "/problems", "问题交办：列表、查看、登记，交办、上报、开始办理、办结"
)
commitments_blp = resource_blueprint(
    "commitments", "/commitments", "承诺事项：列表、查看、登记、标记兑现"
)


def _version() -> ma.fields.Integer:
    """The version the client read (or an If-Match header)."""
    return ma.fields.Integer(
        strict=True, metadata={"description": "读取时的 version（或 If-Match）"}
    )


MAX_TEXT = services.MAX_TEXT


class ProblemSchema(ma.Schema):
    """A problem as the API shows it: its subject is a 招商 project or a key project."""

    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(allow_none=True)
    key_project_id = ma.fields.Integer(allow_none=True)
    subject_name = ma.fields.Function(lambda p: p.subject_label)
    category = ma.fields.String(required=True, metadata={"enum": list(PROBLEM_CATEGORIES)})
    description = ma.fields.String(required=True)
    raised_on = ma.fields.Date(required=True)
    raised_by_id = ma.fields.Integer(allow_none=True)
    handling_unit_id = ma.fields.Integer(allow_none=True)
    deadline = ma.fields.Date(allow_none=True)
    level = ma.fields.Integer(
        required=True, metadata={"description": "0 责任单位 1 包保领导 2 主要领导"}
    )
    level_label = ma.fields.String()
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    status_label = ma.fields.String()
    overdue = ma.fields.Function(lambda p: p.is_overdue(today()))
    resolution = ma.fields.String(allow_none=True)
    resolved_on = ma.fields.Date(allow_none=True)
    version = ma.fields.Integer(required=True)


class ProblemListArgs(PageArgsSchema):
    """The problem list's filters (app/care/queries.py ProblemFilters)."""

    state = ma.fields.String(validate=ma.validate.OneOf(list(queries.ProblemFilters.STATES)))
    handling_unit_id = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=10**18),
        metadata={"description": "承办单位编号；0：尚未交办"},
    )
    unit_id = Id(strict=False, metadata={"description": "项目所属单位"})
    level = ma.fields.Integer(validate=ma.validate.Range(min=0, max=len(LEVELS) - 1))
    category = ma.fields.String(validate=ma.validate.OneOf(PROBLEM_CATEGORIES))
    key = ma.fields.String(
        validate=ma.validate.OneOf(["1"]), metadata={"description": "1：只看重点项目推进问题"}
    )
    raised_from = Day()
    raised_to = Day()


class ProblemInSchema(StrictSchema):
    """A new problem on a 招商 project or a key project (exactly one of the two ids)."""

    project_id = Id()
    key_project_id = Id()
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(PROBLEM_CATEGORIES))
    description = Text(MAX_TEXT, multiline=True, required=True)
    raised_on = Day(required=True)
    handling_unit_id = Id(metadata={"description": "投资促进局可同时交办"})
    deadline = Day()

    @ma.validates_schema
    def _one_subject(self, data, **kwargs):
        if ("project_id" in data) == ("key_project_id" in data):
            raise ma.ValidationError("须且只能填写 project_id 或 key_project_id 之一", "project_id")


class AssignSchema(StrictSchema):
    """Hand the problem to a unit with a deadline."""

    handling_unit_id = Id(required=True)
    deadline = Day(required=True)
    version = _version()


class EscalateSchema(StrictSchema):
    """Move the problem one level up, with the reason."""

    reason = Text(MAX_TEXT, multiline=True, required=True)
    version = _version()


class ProblemStartSchema(StrictSchema):
    """Start working the problem."""

    version = _version()


class ResolveSchema(StrictSchema):
    """Close the problem with what was done and when."""

    resolution = Text(MAX_TEXT, multiline=True, required=True)
    resolved_on = Day(required=True)
    version = _version()


PROBLEM = ProblemSchema()


def _subject(values: dict) -> Project | KeyProject:
    """The problem's subject within the caller's scope (404), which they may record on (403)."""
    if values.get("key_project_id") is not None:
        subject = load(KeyProject, values["key_project_id"])
    else:
        subject = load(Project, values["project_id"])
    if not access.can_record(current_user, subject):
        raise ApiError(403, message="只有投资促进局和项目所属责任单位可以登记问题")
    return subject


def _current_problem(problem_id: int, values: dict) -> Problem:
    """The problem, checked against the version the client read (409 if stale)."""
    problem = load(Problem, problem_id)
    expect_version(problem, read_version(values), PROBLEM.dump(problem))
    return problem


def _workable(problem_id: int, values: dict) -> Problem:
    """A problem the caller may start or resolve: the bureau, or its handling unit."""
    problem = _current_problem(problem_id, values)
    if not problem.is_resolved and not access.can_work(current_user, problem):
        raise ApiError(403, message="只有承办单位和投资促进局可以办理该问题")
    return problem


@problems_blp.route("")
@requires(ReadsBusinessData)
@problems_blp.arguments(ProblemListArgs, location="query")
@problems_blp.response(200, page_schema(ProblemSchema, "ProblemPage"))
def list_problems(args):
    """The problems the caller may see, open ones first by deadline, filtered like the list."""
    filters = queries.ProblemFilters.from_args(request.args)
    return paged(queries.problem_statement(current_user, filters), args)


@problems_blp.route("", methods=["POST"])
@requires(WritesBusinessData)
@idempotent
@problems_blp.arguments(ProblemInSchema)
@problems_blp.response(201, ProblemSchema)
def create_problem(values):
    """Record a request or an obstacle (the bureau may hand it over at once)."""
    subject = _subject(values)
    problem = call_service(
        lambda: services.raise_problem(
            subject,
            values["category"],
            values["description"],
            values["raised_on"],
            current_user,
            handling_unit_id=values.get("handling_unit_id"),
            deadline=values.get("deadline"),
        )
    )
    return problem


@problems_blp.route("/<int:problem_id>")
@requires(ReadsBusinessData)
@problems_blp.response(200, ProblemSchema)
def get_problem(problem_id):
    """One problem (outside the caller's scope: 404)."""
    return load(Problem, problem_id)


@problems_blp.route("/<int:problem_id>/assign", methods=["POST"])
@requires(IsBureau)
@problems_blp.arguments(AssignSchema)
@problems_blp.response(200, ProblemSchema)
def assign_problem(values, problem_id):
    """Hand the problem to a unit with a deadline (交办), or to another unit."""
    problem = _current_problem(problem_id, values)
    call_service(
        lambda: services.assign_problem(
            problem, values["handling_unit_id"], values["deadline"], current_user, problem.version
        )
    )
    return problem


@problems_blp.route("/<int:problem_id>/escalate", methods=["POST"])
@requires(IsBureau)
@problems_blp.arguments(EscalateSchema)
@problems_blp.response(200, ProblemSchema)
def escalate_problem(values, problem_id):
    """Move the problem one level up (责任单位 → 包保领导 → 主要领导), with the reason."""
    problem = _current_problem(problem_id, values)
    call_service(
        lambda: services.escalate_problem(problem, values["reason"], current_user, problem.version)
    )
    return problem


@problems_blp.route("/<int:problem_id>/start", methods=["POST"])
@requires(WritesBusinessData)
@problems_blp.arguments(ProblemStartSchema)
@problems_blp.response(200, ProblemSchema)
def start_problem(values, problem_id):
    """The handling unit takes the problem up: 待办 → 办理中."""
    problem = _workable(problem_id, values)
    call_service(lambda: services.start_problem(problem, current_user, problem.version))
    return problem


@problems_blp.route("/<int:problem_id>/resolve", methods=["POST"])
@requires(WritesBusinessData)
@problems_blp.arguments(ResolveSchema)
@problems_blp.response(200, ProblemSchema)
def resolve_problem(values, problem_id):
    """Close the problem (已办结) with its resolution and the day."""
    problem = _workable(problem_id, values)
    call_service(
        lambda: services.resolve_problem(
            problem, values["resolution"], values["resolved_on"], current_user, problem.version
        )
    )
    return problem


# ---------------------------------------------------------------- commitments


class CommitmentSchema(ma.Schema):
    """A commitment as the API shows it."""

    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    promise = ma.fields.String(required=True)
    delivering_unit_id = ma.fields.Integer(required=True)
    due_on = ma.fields.Date(required=True)
    fulfilled_on = ma.fields.Date(allow_none=True)
    overdue = ma.fields.Function(lambda c: c.is_overdue(today()))
    evidence_note = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(required=True)


class CommitmentListArgs(PageArgsSchema):
    """The filters: a project, and open / overdue / fulfilled."""

    project_id = Id(strict=False)
    state = ma.fields.String(validate=ma.validate.OneOf(["open", "overdue", "fulfilled"]))


class CommitmentInSchema(StrictSchema):
    """A promise the contract made to a signed project's investor."""

    project_id = Id(required=True)
    promise = Text(MAX_TEXT, multiline=True, required=True)
    delivering_unit_id = Id(required=True)
    due_on = Day(required=True)
    evidence_note = Text(MAX_TEXT, multiline=True, allow_none=True)


class FulfilSchema(StrictSchema):
    """Mark the commitment kept, on a day, with its evidence."""

    fulfilled_on = Day(required=True)
    evidence_note = Text(MAX_TEXT, multiline=True, allow_none=True)
    version = _version()


COMMITMENT = CommitmentSchema()


def _commitment_statement(args: dict):
    stmt = (
        scoped_select(Commitment, current_user)
        .join(Project, Project.id == Commitment.project_id)
        .where(Project.deleted_at.is_(None))
    )
    if "project_id" in args:
        stmt = stmt.where(Commitment.project_id == args["project_id"])
    state = args.get("state")
    if state == "fulfilled":
        stmt = stmt.where(Commitment.fulfilled_on.is_not(None))
    elif state in ("open", "overdue"):
        stmt = stmt.where(Commitment.fulfilled_on.is_(None))
        if state == "overdue":
            stmt = stmt.where(Commitment.due_on < today())
    return stmt.order_by(Commitment.fulfilled_on.is_not(None), Commitment.due_on, Commitment.id)


@commitments_blp.route("")
@requires(ReadsBusinessData)
@commitments_blp.arguments(CommitmentListArgs, location="query")
@commitments_blp.response(200, page_schema(CommitmentSchema, "CommitmentPage"))
def list_commitments(args):
    """The commitments the caller may see, open ones first by due date."""
    return paged(_commitment_statement(args), args)


@commitments_blp.route("", methods=["POST"])
@requires(WritesBusinessData)
@idempotent
@commitments_blp.arguments(CommitmentInSchema)
@commitments_blp.response(201, CommitmentSchema)
def create_commitment(values):
    """Record a commitment on a signed project (the bureau or the project's unit)."""
    project = load(Project, values["project_id"])
    if not access.can_record(current_user, project):
        raise ApiError(403, message="只有投资促进局和项目所属责任单位可以登记承诺事项")
    commitment = call_service(
        lambda: services.add_commitment(
            project,
            values["promise"],
            values["delivering_unit_id"],
            values["due_on"],
            values.get("evidence_note"),
            current_user,
        )
    )
    return commitment


@commitments_blp.route("/<int:commitment_id>")
@requires(ReadsBusinessData)
@commitments_blp.response(200, CommitmentSchema)
def get_commitment(commitment_id):
    """One commitment (outside the caller's scope: 404)."""
    return load(Commitment, commitment_id)


@commitments_blp.route("/<int:commitment_id>/fulfil", methods=["POST"])
@requires(WritesBusinessData)
@commitments_blp.arguments(FulfilSchema)
@commitments_blp.response(200, CommitmentSchema)
def fulfil_commitment(values, commitment_id):
    """Mark a commitment kept (兑现); needs the version read (409 if stale)."""
    commitment = load(Commitment, commitment_id)
    if not access.can_record(current_user, commitment.project):
        raise ApiError(403, message="只有投资促进局和项目所属责任单位可以标记兑现")
    expect_version(commitment, read_version(values), COMMITMENT.dump(commitment))
    call_service(
        lambda: services.fulfil_commitment(
            commitment,
            values["fulfilled_on"],
            values.get("evidence_note"),
            current_user,
            commitment.version,
        )
    )
    return commitment
