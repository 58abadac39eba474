"""Pagination of select() statements: one statement feeds the page and the count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from app.core.params import whole_number
from app.extensions import db


@dataclass
class Page:
    """A page of results with the exact total of the whole statement."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers to show, with None where a gap is."""
        shown = {1, self.pages} | set(range(self.page - size, self.page + size + 1))
        numbers, last = [], 0
        for n in sorted(p for p in shown if 1 <= p <= self.pages):
            if n - last > 1:
                numbers.append(None)
            numbers.append(n)
            last = n
        return numbers


def count(stmt: Select, up_to: int | None = None) -> int:
    """The number of rows a statement returns; with `up_to`, at most that many (the count then
    stops reading there: the same cost however many rows there are)."""
    stmt = stmt.order_by(None)
    if up_to is not None:
        stmt = stmt.limit(up_to)
    counted = select(func.count()).select_from(stmt.subquery())
    # The count runs as its statement does (a named district-wide opt-out, say).
    counted = counted.execution_options(**stmt.get_execution_options())
    return db.session.execute(counted).scalar_one()


def page_number(raw: Any) -> int:
    """A page number from a query string, 1 for anything that is not a positive integer."""
    return max(1, whole_number(raw) or 1)


def paginate(
    stmt: Select,
    page: int,
    per_page: int = 50,
    *,
    scalars: bool = True,
    key: ColumnElement[Any] | None = None,
    total: int | None = None,
) -> Page:
    """Run one page of the statement and count the whole of it. With `key` (the primary key of
    the one entity the statement selects) the page is found in two steps: first its keys,
    which an index holding the filtered and sorted columns yields without reading the table,
    then those rows by key; in one step the database reads every matching row whole to sort
    them (12,000 at 100,000 projects). `total`, when the caller already knows how many rows the
    statement holds (a figure kept while no record changes), saves counting them again."""
    total = count(stmt) if total is None else total
    page = min(max(1, page), max(1, -(-total // per_page)))
    window = stmt.limit(per_page).offset((page - 1) * per_page)
    if key is not None:
        return Page(items=by_keys(window, key), total=total, page=page, per_page=per_page)
    result = db.session.execute(window)
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, total=total, page=page, per_page=per_page)


def by_keys(window: Select, key: ColumnElement[Any], *options: Any) -> list[Any]:
    """The rows of a window (a statement of one entity, possibly followed by per-row columns,
    with its order and limit): its keys, and those columns, from the scoped, filtered
    statement, then the entities of exactly those keys, in the keys' order, loaded with the
    loader options given; rows of an entity and its columns come back as tuples. By key
    alone: the filters again would have the database search anew; and the entity's eagerly
    joined relations join only those rows, not every row sorted."""
    entity, *columns = (d["expr"] for d in window.column_descriptions)
    found_rows = db.session.execute(window.with_only_columns(key, *columns)).all()
    if not found_rows:
        return []
    keys = [row[0] for row in found_rows]
    rows = db.session.execute(select(entity).where(key.in_(keys)).options(*options)).scalars()
    found = {getattr(row, key.key): row for row in rows}
    # One deleted in between is left out.
    if not columns:
        return [found[k] for k in keys if k in found]
    return [(found[row[0]], *row[1:]) for row in found_rows if row[0] in found]


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with % _ and \\ taken literally (escape '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
