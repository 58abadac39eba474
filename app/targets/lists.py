"""The targets' list (app/core/lists.py): the projects behind one achieved figure of a unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, false

from app.core import lists
from app.core.money import yuan_to_wan
from app.core.params import whole_number
from app.core.scoping import scoped_select
from app.core.spreadsheets import Column
from app.projects.models import Project
from app.projects.queries import SortColumn
from app.reports.figures import targets as figures
from app.targets import exports


def filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The figure asked for as kept in the URL: its key, the unit and the period."""
    year, month = exports.period_from(args)
    key = str(args.get("key") or "")
    return {
        "key": key if key in figures.RECORDS else "",
        "unit_id": str(whole_number(args.get("unit_id")) or ""),
        "year": str(year),
        "month": str(month),
    }


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    f = filters(args)
    unit_id = whole_number(f["unit_id"])
    if not f["key"] or unit_id is None:
        return scoped_select(Project, actor).where(false())
    year, month = int(f["year"]), int(f["month"])
    return figures.records_statement(actor, unit_id, year, month, f["key"])


def _row(project: Project) -> list[Any]:
    contract = project.contract_investment
    return [
        project.name,
        project.investor_name,
        project.stage.label + ("（已终止）" if project.dropped_on else ""),
        project.signed_on,
        project.started_on,
        yuan_to_wan(project.planned_investment),
        None if contract is None else yuan_to_wan(contract),
    ]


def _title(args: Mapping[str, Any]) -> str:
    f = filters(args)
    name = figures.RECORDS[f["key"]][0] if f["key"] else "项目"
    return f"{exports.period_label(int(f['year']), int(f['month']))}{name}明细"


RECORDS = lists.register(
    lists.ListSpec(
        name="target-records",
        title="目标任务项目明细",
        endpoint="targets.records",
        statement=_statement,
        columns=[
            Column("项目名称", width=30), Column("投资方", width=28), Column("阶段", width=12),
            Column("签约日期", "date"), Column("开工日期", "date"),
            Column("计划总投资（万元）", "money"), Column("合同投资额（万元）", "money"),
        ],
        row=_row,
        sorts={"name": SortColumn(Project.name), "signed": SortColumn(Project.signed_on),
               "started": SortColumn(Project.started_on),
               "planned": SortColumn(Project.planned_investment),
               "contract": SortColumn(Project.contract_investment)},
        tiebreak=(Project.id.desc(),),
        filter_args=filters,
        label=lambda args: exports.period_label(*exports.period_from(args)),
        export_title=_title,
    )
)  # fmt: skip
