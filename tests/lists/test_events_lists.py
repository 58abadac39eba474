"""The events' register and an event's projects through the one list component: roles, the
export of exactly the rows counted, sorts both ways, odd queries, and a unit's own rows."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.lists.helpers import export_href, exported, total
from tests.lists.walk import assert_odd_queries_answer, assert_sorts_both_ways, cells

EVENT = re.compile(r'href="/events/\d+">([^<]+)</a>')
PROJECT = re.compile(r'href="/projects/\d+">([^<]+)</a>')


@pytest.fixture
def events(make, people):
    """Three events differing in every sorted column; the first sourced a project of each unit."""
    first = make.event("2025 深圳招商推介会", "推介会", "深圳市", date(2025, 3, 18))
    make.event("2026 上海进博会", "展会", "上海市", date(2026, 5, 1))
    make.event("2024 北京座谈会", "座谈会", "北京市", date(2024, 9, 9))
    make.project(
        people["unit_a"],
        "城关精密机械项目",
        "城关投资方",
        event_id=first.id,
        source="招商推介会",
        signed_on=date(2025, 6, 1),
        planned_investment=10**7,
    )
    make.project(people["unit_b"], "北山农旅项目", "北山投资方", event_id=first.id,
                 source="招商推介会", planned_investment=2 * 10**7)  # fmt: skip
    return first


@pytest.mark.parametrize("role", ["bureau", "unit", "leader", "admin"])
def test_the_register_answers_every_role_that_reads_it(events, people, login, role):
    html = login(people[role]).get("/events/").get_data(as_text=True)
    assert total(html) == 3 and 'data-testid="sort-held"' in html


@pytest.mark.parametrize(("role", "leads"), [("bureau", 2), ("unit", 1)])
def test_a_filtered_registers_export_holds_its_rows_and_yields(events, people, login, role,
                                                               leads):  # fmt: skip
    client = login(people[role])
    html = client.get("/events/?kind=推介会").get_data(as_text=True)
    assert total(html) == 1 and "kind=" in export_href(html)
    rows = exported(client, html, "举办日期")
    assert [r["活动名称"] for r in rows] == cells(client, "/events/?kind=推介会", EVENT)
    assert rows[0]["项目数"] == leads and rows[0]["已签约"] == 1  # the signed one is 城关's


def test_the_register_exports_in_the_order_shown(events, people, login):
    client = login(people["bureau"])
    html = client.get("/events/?sort=name").get_data(as_text=True)
    assert [r["活动名称"] for r in exported(client, html, "举办日期")] == EVENT.findall(html)
    assert len(EVENT.findall(html)) == total(html) == 3


@pytest.mark.parametrize("key", ["held", "name", "kind", "city"])
def test_every_sort_of_the_register_works_both_ways(events, people, login, key):
    assert_sorts_both_ways(login(people["bureau"]), "/events/", key, EVENT)


def test_odd_queries_answer_with_a_page(events, people, login):
    assert_odd_queries_answer(login(people["bureau"]), "/events/", EVENT, 3)


@pytest.mark.parametrize(('role', 'shown'), [("bureau", ["北山农旅项目", "城关精密机械项目"]),
                                         ("unit", ["城关精密机械项目"]),
                                         ("other_unit", ["北山农旅项目"])])  # fmt: skip
def test_an_events_projects_export_holds_only_the_projects_one_may_see(events, people, login,
                                                                       role, shown):  # fmt: skip
    client = login(people[role])
    url = f"/events/{events.id}?year=2026&month=10&sort=name"
    html = client.get(url).get_data(as_text=True)
    assert total(html) == len(shown) and sorted(PROJECT.findall(html)) == sorted(shown)
    href = export_href(html)
    assert f"event_id={events.id}" in href and "year=2026" in href
    rows = exported(client, html, "项目名称")
    assert [r["项目名称"] for r in rows] == PROJECT.findall(html)


def test_an_events_projects_sort_both_ways_and_answer_odd_queries(events, people, login):
    client = login(people["bureau"])
    url = f"/events/{events.id}?year=2026&month=10"
    for key in ("name", "unit", "stage", "planned"):
        assert_sorts_both_ways(client, url, key, PROJECT)
    assert_odd_queries_answer(client, url, PROJECT, 2)
