"""The commitments and visits lists (new pages) through the one list component: roles, the
export of exactly the rows counted, sorts both ways, odd input, the last page, cross-unit."""

from __future__ import annotations

import re

import pytest

from tests.care.conftest import care  # noqa: F401  (fixture)
from tests.lists.helpers import export_href, exported, total

COMMITMENTS, VISITS = "/care/commitments", "/care/visits"
SHOWN = re.compile(r'<a href="/projects/\d+">([^<]+)</a>')


@pytest.fixture
def records(make, people, care):  # noqa: F811  (the imported fixture)
    """Commitments: A (unit A, overdue), B (unit B, open), C (unit A, fulfilled); visits on
    A's project 10 days ago, B's 5 and C's 1."""
    d = care.days_ago
    a = make.project(people["unit_a"], "A电池", signed_on=d(200))
    b = make.project(people["unit_b"], "B文旅", signed_on=d(200))
    c = make.project(people["unit_a"], "C物流", signed_on=d(200))
    care.commitment(a, people["unit_a"], "道路硬化", due_on=d(10))
    care.commitment(b, people["unit_b"], "接通供水", due_on=d(-20))
    care.commitment(c, people["unit_a"], "办结用地", due_on=d(-5), fulfilled_on=d(3))
    for project, days in ((a, 10), (b, 5), (c, 1)):
        care.visit(project, visited_on=d(days))
    return {"A": a, "B": b, "C": c}


def _names(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return SHOWN.findall(response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["bureau", "unit", "other_unit", "leader"])
@pytest.mark.parametrize("url", [COMMITMENTS, VISITS])
def test_both_lists_answer_every_role_that_reads_them(records, people, login, role, url):
    html = login(people[role]).get(url).get_data(as_text=True)
    assert total(html) == {"unit": 2, "other_unit": 1}.get(role, 3)


def test_the_commitments_filtered_export_holds_exactly_the_rows_counted(
    records,
    people,
    login,
    care,  # noqa: F811
):
    client = login(people["bureau"])
    for state, names in (("overdue", ["A电池"]), ("open", ["A电池", "B文旅"]),
                         ("fulfilled", ["C物流"])):  # fmt: skip
        html = client.get(f"{COMMITMENTS}?state={state}").get_data(as_text=True)
        assert total(html) == len(names) and f"state={state}" in export_href(html)
        assert _names(client, f"{COMMITMENTS}?state={state}") == names
        assert [r["项目"] for r in exported(client, html, "项目")] == names
    html = client.get(f"{COMMITMENTS}?state=fulfilled").get_data(as_text=True)
    row = exported(client, html, "项目")[0]
    assert row["承诺事项"] == "办结用地" and row["状态"] == "已兑现"
    assert row["兑现日期"].date() == care.days_ago(3)


def test_the_visits_export_holds_every_row_newest_first(records, people, login):
    client = login(people["bureau"])
    html = client.get(VISITS).get_data(as_text=True)
    rows = exported(client, html, "走访日期")
    assert [r["项目"] for r in rows] == _names(client, VISITS) == ["C物流", "B文旅", "A电池"]
    assert rows[0]["走访人"] == "城关街道 李主任" and rows[0]["情况"] == "企业反映用工紧张"


@pytest.mark.parametrize(
    ("url", "key", "up"),
    [
        (COMMITMENTS, "due", ["A电池", "C物流", "B文旅"]),
        (COMMITMENTS, "project", ["A电池", "B文旅", "C物流"]),
        (VISITS, "visited", ["A电池", "B文旅", "C物流"]),
        (VISITS, "project", ["A电池", "B文旅", "C物流"]),
    ],
)
def test_every_sort_works_both_ways(records, people, login, url, key, up):
    client = login(people["bureau"])
    assert _names(client, f"{url}?sort={key}") == up
    assert _names(client, f"{url}?sort=-{key}") == list(reversed(up))


def test_the_fulfilled_sort_turns_round(records, people, login):
    client = login(people["bureau"])
    up, down = (_names(client, f"{COMMITMENTS}?sort={s}") for s in ("fulfilled", "-fulfilled"))
    assert len(up) == 3 and up.index("C物流") in (0, 2)  # the only one fulfilled, at one end
    assert down.index("C物流") == 2 - up.index("C物流")  # and at the other end the other way


@pytest.mark.parametrize("query", ["sort=;drop", "sort=bogus", "page=-3", "state=;drop"])
@pytest.mark.parametrize("url", [COMMITMENTS, VISITS])
def test_odd_input_keeps_the_default_order(records, people, login, url, query):
    client = login(people["bureau"])
    assert _names(client, f"{url}?{query}") == _names(client, url)


@pytest.mark.parametrize("url", [COMMITMENTS, VISITS])
def test_a_page_beyond_the_last_shows_the_last(app, records, people, login, url):
    app.config["PER_PAGE"] = 2
    client = login(people["bureau"])
    assert len(_names(client, f"{url}?page=100000")) == 1
    assert total(client.get(f"{url}?page=100000").get_data(as_text=True)) == 3


@pytest.mark.parametrize(("url", "first"), [(COMMITMENTS, "项目"), (VISITS, "走访日期")])
def test_a_unit_sees_and_exports_only_its_own(records, people, login, url, first):
    client = login(people["other_unit"])
    html = client.get(url).get_data(as_text=True)
    assert _names(client, url) == ["B文旅"]
    assert [r["项目"] for r in exported(client, html, first)] == ["B文旅"]
