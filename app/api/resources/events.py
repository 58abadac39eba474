"""Promotion events (招商活动): list (the screen's filters), get, create, update."""

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
from app.core.permissions import ReadsBusinessData, WritesBusinessData, requires
from app.events import queries, services
from app.events.models import EVENT_KINDS, PromotionEvent

blp = resource_blueprint("events", "/events", "招商活动：列表、查看、登记、修改")


class EventSchema(ma.Schema):
    """An event as the API shows it."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(EVENT_KINDS)})
    city = ma.fields.String(required=True)
    held_on = ma.fields.Date(required=True)
    host_unit_id = ma.fields.Integer(allow_none=True, metadata={"description": "空：区投资促进局"})
    notes = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(required=True)


class EventListArgs(PageArgsSchema):
    """The event list's filters: the year held, the kind, a search in name and city."""

    year = ma.fields.Integer(validate=ma.validate.Range(min=1000, max=9999))
    kind = ma.fields.String(validate=ma.validate.OneOf(EVENT_KINDS))
    q = Text(50)


class EventInSchema(StrictSchema):
    """An event's fields as a client sends them (a unit records the events it hosts)."""

    name = Text(200, required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(EVENT_KINDS))
    city = Text(30, required=True)
    held_on = Day(required=True)
    host_unit_id = Id(allow_none=True)
    notes = Text(2000, multiline=True, allow_none=True)


class EventPatchSchema(EventInSchema):
    """The fields to change (any subset) and the version read (or an If-Match header)."""

    version = ma.fields.Integer(strict=True, metadata={"description": "读取时的 version"})


EVENT = EventSchema()
FIELDS = ("name", "kind", "city", "held_on", "host_unit_id", "notes")


def _data(values: dict, base: PromotionEvent | None = None) -> services.EventData:
    """EventData from the sent fields, over the event's current ones for an update."""
    current = {name: getattr(base, name, None) for name in FIELDS}
    current.update({k: v for k, v in values.items() if k in FIELDS})
    return services.EventData(
        name=current["name"] or "",
        kind=current["kind"] or "",
        city=current["city"] or "",
        held_on=current["held_on"],
        host_unit_id=current["host_unit_id"],
        notes=current["notes"],
    )


@blp.route("")
@requires(ReadsBusinessData)
@blp.arguments(EventListArgs, location="query")
@blp.response(200, page_schema(EventSchema, "EventPage"))
def list_events(args):
    """Every event (the district's register), newest first, filtered like the event list."""
    filters = queries.EventFilters.from_args(request.args)
    return paged(queries.event_statement(filters), args)


@blp.route("", methods=["POST"])
@requires(WritesBusinessData)
@idempotent
@blp.arguments(EventInSchema)
@blp.response(201, EventSchema)
def create_event(values):
    """Record an event (a unit: one it hosts); honours Idempotency-Key."""
    event = call_service(lambda: services.create_event(_data(values), current_user))
    return event


@blp.route("/<int:event_id>")
@requires(ReadsBusinessData)
@blp.response(200, EventSchema)
def get_event(event_id):
    """One event."""
    return load(PromotionEvent, event_id)


@blp.route("/<int:event_id>", methods=["PATCH"])
@requires(WritesBusinessData)
@blp.arguments(EventPatchSchema(partial=True))
@blp.response(200, EventSchema)
def update_event(values, event_id):
    """Change an event (the bureau: any; a unit: those it hosts); needs the version read."""
    event = load(PromotionEvent, event_id)
    if not services.can_edit(current_user, event):
        raise ApiError(403, message="只能修改本单位承办的活动")
    version = read_version(values)
    expect_version(event, version, EVENT.dump(event))
    call_service(lambda: services.update_event(event, _data(values, event), current_user, version))
    return event
