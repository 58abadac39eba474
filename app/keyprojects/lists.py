"""The key-project register as a list: its filter, sorts and export (app/core/lists.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from app.core import lists
from app.core.dates import today
from app.core.money import yuan_to_wan
from app.core.params import whole_number
from app.core.spreadsheets import Column
from app.keyprojects import queries
from app.keyprojects.models import KeyProject
from app.leaders.models import Leader
from app.units.models import Unit


def filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The register's filter as kept in the URL."""
    return {k: str(v) for k, v in queries.KeyProjectFilters.from_args(args).to_args().items()}


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    statement = queries.key_project_statement(actor, queries.KeyProjectFilters.from_args(args))
    return statement.join(Unit, Unit.id == KeyProject.unit_id).outerjoin(
        Leader, Leader.id == KeyProject.leader_id
    )


def _row(kp: KeyProject) -> list[Any]:
    return [
        kp.name,
        kp.programme,
        kp.category,
        kp.level,
        yuan_to_wan(kp.total_investment),
        yuan_to_wan(kp.annual_plan),
        kp.leader.name if kp.leader else "",
        kp.unit.name,
        kp.started_on,
        "是" if kp.in_statistics else "否",
    ]


REGISTER = lists.register(
    lists.ListSpec(
        name="key-projects",
        title="重点项目",
        endpoint="keyprojects.index",
        statement=_statement,
        sorts={"name": KeyProject.name, "programme": KeyProject.programme,
               "category": KeyProject.category, "total": KeyProject.total_investment,
               "plan": KeyProject.annual_plan, "leader": Leader.name, "unit": Unit.name,
               "started": KeyProject.started_on},
        tiebreak=(KeyProject.id,),
        columns=[
            Column("名称", width=30), Column("工程", width=16), Column("类别", width=7),
            Column("级别", width=8), Column("总投资（万元）", "money"),
            Column("年度计划（万元）", "money"), Column("包保领导", width=10),
            Column("责任单位", width=14), Column("开工日期", "date"), Column("已入统", width=7),
        ],
        row=_row,
        filter_args=filters,
        label=lambda args: f"{queries.KeyProjectFilters.from_args(args).year}年",
    )
)  # fmt: skip


def blocked_year(args: Mapping[str, Any]) -> int:
    """The year of the blocked list: `?year=`, else this year."""
    return whole_number(args.get("year"), 2000, 2100) or today().year


def _blocked(actor: Any, args: Mapping[str, Any]) -> Select:
    statement = queries.blocked_statement(actor, blocked_year(args))
    return statement.join(Unit, Unit.id == KeyProject.unit_id)


def _blocked_row(kp: KeyProject) -> list[Any]:
    row = queries.blocked_row(kp)
    return [kp.name, kp.programme, kp.category, kp.unit.name, row.text]


BLOCKED = lists.register(
    lists.ListSpec(
        name="key-blocked",
        title="受阻的重点项目",
        endpoint="keyprojects.blocked",
        statement=_blocked,
        sorts={"name": KeyProject.name, "programme": KeyProject.programme,
               "category": KeyProject.category, "unit": Unit.name},
        tiebreak=(KeyProject.id,),
        columns=[Column("项目", width=30), Column("工程", width=16), Column("类别", width=7),
                 Column("责任单位", width=14), Column("缺少的前置要件", width=50)],
        row=_blocked_row,
        filter_args=lambda args: {"year": str(blocked_year(args))},
        label=lambda args: f"{blocked_year(args)}年",
    )
)  # fmt: skip
