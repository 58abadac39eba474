"""Funds entries (到位资金): the ledger, entering, changing, verifying and returning."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import func, select

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
    paged,
    read_version,
    resource_blueprint,
)
from app.api.errors import ApiError
from app.api.idempotency import idempotent
from app.core.money import yuan_to_wan
from app.core.permissions import IsBureau, ReadsBusinessData, WritesBusinessData, requires
from app.extensions import db
from app.funds import access, queries, services
from app.funds.models import ORIGINS, STATUSES, USES, FundsEntry
from app.projects.models import INDUSTRIES, Project

blp = resource_blueprint("funds", "/funds", "到位资金：台账、录入、修改、核实、退回")

FIELD_NAMES = {"amount_wan": "amount"}


class FundsEntrySchema(ma.Schema):
    """A funds entry as the API shows it (amount in 万元)."""

    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    project_name = ma.fields.Function(lambda e: e.project.name)
    unit_id = ma.fields.Function(lambda e: e.project.unit_id)
    received_on = ma.fields.Date(required=True)
    amount = Wan(required=True)
    origin = ma.fields.String()
    use = ma.fields.String()
    evidence_ref = ma.fields.String()
    notes = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    status_label = ma.fields.String()
    verified_at = ma.fields.DateTime(allow_none=True)
    verification_note = ma.fields.String(allow_none=True)
    reverses_id = ma.fields.Integer(allow_none=True)
    replaces_id = ma.fields.Integer(allow_none=True)
    version = ma.fields.Integer(required=True)


class FundsPageSchema(ma.Schema):
    """A page of the ledger, with the amount of every entry the filters match."""

    items = ma.fields.List(ma.fields.Nested(FundsEntrySchema), required=True)
    total = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    amount_total = ma.fields.String(
        required=True, metadata={"description": "全部符合条件记录的金额合计（万元）"}
    )


class FundsListArgs(PageArgsSchema):
    """The ledger's filters (as the 到位资金台账 screen's)."""

    year = ma.fields.Integer(validate=ma.validate.Range(min=1990, max=2100))
    month_from = ma.fields.Integer(validate=ma.validate.Range(min=1, max=12))
    month_to = ma.fields.Integer(validate=ma.validate.Range(min=1, max=12))
    unit_id = Id(strict=False)
    project_id = Id(strict=False)
    origin = ma.fields.String(validate=ma.validate.OneOf(ORIGINS))
    use = ma.fields.String(validate=ma.validate.OneOf(USES))
    industry = ma.fields.String(validate=ma.validate.OneOf(INDUSTRIES))
    province = Text(20)
    status = ma.fields.String(validate=ma.validate.OneOf(list(STATUSES)))
    q = Text(100)
    big = ma.fields.String(validate=ma.validate.OneOf(["0", "1"]))


class FundsInSchema(StrictSchema):
    """A new funds entry."""

    project_id = Id(required=True)
    received_on = Day(required=True)
    amount = Wan(required=True)
    origin = ma.fields.String(required=True, validate=ma.validate.OneOf(ORIGINS))
    use = ma.fields.String(load_default=USES[0], validate=ma.validate.OneOf(USES))
    evidence_ref = Text(100, required=True)
    notes = Text(2000, multiline=True, allow_none=True)


class FundsPatchSchema(StrictSchema):
    """The fields of a pending entry to change, and the version read (or If-Match)."""

    received_on = Day()
    amount = Wan()
    origin = ma.fields.String(validate=ma.validate.OneOf(ORIGINS))
    use = ma.fields.String(validate=ma.validate.OneOf(USES))
    evidence_ref = Text(100)
    notes = Text(2000, multiline=True, allow_none=True)
    version = ma.fields.Integer(strict=True)


class VerdictSchema(StrictSchema):
    """The bureau's verification or return: a note (required to return)."""

    note = Text(500, allow_none=True)
    version = ma.fields.Integer(strict=True, metadata={"description": "可选：读取时的 version"})


