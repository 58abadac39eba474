"""Demo trips: about sixty by the heads, a few months missed, one deliberate overlap."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.core import history
from app.core.dates import today
from app.extensions import db
from app.leaders.models import Leader
from app.projects.models import Project
from app.trips.models import Trip, TripLeader, TripProject

CITIES = [
    ("广东省", "深圳市", ["比亚迪股份有限公司", "华为技术有限公司", "欣旺达电子股份有限公司"]),
    ("上海市", "上海市", ["上海电气集团", "联影医疗科技股份有限公司", "上海华谊集团"]),
    ("广东省", "广州市", ["广汽埃安新能源汽车股份有限公司", "广州视源电子科技股份有限公司"]),
    ("浙江省", "杭州市", ["海康威视数字技术股份有限公司", "杭州娃哈哈集团有限公司"]),
    ("江苏省", "苏州市", ["亨通集团有限公司", "苏州汇川技术有限公司"]),
    ("浙江省", "宁波市", ["宁波均胜电子股份有限公司", "舜宇光学科技（集团）有限公司"]),
    ("江苏省", "南京市", ["南京钢铁集团有限公司", "南瑞集团有限公司"]),
    ("北京市", "北京市", ["京东方科技集团股份有限公司", "中国建材集团有限公司"]),
    ("福建省", "厦门市", ["厦门钨业股份有限公司", "厦门象屿集团有限公司"]),
    ("广东省", "东莞市", ["东莞新能源科技有限公司", "生益科技股份有限公司"]),
    ("安徽省", "合肥市", ["合肥国轩高科动力能源有限公司", "阳光电源股份有限公司"]),
    ("四川省", "成都市", ["通威集团有限公司", "新希望集团有限公司"]),
]
REPORTS = [
    "与企业负责人座谈，介绍我区产业基础和营商环境，企业有意在我区布局生产基地。",
    "考察企业生产线，就项目用地、配套政策深入交流，约定近期回访我区实地考察。",
    "召开小型推介会，对接意向企业 6 家，其中 2 家达成初步合作意向。",
    "走访商会，推动以商招商，收集投资线索 3 条，已交责任单位跟进。",
]
MISSED = {(2025, 9), (2026, 4)}  # months the district's government head did not go out


def _trip(rng: random.Random, leaders: list[Leader], start: date, days: int, status="done"):
    province, city, firms = rng.choice(CITIES)
    trip = Trip(
        status=status,
        started_on=start,
        ended_on=start + timedelta(days=days - 1),
        province=province,
        city=city,
        enterprises="、".join(rng.sample(firms, k=min(2, len(firms)))),
        report=rng.choice(REPORTS),
    )
    trip.leader_links = [TripLeader(leader_id=leader.id) for leader in leaders]
    return trip


def _months(first: date, last: date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + (month == 12), month % 12 + 1)


def _heads() -> tuple[dict, list[Leader]]:
    heads = db.session.execute(select(Leader).where(Leader.head_kind.is_not(None))).scalars()
    by_place: dict = {}
    for leader in heads:
        by_place.setdefault(leader.unit_id, {})[leader.head_kind] = leader
    deputies = db.session.execute(
        select(Leader).where(Leader.unit_id.is_(None), Leader.head_kind.is_(None))
    ).scalars()
    return by_place, list(deputies)


def _district_trips(rng, district: dict, deputies: list[Leader], on: date) -> list[Trip]:
    """The district's heads: monthly since July last year; the party head early in the month,
    the government head mid-month; one deliberate overlap in March of this year."""
    party, government = district.get("party"), district.get("government")
    trips = []
    for year, month in _months(date(on.year - 1, 7, 1), on):
        if party is not None:
            start = date(year, month, rng.randint(2, 6))
            if (year, month) == (on.year, 3):
                start = date(year, month, 10)  # the deliberate overlap below
            company = [party] + ([rng.choice(deputies)] if deputies and rng.random() < 0.4 else [])
            if start + timedelta(days=3) <= on:
                trips.append(_trip(rng, company, start, rng.randint(3, 4)))
        if government is not None and (year, month) not in MISSED:
            start = date(year, month, 12 if (year, month) == (on.year, 3) else rng.randint(15, 19))
            if start + timedelta(days=3) <= on:
                trips.append(_trip(rng, [government], start, rng.randint(2, 4)))
    if government is not None:
        trips.append(_trip(rng, [government], on + timedelta(days=16), 3, status="planned"))
    return trips


def _town_trips(rng, by_place: dict, on: date) -> list[Trip]:
    """Each town's or park's heads go out in some months of this year (party head in the first
    half of the month, government head in the second)."""
    trips = []
    for place, heads in by_place.items():
        if place is None:
            continue
        for kind, first_day in (("party", 3), ("government", 18)):
            leader = heads.get(kind)
            if leader is None:
                continue
            for month in range(1, on.month + 1):
                if rng.random() < 0.65:
                    continue
                start = date(on.year, month, first_day + rng.randint(0, 5))
                if start + timedelta(days=3) <= on:
                    trips.append(_trip(rng, [leader], start, rng.randint(2, 3)))
    return trips


def _link_projects(rng, trips: list[Trip]) -> None:
    """Projects sourced from 领导外出招商 came from the last trip before their lead date."""
    done = sorted((t for t in trips if t.status == "done"), key=lambda t: t.ended_on)
    projects = db.session.execute(
        select(Project).where(Project.source == "领导外出招商", Project.deleted_at.is_(None))
    ).scalars()
    for project in projects:
        before = [t for t in done if t.ended_on <= project.lead_on <= t.ended_on + timedelta(90)]
        if before:
            project.trip_id = before[-1].id
    others = db.session.execute(
        select(Project).where(Project.source != "领导外出招商", Project.signed_on.is_not(None))
    ).scalars()
    for project in list(others)[:6]:
        trip = rng.choice(done)
        db.session.add(TripProject(trip_id=trip.id, project_id=project.id, note="推动签约"))


def seed() -> list[Trip]:
    """Add the demo trips and link the projects they produced."""
    rng = random.Random(2026)
    on = today()
    by_place, deputies = _heads()
    trips = _district_trips(rng, by_place.get(None, {}), deputies, on)
    trips += _town_trips(rng, by_place, on)
    db.session.add_all(trips)
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    _link_projects(rng, trips)
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    return trips
