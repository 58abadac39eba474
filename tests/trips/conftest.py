"""Trip test helpers: the district's and the towns' heads, trips written to the table."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.trips.models import Trip, TripLeader


@pytest.fixture
def heads(make, people) -> dict:
    """District party head (the leader1 user), government head, a deputy, and 城关/北山 heads."""
    return {
        "party": make.leader("张书记", "区委书记", head_kind="party", user=people["leader"]),
        "government": make.leader("黄区长", "区长", head_kind="government"),
        "deputy": make.leader("王副区长", "副区长", head_kind=None),
        "a_party": make.leader("杨书记", "城关街道党工委书记", unit=people["unit_a"]),
        "b_party": make.leader("孙书记", "北山镇党委书记", unit=people["unit_b"]),
        "b_government": make.leader(
            "马镇长", "北山镇镇长", unit=people["unit_b"], head_kind="government"
        ),
    }


@pytest.fixture
def add_trip(make):
    """A trip of some leaders from a date, for some days, written straight to the table."""

    def do(leaders, start, days=3, city="深圳市", province="广东省", status="done"):
        trip = Trip(
            status=status,
            started_on=start,
            ended_on=start + timedelta(days=days - 1),
            province=province,
            city=city,
            enterprises="比亚迪股份有限公司",
            report="座谈交流",
        )
        trip.leader_links = [TripLeader(leader_id=x.id) for x in leaders]
        return make.add(trip)

    return do


def trip_form(leaders, start: date, end: date, **overrides) -> dict:
    """The trip form as a browser posts it."""
    data = {
        "leader_ids": [str(x.id) for x in leaders],
        "status": "done",
        "started_on": start.isoformat(),
        "ended_on": end.isoformat(),
        "province": "广东省",
        "city": "深圳市",
        "enterprises": "比亚迪股份有限公司、华为技术有限公司",
        "report": "与企业座谈，达成投资意向",
    }
    data.update(overrides)
    return data
