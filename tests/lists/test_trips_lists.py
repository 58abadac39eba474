"""The trips' record through the one list component: roles, the export of exactly the rows
counted with what each trip produced, sorts both ways, odd queries, and a unit's own trips."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.lists.helpers import export_href, exported, total
from tests.lists.walk import assert_odd_queries_answer, assert_sorts_both_ways, cells
from tests.trips.conftest import add_trip, heads  # noqa: F401  (fixtures)

DAY = re.compile(r'href="/trips/\d+">(\d{4}-\d{2}-\d{2})')


@pytest.fixture
def trips(make, people, heads, add_trip):  # noqa: F811  (the imported fixtures)
    """城关's head to 广东, 北山's to 浙江, the district head to 江苏 (producing a 城关 project)."""
    a = add_trip([heads["a_party"]], date(2026, 3, 2), province="广东省", city="深圳市")
    add_trip([heads["b_party"]], date(2026, 4, 6), province="浙江省", city="杭州市")
    district = add_trip([heads["government"]], date(2026, 5, 11), province="江苏省",
                        city="苏州市")  # fmt: skip
    make.project(
        people["unit_a"],
        "苏州来的项目",
        "苏州投资方",
        source="领导外出招商",
        trip_id=district.id,
        lead_on=date(2026, 5, 20),
        signed_on=date(2026, 6, 1),
    )
    return a, district


@pytest.mark.parametrize(('role', 'shown'), [("bureau", 3), ("leader", 3), ("unit", 2),
                                         ("other_unit", 1)])  # fmt: skip
def test_the_record_answers_every_role_that_reads_it(trips, people, login, role, shown):
    html = login(people[role]).get("/trips/").get_data(as_text=True)
    assert total(html) == shown and 'data-testid="sort-started"' in html


def test_a_filtered_records_export_holds_its_rows_and_yields(trips, people, login):
    client = login(people["bureau"])
    html = client.get("/trips/?province=江苏省").get_data(as_text=True)
    assert total(html) == 1 and "province=" in export_href(html)
    (row,) = exported(client, html, "开始日期")
    assert row["目的地"] == "江苏省 苏州市" and row["外出领导"] == "黄区长（区长）"
    assert (row["促成项目"], row["已签约"], row["成效"]) == (1, 1, "有成果")


def test_another_units_record_and_export_hold_only_its_heads_trip(trips, people, login):
    client = login(people["other_unit"])
    html = client.get("/trips/").get_data(as_text=True)
    rows = exported(client, html, "开始日期")
    assert [r["外出领导"] for r in rows] == ["孙书记（北山镇党委书记）"]


def test_a_units_record_and_export_hold_its_trips_and_those_that_produced_its_projects(
    trips, people, login
):
    client = login(people["unit"])
    html = client.get("/trips/?sort=started").get_data(as_text=True)
    rows = exported(client, html, "开始日期")
    assert [str(r["开始日期"])[:10] for r in rows] == DAY.findall(html)
    assert DAY.findall(html) == ["2026-03-02", "2026-05-11"]


@pytest.mark.parametrize("key", ["started", "destination"])
def test_every_sort_works_both_ways(trips, people, login, key):
    assert_sorts_both_ways(login(people["bureau"]), "/trips/", key, DAY)


def test_odd_queries_answer_with_a_page(trips, people, login):
    client = login(people["bureau"])
    assert_odd_queries_answer(client, "/trips/", DAY, 3)
    assert cells(client, "/trips/?q=没有这个城市", DAY) == []
