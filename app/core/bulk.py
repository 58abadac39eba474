"""Bulk actions on selected rows: each row through its own single-row service, all or none.

All or none, deliberately: a clerk who ticks 20 rows and presses one button expects one outcome.
When any selected row is refused (it does not exist or lies outside the actor's scope, or its
own service refuses it), `apply_each` raises `BulkRefused` naming every refused row with its
reason; the view's `attempt(...)` then rolls the whole request back, so the rows that would
have passed are not written either, and the page shows the list with the selection kept. Each
row is flushed on its own, so each gets its own history entry (with its own reason), exactly as
if it had been done from its own page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from app.core.forms import ServiceError
from app.core.params import whole_number
from app.core.scoping import scoped_select
from app.extensions import db

M = TypeVar("M")

MAX_ROWS = 200  # one page of a list at most, with room; more is a script, not a clerk


class BulkRefused(ServiceError):
    """Some selected rows were refused, so nothing was written; `refused` maps id to message."""

    def __init__(self, refused: dict[int, str]):
        self.refused = dict(refused)
        super().__init__({f"row-{row_id}": message for row_id, message in refused.items()})


def selected_ids(values: Iterable[Any]) -> list[int]:
    """The row ids a bulk form posted, in order, each once; a malformed one is refused."""
    ids: list[int] = []
    for raw in values:
        row_id = whole_number(raw)
        if row_id is None:
            raise ServiceError("所选记录编号无效，请刷新页面后重新勾选")
        if row_id not in ids:
            ids.append(row_id)
    if not ids:
        raise ServiceError("请先勾选要处理的记录")
    if len(ids) > MAX_ROWS:
        raise ServiceError(f"一次最多处理 {MAX_ROWS} 条记录，请分批操作")
    return ids


def apply_each(
    model: type[M],
    ids: list[int],
    actor: Any,
    act: Callable[[M], Any],
    describe: Callable[[M], str],
) -> list[M]:
    """Run `act` on each selected row the actor may see, flushing after each; if any row is
    missing, out of scope or refused, raise BulkRefused naming each (see the module's note)."""
    stmt = scoped_select(model, actor).where(model.id.in_(ids))  # type: ignore[attr-defined]
    rows = {row.id: row for row in db.session.execute(stmt).scalars()}
    refused: dict[int, str] = {}
    done: list[M] = []
    for row_id in ids:
        row = rows.get(row_id)
        if row is None:
            refused[row_id] = f"#{row_id}：记录不存在或不在您的权限范围内"
            continue
        try:
            act(row)
            db.session.flush()
        except ServiceError as error:
            reasons = "；".join(message for message in error.errors.values() if message)
            refused[row_id] = f"{describe(row)}：{reasons}"
        else:
            done.append(row)
    if refused:
        raise BulkRefused(refused)
    return done
