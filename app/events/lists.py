"""The events' lists (app/core/lists.py): the register of events and an event's projects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from app.core import lists, scoping
from app.core.money import yuan_to_wan
from app.core.params import whole_number
from app.core.spreadsheets import Column
from app.events import queries
from app.events.models import PromotionEvent
from app.extensions import db
from app.projects.models import Project
from app.projects.stages import BY_KEY
from app.reports.figures.period import last_ended, read_period
from app.units.models import Unit

BUREAU_HOSTED = "区投资促进局"


def event_filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The register's filter as kept in the URL: 年份, 类型 and the search words."""
    f = queries.EventFilters.from_args(args)
    return {"year": str(f.year or ""), "kind": f.kind, "q": f.q}


def _events(actor: Any, args: Mapping[str, Any]) -> Select:
    return queries.event_statement(queries.EventFilters.from_args(args))


def _event_row(event: PromotionEvent) -> list[Any]:
    """An event's cells; its yield as of the last ended month, over the projects one may see."""
    actor = scoping.current_actor(db.session)
    as_of = last_ended().as_of()
    leads, signed = queries.event_yields(actor, [event.id], as_of).get(event.id, (0, 0))
    host = event.host_unit.name if event.host_unit else BUREAU_HOSTED
    return [event.held_on, event.name, event.kind, event.city, host, leads, signed]


EVENTS = lists.register(
    lists.ListSpec(
        name="events",
        title="招商活动",
        endpoint="events.index",
        statement=_events,
        columns=[
            Column("举办日期", "date"), Column("活动名称", width=32), Column("类型", width=10),
            Column("城市", width=10), Column("承办单位", width=16), Column("项目数", "int"),
            Column("已签约", "int"),
        ],
        row=_event_row,
        sorts={"held": PromotionEvent.held_on, "name": PromotionEvent.name,
               "kind": PromotionEvent.kind, "city": PromotionEvent.city},
        default_sort="-held",
        tiebreak=(PromotionEvent.id.desc(),),
        filter_args=event_filters,
    )
)  # fmt: skip


def _stage_key(args: Mapping[str, Any], name: str) -> str:
    value = str(args.get(name) or "")
    return value if value in BY_KEY else ""


def project_filters(args: Mapping[str, Any]) -> dict[str, str]:
    """An event's projects as kept in the URL: the event, the period, 累计到达 or 处于."""
    period, _message = read_period(args)
    reached = _stage_key(args, "reached")
    return {
        "event_id": str(whole_number(args.get("event_id")) or ""),
        "year": str(period.year),
        "month": str(period.month),
        "reached": reached,
        "standing": "" if reached else _stage_key(args, "standing"),
    }


def _projects(actor: Any, args: Mapping[str, Any]) -> Select:
    f = project_filters(args)
    as_of = read_period(args)[0].as_of()
    event_id = whole_number(f["event_id"]) or 0
    stmt = queries.sourced_projects(actor, event_id, as_of, f["reached"], f["standing"])
    return stmt.join(Unit, Unit.id == Project.unit_id)


def _project_row(project: Project) -> list[Any]:
    contract = project.contract_investment
    return [
        project.name,
        project.investor_name,
        project.unit.name,
        project.stage.label + ("（已终止）" if project.dropped_on else ""),
        project.stage_since,
        yuan_to_wan(project.planned_investment),
        None if contract is None else yuan_to_wan(contract),
    ]


EVENT_PROJECTS = lists.register(
    lists.ListSpec(
        name="event-projects",
        title="招商活动带来的项目",
        endpoint="events.detail",
        statement=_projects,
        columns=[
            Column("项目名称", width=30), Column("投资方", width=28), Column("责任单位", width=14),
            Column("当前阶段", width=12), Column("本阶段起", "date"),
            Column("计划总投资(万元)", "money"), Column("合同投资(万元)", "money"),
        ],
        row=_project_row,
        sorts={"name": Project.name, "unit": Unit.name, "stage": Project.stage_order,
               "since": Project.stage_since, "planned": Project.planned_investment},
        tiebreak=(Project.id.desc(),),
        filter_args=project_filters,
        label=lambda args: read_period(args)[0].label,
    )
)  # fmt: skip
