"""The units' list (app/core/lists.py): every unit by kind, with how many accounts each has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select

from app.auth.models import User
from app.core import lists
from app.core.permissions import IsAdmin
from app.core.spreadsheets import Column
from app.units.models import UNIT_KINDS, Unit

ACCOUNTS = select(User.unit_id, func.count().label("n")).group_by(User.unit_id).subquery()
ACCOUNT_COUNT = func.coalesce(ACCOUNTS.c.n, 0)


def filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The list's filter as kept in the URL: 类别."""
    kind = str(args.get("kind") or "")
    return {"kind": kind if kind in UNIT_KINDS else ""}


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    stmt = (
        select(Unit, ACCOUNT_COUNT)
        .outerjoin(ACCOUNTS, ACCOUNTS.c.unit_id == Unit.id)
        .order_by(Unit.active.desc(), Unit.kind, Unit.name)
    )
    kind = filters(args)["kind"]
    return stmt.where(Unit.kind == kind) if kind else stmt


def _row(item: Any) -> list[Any]:
    unit, accounts = item
    return [unit.name, unit.kind, accounts, "启用" if unit.active else "已停用"]


UNITS = lists.register(
    lists.ListSpec(
        name="units",
        title="单位",
        endpoint="units.index",
        statement=_statement,
        columns=[
            Column("单位名称", width=24), Column("类别", width=14), Column("账户数", "int"),
            Column("状态", width=8),
        ],
        row=_row,
        sorts={"name": Unit.name, "kind": (Unit.kind, Unit.name), "accounts": ACCOUNT_COUNT,
               "active": Unit.active},
        tiebreak=(Unit.id,),
        filter_args=filters,
        permission=IsAdmin,
        scalars=False,
    )
)  # fmt: skip
