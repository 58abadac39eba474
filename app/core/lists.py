"""One list component: a list is declared once (its filtered statement, its sortable columns,
its export columns) and gives the page, the visibly sortable headers, the row count, the print
button and an export of exactly the filtered rows, in the order shown.

A domain declares `ListSpec`s and registers them (`register`); its view calls `show(spec, ...)`
and renders the `_list.html` macros; the export registry (`app/imports/exports.py`) finds every
registered list by name, so `/exports/<name>?<the same filter>` writes the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request, url_for
from sqlalchemy import Select

from app.core import pagination
from app.core.pagination import Page, page_number, paginate
from app.core.permissions import Permission, ReadsBusinessData
from app.core.spreadsheets import Column, Sheet
from app.core.templating import url_with
from app.extensions import db

EXPORT_BATCH = 1000  # rows fetched at a time while an export streams


@dataclass(frozen=True)
class ListSpec:
    """A list: its statement from (actor, args), its sorts, and its export columns and rows.

    `statement(actor, args)` returns the filtered, scoped statement without ORDER BY; `sorts`
    maps a sort key (as in `?sort=key` or `?sort=-key`) to the SQL expression ordered by;
    `tiebreak` keeps pages and exports in one stable order; `columns` and `row(item)` are the
    export's columns and one item's cells; `filter_args(args)` is the filter as kept in the URL
    (and logged with the export); `label(args)` names the period in the file name."""

    name: str
    title: str
    endpoint: str  # the list page's endpoint (a test walks every list against its export)
    statement: Callable[[Any, Mapping[str, Any]], Select]
    columns: Sequence[Column]
    row: Callable[[Any], Sequence[Any]]
    sorts: Mapping[str, Any] = field(default_factory=dict)
    default_sort: str = ""
    tiebreak: Sequence[Any] = ()
    filter_args: Callable[[Mapping[str, Any]], dict[str, str]] = lambda args: {}
    label: Callable[[Mapping[str, Any]], str] = lambda args: ""
    permission: Permission = ReadsBusinessData
    scalars: bool = True
    key: Any = None  # the rows' primary key: a page is found by its keys first (paginate)
    export_title: Callable[[Mapping[str, Any]], str] | None = None  # a title row above the header
    paper: int = 9  # A4; 8 for A3

    def sort_of(self, raw: Any) -> str:
        """The sort asked for when it is one of this list's, else the default."""
        text = str(raw or "")
        return text if text.lstrip("-") in self.sorts else self.default_sort

    def ordered(self, statement: Select, sort: str) -> Select:
        """The statement in the order of `sort`, then the tiebreak; without a sort, in the
        statement's own order."""
        key = sort.lstrip("-")
        if key not in self.sorts:
            return statement.order_by(*self.tiebreak) if self.tiebreak else statement
        expressions = self.sorts[key]
        if not isinstance(expressions, list | tuple):
            expressions = (expressions,)
        order = [e.desc() if sort.startswith("-") else e.asc() for e in expressions]
        return statement.order_by(None).order_by(*order, *self.tiebreak)

    def sorted_statement(self, actor: Any, args: Mapping[str, Any]) -> Select:
        """The filtered statement in the order the list shows it."""
        return self.ordered(self.statement(actor, args), self.sort_of(args.get("sort")))


SPECS: dict[str, ListSpec] = {}


def register(spec: ListSpec) -> ListSpec:
    """Make the list's export reachable by name (`/exports/<name>`); return the spec."""
    SPECS[spec.name] = spec
    return spec


@dataclass
class Listing:
    """One list as shown on one request: its page, its sort, and its export link."""

    spec: ListSpec
    page: Page
    sort: str
    args: dict[str, str]

    @property
    def items(self) -> list[Any]:
        return self.page.items

    @property
    def total(self) -> int:
        return self.page.total

    def sort_link(self, key: str) -> tuple[str, str]:
        """(URL, state) of a header: state is 'asc', 'desc' or '' (not the sort now)."""
        state = "asc" if self.sort == key else "desc" if self.sort == f"-{key}" else ""
        following = f"-{key}" if state == "asc" else key
        return url_with(sort=following, page=None), state

    @property
    def export_url(self) -> str:
        """The export of exactly these rows (the same filter and sort, every page)."""
        return url_for("exports.download", name=self.spec.name, **self.args, sort=self.sort)


def show(
    spec: ListSpec,
    actor: Any,
    args: Mapping[str, Any] | None = None,
    per_page: int | None = None,
    total: int | None = None,
) -> Listing:
    """The page of the list the request asks for (`page`, `sort` and the filter in `args`);
    `total`, the filtered rows' count when the caller has it (paginate)."""
    args = request.args if args is None else args
    sort = spec.sort_of(args.get("sort"))
    statement = spec.ordered(spec.statement(actor, args), sort)
    page = paginate(
        statement,
        page_number(args.get("page")),
        per_page or current_app.config["PER_PAGE"],
        scalars=spec.scalars,
        key=spec.key,
        total=total,
    )
    return Listing(spec=spec, page=page, sort=sort, args=spec.filter_args(args))


def count(spec: ListSpec, actor: Any, args: Mapping[str, Any]) -> int:
    """How many rows the filtered list holds (what its export would write)."""
    return pagination.count(spec.statement(actor, args))


def rows(spec: ListSpec, actor: Any, args: Mapping[str, Any]) -> Iterator[Sequence[Any]]:
    """Every row of the filtered list in its shown order, as export cells, fetched in batches."""
    statement = spec.sorted_statement(actor, args).execution_options(yield_per=EXPORT_BATCH)
    result = db.session.execute(statement)
    for item in result.scalars() if spec.scalars else result:
        yield spec.row(item)


def sheet(spec: ListSpec, actor: Any, args: Mapping[str, Any]) -> Sheet:
    """The export's sheet: the list's columns and every filtered row."""
    title = spec.export_title(args) if spec.export_title else None
    return Sheet(spec.title, spec.columns, rows(spec, actor, args), title=title, paper=spec.paper)
