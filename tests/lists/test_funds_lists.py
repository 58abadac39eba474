"""The funds ledger through the one list component: roles, its export of exactly the rows
counted, every sort both ways, odd sorts and pages, and a unit seeing only its own rows."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.funds.conftest import add_entry, projects  # noqa: F401  (fixtures)
from tests.lists.helpers import export_href, exported, total

REF = re.compile(r">(REF\d+)")


@pytest.fixture
def ledger(projects, add_entry):  # noqa: F811  (the imported fixtures)
    """Three entries differing in every sorted column: two of unit A, one of unit B."""
    add_entry(projects["a"], "100", "verified", date(2026, 3, 1), ref="REF1")
    add_entry(projects["b"], "250", "pending", date(2026, 4, 1), origin="省内市外", ref="REF2")
    add_entry(projects["a"], "30", "pending", date(2026, 5, 1), origin="外资", ref="REF3")
    return projects


def _refs(client, query: str = "") -> list[str]:
    response = client.get(f"/funds/?{query}")
    assert response.status_code == 200, (query, response.status_code)
    return REF.findall(response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["bureau", "unit", "other_unit", "leader"])
def test_the_ledger_answers_every_role_that_reads_it(ledger, people, login, role):
    html = login(people[role]).get("/funds/").get_data(as_text=True)
    assert total(html) == {"unit": 2, "other_unit": 1}.get(role, 3)
    assert 'data-testid="sort-amount"' in html and "bi-arrow-down-up" in html


def test_a_filtered_ledgers_export_holds_exactly_the_rows_counted(ledger, people, login):
    client = login(people["bureau"])
    unit = people["unit_a"].id
    html = client.get(f"/funds/?unit_id={unit}&status=pending").get_data(as_text=True)
    assert total(html) == 1 and _refs(client, f"unit_id={unit}&status=pending") == ["REF3"]
    href = export_href(html)
    assert f"unit_id={unit}" in href and "status=pending" in href
    rows = [r for r in exported(client, html, "项目名称") if r["凭证号"]]
    assert [r["凭证号"] for r in rows] == ["REF3"]
    assert rows[0]["项目名称"] == "智能制造产业园" and rows[0]["状态"] == "待核实"
    assert rows[0]["金额（万元）"] == 30


def test_the_export_keeps_the_order_shown(ledger, people, login):
    client = login(people["bureau"])
    html = client.get("/funds/?sort=amount").get_data(as_text=True)
    rows = [r["凭证号"] for r in exported(client, html, "项目名称") if r["凭证号"]]
    assert rows == _refs(client, "sort=amount") == ["REF3", "REF1", "REF2"]


@pytest.mark.parametrize(
    ("key", "ascending"),
    [
        ("date", ["REF1", "REF2", "REF3"]),
        ("amount", ["REF3", "REF1", "REF2"]),
        ("ref", ["REF1", "REF2", "REF3"]),
        ("origin", None),
        ("status", None),
        ("project", None),
        ("unit", None),
    ],
)
def test_every_sort_works_both_ways(ledger, people, login, key, ascending):
    client = login(people["bureau"])
    up, down = _refs(client, f"sort={key}"), _refs(client, f"sort=-{key}")
    assert sorted(up) == ["REF1", "REF2", "REF3"]
    if ascending:
        assert up == ascending
    if key in ("project", "unit", "status"):  # two rows share a value: compare the groups
        assert up[0] != down[0] and set(up[:2]) != set(down[:2])
    else:
        assert down == list(reversed(up))


@pytest.mark.parametrize("query", ["sort=;drop", "sort=amount;drop", "sort="])
def test_an_unknown_sort_falls_back_to_the_newest_first(ledger, people, login, query):
    assert _refs(login(people["bureau"]), query) == ["REF3", "REF2", "REF1"]


def test_a_page_beyond_the_last_shows_the_last(app, ledger, people, login):
    app.config["PER_PAGE"] = 2
    client = login(people["bureau"])
    response = client.get("/funds/?page=100000")
    assert response.status_code == 200
    assert total(response.get_data(as_text=True)) == 3
    assert _refs(client, "page=100000") == ["REF1"]


def test_a_filter_matching_nothing_is_an_empty_page(ledger, people, login):
    response = login(people["bureau"]).get("/funds/?q=不存在的项目&year=abc&unit_id=x")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and total(html) == 0 and "没有符合条件的记录" in html


def test_a_unit_sees_and_exports_only_its_own_rows(ledger, people, login, add_entry):  # noqa: F811
    client = login(people["other_unit"])
    html = client.get(f"/funds/?unit_id={people['unit_a'].id}").get_data(as_text=True)
    assert total(html) == 0
    html = client.get("/funds/").get_data(as_text=True)
    assert REF.findall(html) == ["REF2"]
    rows = [r["凭证号"] for r in exported(client, html, "项目名称") if r["凭证号"]]
    assert rows == ["REF2"]
    theirs = add_entry(ledger["a"], "5", ref="REF9")
    assert client.get(f"/funds/{theirs}").status_code == 404
