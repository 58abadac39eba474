"""The funds ledger as a list: its filter, sorts and export link (app/core/lists.py).

The export is the registry's `funds-ledger` (app/imports/exports.py): the ledger streamed as
plain rows with its title, period line and 合计 row, in the order this list gives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from app.core import lists
from app.funds import queries
from app.funds.exports import LEDGER_COLUMNS
from app.funds.models import FundsEntry
from app.projects.models import Project
from app.units.models import Unit

NAME = "funds-ledger"  # the registry's ledger export, which this list's bar links to


def filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The ledger's filter as kept in the URL."""
    return queries.LedgerFilters.from_args(args).to_args()


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    f = queries.LedgerFilters.from_args(args)
    statement = queries.ledger_statement(actor, f)
    return statement.join(Unit, Unit.id == Project.unit_id)


def _unused_row(entry: FundsEntry) -> list[Any]:
    raise NotImplementedError("the ledger is exported by app/funds/exports.py ledger_sheet")


LEDGER = lists.ListSpec(
    name=NAME,
    title="到位资金台账",
    endpoint="funds.index",
    statement=_statement,
    columns=LEDGER_COLUMNS,
    row=_unused_row,
    sorts={
        "date": FundsEntry.received_on,
        "amount": FundsEntry.amount,
        "status": FundsEntry.status,
        "project": Project.name,
        "unit": Unit.name,
        "origin": FundsEntry.origin,
        "ref": FundsEntry.evidence_ref,
    },
    default_sort="-date",
    tiebreak=(FundsEntry.id.desc(),),
    filter_args=filters,
    # A page by its keys first: sorted whole, a unit's 5,000 entries were each joined to their
    # project, unit, leader and event before 50 were kept (60 ms at 200,000 entries).
    key=FundsEntry.id,
)


def ordered(statement: Select, args: Mapping[str, Any]) -> Select:
    """A ledger statement (joining FundsEntry, Project and Unit) in the order the list shows."""
    return LEDGER.ordered(statement, LEDGER.sort_of(args.get("sort")))
