"""The register of leaders as a list: filter, sorts and export columns (app/core/lists.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from app.core import lists
from app.core.params import whole_number
from app.core.spreadsheets import Column
from app.leaders import queries
from app.leaders.models import Leader
from app.units.models import Unit

DISTRICT = "district"  # the filter value for 全区
ACTIVE = ("1", "0", "all")


def filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The list's filter as kept in the URL: 辖区, 状态 and the search words."""
    where = str(args.get("unit") or "")
    active = str(args.get("active") or "1")
    return {
        "unit": where if where == DISTRICT or whole_number(where) else "",
        "active": active if active in ACTIVE else "1",
        "q": str(args.get("q") or "").strip()[:50],
    }


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    f = filters(args)
    return queries.leader_statement(
        unit_id=whole_number(f["unit"]),
        district=f["unit"] == DISTRICT,
        active=f["active"],
        q=f["q"],
    )


def _row(leader: Leader) -> list[Any]:
    return [
        leader.name,
        leader.post,
        leader.jurisdiction,
        leader.head_label or "",
        "是" if leader.is_baobao else "",
        "已关联" if leader.user_id else "",
        leader.took_office_on,
        "在任" if leader.active else "已停用",
    ]


LEADERS = lists.register(
    lists.ListSpec(
        name="leaders",
        title="领导名录",
        endpoint="leaders.index",
        statement=_statement,
        sorts={"name": Leader.name, "post": Leader.post, "unit": Unit.name,
               "since": Leader.took_office_on},
        tiebreak=(Leader.id,),
        columns=[
            Column("姓名", width=10), Column("职务", width=22), Column("辖区", width=14),
            Column("党政主要负责人", width=12), Column("包保领导", width=8),
            Column("登录账户", width=8), Column("任职日期", "date"), Column("状态", width=8),
        ],
        row=_row,
        filter_args=filters,
    )
)  # fmt: skip
