"""The board accepts every filter the list accepts and counts what the list counts.

The filters are taken from ProjectFilters itself, so a filter added to the list is driven
through the board the day it is added (a value must be given for it below).
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date

import pytest

from app.projects.queries import ProjectFilters

# A value per list filter that picks some projects of the fixture below but not all.
VALUES = {
    "q": "光伏",
    "stage": "signed",
    "unit_id": "{unit_a}",
    "leader_id": "{leader}",
    "industry": "工业",
    "source": "招商推介会",
    "event_id": "{event}",
    "province": "广东省",
    "city": "深圳市",
    "signed_year": "2026",
    "milestone": "signed",
    "year": "2026",
    "month_from": "3",
    "month_to": "10",
    "reached": "negotiating",
    "below": "registered",
    "as_of": "2026-06-30",
    "big": "1",
    "dropped": "all",
    "sort": "-signed",
}
# Filters that narrow these projects on their own (the others qualify another filter).
BITES_ALONE = {"q", "stage", "unit_id", "leader_id", "industry", "source", "event_id", "city",
               "signed_year", "reached", "big"}
# The combinations the sweep of issue 19 found answering 500.
REPORTED = (
    "stage=signed",
    "stage=lead&event_id={event}&dropped=all",
    "stage=negotiating",
    "stage=registered",
)


@pytest.fixture
def ids(make, people) -> dict[str, int]:
    leader = make.leader()
    event = make.event()
    a, b = people["unit_a"], people["unit_b"]
    make.project(a, name="光伏组件项目", signed_on=date(2026, 5, 6),
                 negotiating_on=date(2026, 2, 1), contract_investment=2_000_000_000,
                 planned_investment=2_000_000_000, leader_id=leader.id, event_id=event.id)
    make.project(b, name="智能制造产业园", origin_province="浙江省", origin_city="杭州市",
                 source="展会", industry="三产")
    make.project(a, name="冷链物流中心", negotiating_on=date(2026, 3, 2), event_id=event.id)
    make.project(b, name="文旅综合体", signed_on=date(2025, 7, 1), registered_on=date(2025, 9, 1),
                 dropped_on=date(2026, 1, 5), drop_reason="投资方撤回")
    make.project(a, name="光伏二期", lead_on=date(2026, 4, 1), event_id=event.id)
    return {"unit_a": a.id, "leader": leader.id, "event": event.id}


def _total(page: str) -> int:
    return int(re.search(r'data-testid="total">(\d+)<', page).group(1))


def _board_total(page: str) -> int:
    return sum(int(n) for n in re.findall(r'data-testid="count-\w+">(\d+)<', page))


def _cards(page: str) -> int:
    return page.count('data-testid="card-')


def _check(client, query: str) -> tuple[int, int]:
    board = client.get(f"/projects/board?{query}")
    listed = client.get(f"/projects/?{query}")
    assert (board.status_code, listed.status_code) == (200, 200), query
    board_page, list_page = board.get_data(as_text=True), listed.get_data(as_text=True)
    assert _board_total(board_page) == _total(list_page), query
    assert _cards(board_page) == _total(list_page), query  # fewer than 50 per column here
    return _board_total(board_page), _total(list_page)


def test_every_list_filter_has_a_value_in_this_test():
    assert {f.name for f in fields(ProjectFilters)} == set(VALUES)


@pytest.mark.parametrize("name", sorted(VALUES))
def test_the_board_counts_what_the_list_counts_for_each_filter(client, people, login, ids, name):
    login(people["bureau"])
    picked, _ = _check(client, f"{name}={VALUES[name].format(**ids)}")
    if name in BITES_ALONE:
        assert picked < _check(client, "")[0], name  # the filter is applied, not ignored


def test_the_board_takes_every_filter_at_once(client, people, login, ids):
    login(people["bureau"])
    query = "&".join(f"{k}={v.format(**ids)}" for k, v in VALUES.items() if k != "below")
    assert _check(client, query) == (1, 1)  # 光伏组件项目 only


@pytest.mark.parametrize("query", REPORTED)
@pytest.mark.parametrize("role", ["bureau", "unit"])
def test_the_reported_stage_filters_answer_the_board(client, people, login, ids, query, role):
    login(people[role])
    _check(client, query.format(**ids))


def test_a_stage_filter_empties_the_other_columns_and_keeps_its_own(client, people, login, ids):
    login(people["bureau"])
    board = client.get("/projects/board?stage=signed").get_data(as_text=True)
    assert 'data-testid="count-signed">1<' in board and 'data-testid="count-lead">0<' in board
    assert "光伏组件项目" in board and "光伏二期" not in board
    assert 'href="/projects/?stage=negotiating"' in board  # a column's link names its own stage
    more = client.get("/projects/board/0?stage=signed").get_data(as_text=True)
    assert "光伏二期" not in more
