"""The trips' list (app/core/lists.py): the record of leaders' trips with what each produced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from app.core import lists, scoping
from app.core.spreadsheets import Column
from app.extensions import db
from app.reports.figures import trips as figures
from app.trips import queries
from app.trips.models import Trip


def filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The list's filter as kept in the URL: 年份, 月份, 领导, 省份, 状态 and the search."""
    f = queries.TripFilters.from_args(args)
    return {
        "year": str(f.year or ""),
        "month": str(f.month or ""),
        "leader_id": str(f.leader_id or ""),
        "province": f.province,
        "status": f.status,
        "q": f.q,
    }


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    return queries.trip_statement(actor, queries.TripFilters.from_args(args))


def verdict(result: figures.TripYield) -> str:
    """A trip's 成效 as the list shows it."""
    if result.trip.status == "planned":
        return "计划中"
    if result.barren:
        return f"{figures.yield_days()}天内无成果"
    return "待观察" if result.waiting else "有成果"


def _row(trip: Trip) -> list[Any]:
    """A trip's cells; what it produced counts only the projects the exporter may see."""
    (result,) = figures.trip_yields(scoping.current_actor(db.session), [trip])
    leaders = "、".join(f"{leader.name}（{leader.post}）" for leader in trip.leaders)
    return [trip.started_on, trip.ended_on, trip.days, leaders, trip.destination,
            trip.enterprises or "", result.produced, result.signed, verdict(result)]  # fmt: skip


TRIPS = lists.register(
    lists.ListSpec(
        name="trip-list",
        title="外出招商记录",
        endpoint="trips.index",
        statement=_statement,
        columns=[
            Column("开始日期", "date"), Column("结束日期", "date"), Column("天数", "int"),
            Column("外出领导", width=30), Column("目的地", width=16), Column("走访企业", width=40),
            Column("促成项目", "int"), Column("已签约", "int"), Column("成效", width=14),
        ],
        row=_row,
        sorts={"started": Trip.started_on, "destination": (Trip.province, Trip.city)},
        default_sort="-started",
        tiebreak=(Trip.id.desc(),),
        filter_args=filters,
    )
)  # fmt: skip