def _filter_args(args: dict) -> dict[str, str]:
    """The API's filter names as the ledger's query string names them."""
    names = {"month_from": "from", "month_to": "to"}
    return {names.get(k, k): str(v) for k, v in args.items() if k not in ("page", "per_page")}


def _data(values: dict, entry: FundsEntry | None = None) -> services.EntryData:
    def value(name: str, current=None):
        return values.get(name, current)

    return services.EntryData(
        received_on=value("received_on", entry.received_on if entry else None),
        amount_wan=value("amount", entry.amount_wan if entry else None),
        origin=value("origin", entry.origin if entry else ""),
        use=value("use", entry.use if entry else USES[0]),
        evidence_ref=value("evidence_ref", entry.evidence_ref if entry else ""),
        notes=value("notes", entry.notes if entry else None),
    )


def _entry_json(entry: FundsEntry) -> dict:
    return FundsEntrySchema().dump(entry)


@blp.route("")
@requires(ReadsBusinessData)
@blp.arguments(FundsListArgs, location="query")
@blp.response(200, FundsPageSchema)
def list_funds(args):
    """The ledger the caller may see, filtered like the 到位资金台账 screen."""
    filters = queries.LedgerFilters.from_args(_filter_args(args))
    stmt = queries.ledger_statement(current_user, filters)
    amount = db.session.execute(
        select(func.coalesce(func.sum(stmt.subquery().c.amount), 0))
    ).scalar_one()
    return {**paged(stmt, args), "amount_total": f"{yuan_to_wan(amount):.2f}"}


@blp.route("/<int:entry_id>")
@requires(ReadsBusinessData)
@blp.response(200, FundsEntrySchema)
def get_funds_entry(entry_id):
    """One funds entry (another unit's: 404)."""
    return load(FundsEntry, entry_id)


@blp.route("", methods=["POST"])
@requires(WritesBusinessData)
@idempotent
@blp.arguments(FundsInSchema)
@blp.response(201, FundsEntrySchema)
def create_funds_entry(values):
    """Enter funds received by a project; it waits for the bureau's verification."""
    project = load(Project, values["project_id"])
    if not access.can_enter(current_user, project):
        raise ApiError(403, message="只能为本单位的项目录入到位资金")
    return call_service(
        lambda: services.create_entry(project, _data(values), current_user), FIELD_NAMES
    )


@blp.route("/<int:entry_id>", methods=["PATCH"])
@requires(WritesBusinessData)
@blp.arguments(FundsPatchSchema)
@blp.response(200, FundsEntrySchema)
def update_funds_entry(values, entry_id):
    """Change an entry still waiting for verification; needs the version read (409 if stale)."""
    entry = load(FundsEntry, entry_id)
    if not access.can_edit(current_user, entry):
        raise ApiError(403, message="只有待核实的记录、由项目所属单位或投资促进局可以修改")
    expect_version(entry, read_version(values), _entry_json(entry))
    call_service(
        lambda: services.update_entry(entry, _data(values, entry), current_user, entry.version),
        FIELD_NAMES,
    )
    return entry


def _verdict(entry_id: int, values: dict, service) -> FundsEntry:
    entry = load(FundsEntry, entry_id)
    if "version" in values:
        expect_version(entry, values["version"], _entry_json(entry))
    call_service(lambda: service(entry, current_user, values.get("note")))
    return entry


@blp.route("/<int:entry_id>/verify", methods=["POST"])
@requires(IsBureau)
@blp.arguments(VerdictSchema)
@blp.response(200, FundsEntrySchema)
def verify_funds_entry(values, entry_id):
    """The bureau verifies an entry: it counts in the figures from now on."""
    return _verdict(entry_id, values, services.verify_entry)


@blp.route("/<int:entry_id>/reject", methods=["POST"])
@requires(IsBureau)
@blp.arguments(VerdictSchema)
@blp.response(200, FundsEntrySchema)
def reject_funds_entry(values, entry_id):
    """The bureau returns an entry, saying why (note required)."""
    return _verdict(entry_id, values, services.reject_entry)
