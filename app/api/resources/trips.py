"""Trips (外出招商): list (the screen's filters), get, record, change, delete with a reason,
and the projects a trip produced (促成) or advanced (推进)."""

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
from app.core.permissions import ReadsBusinessData, has_role, requires
from app.projects.models import Project
from app.trips import access, queries, services
from app.trips.models import PROVINCES, RELATIONS, STATUSES, Trip

blp = resource_blueprint(
    "trips", "/trips", "外出招商：列表、查看、登记、修改、删除，以及促成或推进的项目"
)

LogsTrips = has_role(*access.LOGGERS)


class TripSchema(ma.Schema):
    """A trip as the API shows it."""

    id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    started_on = ma.fields.Date(required=True)
    ended_on = ma.fields.Date(required=True)
    days = ma.fields.Integer()
    province = ma.fields.String(required=True)
    city = ma.fields.String()
    leader_ids = ma.fields.Function(lambda t: [link.leader_id for link in t.leader_links])
    enterprises = ma.fields.String(allow_none=True)
    report = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(required=True)


class TripListArgs(PageArgsSchema):
    """The trip list's filters: year (and month) started, a leader, province, status, search."""

    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    month = ma.fields.Integer(validate=ma.validate.Range(min=1, max=12))
    leader_id = Id(strict=False)
    province = ma.fields.String(validate=ma.validate.OneOf(PROVINCES))
    status = ma.fields.String(validate=ma.validate.OneOf(list(STATUSES)))
    q = Text(100)


class TripInSchema(StrictSchema):
    """A trip's fields as a client sends them."""

    leader_ids = ma.fields.List(Id(), required=True, validate=ma.validate.Length(max=50))
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(STATUSES)))
    started_on = Day(required=True)
    ended_on = Day(required=True)
    province = ma.fields.String(required=True, validate=ma.validate.OneOf(PROVINCES))
    city = Text(30, required=True)
    enterprises = Text(2000, multiline=True, allow_none=True)
    report = Text(2000, multiline=True, allow_none=True)


class TripPatchSchema(TripInSchema):
    """The fields to change (any subset) and the version read (or an If-Match header)."""

    version = ma.fields.Integer(strict=True, metadata={"description": "读取时的 version"})


class DeleteArgs(StrictSchema):
    """Why the trip is deleted (kept in the history)."""

    reason = Text(500, required=True, validate=ma.validate.Length(min=1, max=500))


class TripProjectSchema(ma.Schema):
    """A project the trip produced (促成) or advanced (推进)."""

    project_id = ma.fields.Integer(required=True)
    name = ma.fields.String()
    relation = ma.fields.String(required=True, metadata={"enum": list(RELATIONS)})
    note = ma.fields.String(allow_none=True)


class LinkSchema(StrictSchema):
    """Link an existing project to the trip."""

    project_id = Id(required=True)
    relation = ma.fields.String(required=True, validate=ma.validate.OneOf(list(RELATIONS)))
    note = Text(200, allow_none=True)


TRIP = TripSchema()
FIELDS = ("leader_ids", "status", "started_on", "ended_on", "province", "city",
          "enterprises", "report")  # fmt: skip


def _data(values: dict, base: Trip | None = None) -> services.TripData:
    """TripData from the sent fields, over the trip's current ones for an update."""
    current = {name: getattr(base, name, None) for name in FIELDS if name != "leader_ids"}
    current["leader_ids"] = [link.leader_id for link in base.leader_links] if base else []
    current.update({k: v for k, v in values.items() if k in FIELDS})
    return services.TripData(
        leader_ids=list(current["leader_ids"] or []),
        status=current["status"] or "",
        started_on=current["started_on"],
        ended_on=current["ended_on"],
        province=current["province"] or "",
        city=current["city"] or "",
        enterprises=current["enterprises"],
        report=current["report"],
    )


def _editable(trip_id: int) -> Trip:
    """A trip the caller may change: another unit's is 404, one not theirs to edit 403."""
    trip = load(Trip, trip_id)
    if not access.can_edit(current_user, trip):
        raise ApiError(403, message="您不能修改这次外出")
    return trip


def _projects(trip: Trip) -> list[dict]:
    produced = [
        {"project_id": p.id, "name": p.name, "relation": "produced", "note": None}
        for p in queries.produced_projects(trip, current_user)
    ]
    advanced = [
        {"project_id": link.project_id, "name": link.project.name, "relation": "advanced",
         "note": link.note}
        for link in queries.advanced_links(trip, current_user)
    ]  # fmt: skip
    return produced + advanced


@blp.route("")
@requires(ReadsBusinessData)
@blp.arguments(TripListArgs, location="query")
@blp.response(200, page_schema(TripSchema, "TripPage"))
def list_trips(args):
    """The trips the caller may see, newest first, filtered like the trip list."""
    filters = queries.TripFilters.from_args(request.args)
    return paged(queries.trip_statement(current_user, filters), args)


@blp.route("", methods=["POST"])
@requires(LogsTrips)
@idempotent
@blp.arguments(TripInSchema)
@blp.response(201, TripSchema)
def create_trip(values):
    """Record a trip (a unit: its own leaders'; a leader: their own); honours Idempotency-Key."""
    trip = call_service(lambda: services.create_trip(_data(values), current_user))
    return trip


@blp.route("/<int:trip_id>")
@requires(ReadsBusinessData)
@blp.response(200, TripSchema)
def get_trip(trip_id):
    """One trip (outside the caller's scope: 404)."""
    return load(Trip, trip_id)


@blp.route("/<int:trip_id>", methods=["PATCH"])
@requires(LogsTrips)
@blp.arguments(TripPatchSchema(partial=True))
@blp.response(200, TripSchema)
def update_trip(values, trip_id):
    """Change a trip; needs the version read (409 if stale)."""
    trip = _editable(trip_id)
    version = read_version(values)
    expect_version(trip, version, TRIP.dump(trip))
    call_service(lambda: services.update_trip(trip, _data(values, trip), current_user, version))
    return trip


@blp.route("/<int:trip_id>", methods=["DELETE"])
@requires(LogsTrips)
@blp.arguments(DeleteArgs, location="query")
@blp.response(204)
def delete_trip(args, trip_id):
    """Remove a trip recorded by mistake, with the reason (kept, marked deleted)."""
    trip = _editable(trip_id)
    call_service(lambda: services.delete_trip(trip, current_user, args["reason"]))
    return ""


@blp.route("/<int:trip_id>/projects")
@requires(ReadsBusinessData)
@blp.response(200, TripProjectSchema(many=True))
def list_trip_projects(trip_id):
    """The projects the trip produced or advanced that the caller may see."""
    return _projects(load(Trip, trip_id))


@blp.route("/<int:trip_id>/projects", methods=["POST"])
@requires(LogsTrips)
@blp.arguments(LinkSchema)
@blp.response(200, TripProjectSchema(many=True))
def link_project(values, trip_id):
    """Record that the trip produced (促成) or advanced (推进) an existing project."""
    trip = _editable(trip_id)
    project = load(Project, values["project_id"])
    call_service(
        lambda: services.link_project(
            trip, project, values["relation"], values.get("note") or "", current_user
        )
    )
    return _projects(trip)


@blp.route("/<int:trip_id>/projects/<int:project_id>", methods=["DELETE"])
@requires(LogsTrips)
@blp.response(200, TripProjectSchema(many=True))
def unlink_project(trip_id, project_id):
    """Take a project off the trip (the history keeps the link that was)."""
    trip = _editable(trip_id)
    project = load(Project, project_id)
    call_service(lambda: services.unlink_project(trip, project, current_user))
    return _projects(trip)
