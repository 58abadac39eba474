"""The projects behind a target figure through the one list component: roles, the export of
exactly the rows counted, sorts both ways, odd queries, and another unit's figure refused."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.lists.helpers import export_href, exported, sheet_rows, total
from tests.lists.walk import assert_odd_queries_answer, assert_sorts_both_ways

NAME = re.compile(r'href="/projects/\d+">([^<]+)</a>')
WAN = 10_000


@pytest.fixture
def signed(make, people):
    """Three projects of 城关 signed in 2026, one of 北山."""
    for n, (day, planned, contract) in enumerate(
        [(date(2026, 2, 1), 300, 100), (date(2026, 3, 1), 100, 300), (date(2026, 4, 1), 200, 200)]
    ):
        make.project(people["unit_a"], f"城关签约项目{n}", f"城关投资方{n}", signed_on=day,
                     started_on=date(2026, 9, 1 + n), planned_investment=planned * WAN,
                     contract_investment=contract * WAN)  # fmt: skip
    make.project(people["unit_b"], "北山签约项目", "北山投资方", signed_on=date(2026, 5, 1))
    return f"/targets/records?key=signed&unit_id={people['unit_a'].id}&year=2026&month=10"


@pytest.mark.parametrize("role", ["bureau", "unit", "leader"])
def test_the_records_answer_every_role_that_reads_them(signed, people, login, role):
    html = login(people[role]).get(signed).get_data(as_text=True)
    assert total(html) == 3 and 'data-testid="sort-signed"' in html


def test_the_export_holds_exactly_the_rows_shown_in_order(signed, people, login):
    client = login(people["bureau"])
    html = client.get(signed + "&sort=planned").get_data(as_text=True)
    href = export_href(html)
    assert "key=signed" in href and "year=2026" in href and "month=10" in href
    rows = exported(client, html, "项目名称")
    assert [r["项目名称"] for r in rows] == NAME.findall(html) == [
        "城关签约项目1", "城关签约项目2", "城关签约项目0"]  # fmt: skip
    assert rows[0]["计划总投资（万元）"] == 100 and rows[0]["合同投资额（万元）"] == 300


@pytest.mark.parametrize("key", ["name", "signed", "started", "planned", "contract"])
def test_every_sort_works_both_ways(signed, people, login, key):
    assert_sorts_both_ways(login(people["bureau"]), signed, key, NAME)


def test_odd_queries_answer_with_a_page(signed, people, login):
    assert_odd_queries_answer(login(people["bureau"]), signed, NAME, 3)


def test_another_units_figure_is_refused_and_its_export_empty(signed, people, login):
    client = login(people["other_unit"])
    assert client.get(signed).status_code == 404
    own = signed.replace(f"unit_id={people['unit_a'].id}", f"unit_id={people['unit_b'].id}")
    html = client.get(own).get_data(as_text=True)
    assert total(html) == 1
    leaked = client.get(
        f"/exports/target-records?key=signed&unit_id={people['unit_a'].id}&year=2026&month=10"
    )
    assert leaked.status_code == 200
    assert [r["项目名称"] for r in sheet_rows(leaked.data, "项目名称")] == []
