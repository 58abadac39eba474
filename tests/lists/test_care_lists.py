"""The problem list through the one list component: roles, its export of exactly the rows
counted, every sort both ways, odd sorts and pages, and a unit seeing only its own problems."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.care.conftest import care  # noqa: F401  (fixture)
from tests.lists.helpers import export_href, exported, total

PROBLEMS = "/care/problems"
SHOWN = re.compile(r'/care/problems/(\d+)"')


@pytest.fixture
def problems(make, people, care):  # noqa: F811  (the imported fixture)
    """Three problems differing in every sorted column: two on unit A's project, one on B's."""
    mine = make.project(people["unit_a"], "新能源电池项目", signed_on=date(2026, 5, 1))
    theirs = make.project(people["unit_b"], "文旅综合体", signed_on=date(2026, 5, 1))
    return [
        care.problem(mine, "供电线路未接入", raised_on=date(2026, 9, 1),
                     deadline=date(2026, 12, 1), handling_unit=people["unit_a"]),
        care.problem(theirs, "用工缺口", category="用工", raised_on=date(2026, 10, 1),
                     deadline=date(2026, 11, 1), level=1, status="in_progress",
                     handling_unit=people["unit_b"]),
        care.problem(mine, "审批卡在环评", category="审批", raised_on=date(2026, 11, 1),
                     deadline=date(2026, 12, 20), level=2, status="resolved",
                     handling_unit=people["unit_a"]),
    ]  # fmt: skip


def _shown(client, query: str = "") -> list[int]:
    response = client.get(f"{PROBLEMS}?{query}")
    assert response.status_code == 200, (query, response.status_code)
    return [int(n) for n in dict.fromkeys(SHOWN.findall(response.get_data(as_text=True)))]


@pytest.mark.parametrize("role", ["bureau", "unit", "other_unit", "leader"])
def test_the_problem_list_answers_every_role_that_reads_it(problems, people, login, role):
    html = login(people[role]).get(PROBLEMS).get_data(as_text=True)
    assert total(html) == {"unit": 2, "other_unit": 1}.get(role, 3)
    assert 'data-testid="sort-deadline"' in html


def test_a_filtered_lists_export_holds_exactly_the_rows_counted(problems, people, login):
    client = login(people["bureau"])
    html = client.get(f"{PROBLEMS}?state=open&unit_id={people['unit_a'].id}").get_data(as_text=True)
    assert total(html) == 1 and _shown(client, f"state=open&unit_id={people['unit_a'].id}") == [
        problems[0].id
    ]
    assert "state=open" in export_href(html)
    rows = exported(client, html, "编号")
    assert [r["编号"] for r in rows] == [problems[0].id]
    assert rows[0]["问题"] == "供电线路未接入" and rows[0]["承办单位"] == "城关街道"
    assert rows[0]["办理期限"].date() == date(2026, 12, 1)


@pytest.mark.parametrize("key", ["raised", "deadline", "status", "level"])
def test_every_sort_works_both_ways(problems, people, login, key):
    client = login(people["bureau"])
    up, down = _shown(client, f"sort={key}"), _shown(client, f"sort=-{key}")
    assert len(up) == 3 and down == list(reversed(up))
    if key in ("raised", "level"):
        assert up == [p.id for p in problems]
    html = client.get(f"{PROBLEMS}?sort=-{key}").get_data(as_text=True)
    assert [r["编号"] for r in exported(client, html, "编号")] == down


@pytest.mark.parametrize("query", ["sort=;drop", "sort=bogus", "page=-3"])
def test_an_unknown_sort_keeps_the_default_order(problems, people, login, query):
    client = login(people["bureau"])
    assert _shown(client, query) == _shown(client)


def test_a_page_beyond_the_last_shows_the_last(app, problems, people, login):
    app.config["PER_PAGE"] = 2
    client = login(people["bureau"])
    response = client.get(f"{PROBLEMS}?page=100000&sort=raised")
    assert response.status_code == 200 and total(response.get_data(as_text=True)) == 3
    assert _shown(client, "page=100000&sort=raised") == [problems[2].id]


def test_a_unit_sees_and_exports_only_its_own(problems, people, login):
    client = login(people["other_unit"])
    html = client.get(PROBLEMS).get_data(as_text=True)
    assert _shown(client) == [problems[1].id]
    assert [r["编号"] for r in exported(client, html, "编号")] == [problems[1].id]
    assert client.get(f"/care/problems/{problems[0].id}").status_code == 404
