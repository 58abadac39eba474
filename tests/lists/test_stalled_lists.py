"""The 进而不快 and 超时限未开工 lists through the one list component: two lists on one page,
each with its own count, sorts, pager and export of exactly the rows counted; tallies over all
rows; a unit seeing and exporting only its own projects."""

from __future__ import annotations

import re

import pytest

from tests.care.conftest import care  # noqa: F401  (fixture)
from tests.lists.helpers import export_href, exported, total

STALLED = "/care/stalled"
SHOWN = re.compile(r'<a href="/projects/\d+">([^<]+)</a>')


@pytest.fixture
def projects(make, people, care):  # noqa: F811  (the imported fixture)
    """Five stalled projects (A–E, days in stage 40/120/65/200/250, over 10/30/5/140/190), of
    which D and E (units A and B) are also signed 200 and 250 days ago and not started."""
    a, b, d = people["unit_a"], people["unit_b"], care.days_ago
    made = {
        "A线索": make.project(a, name="A线索", lead_on=d(40)),
        "B洽谈": make.project(b, name="B洽谈", lead_on=d(200), negotiating_on=d(120)),
        "C签约": make.project(a, name="C签约", lead_on=d(100), signed_on=d(65)),
        "D签约": make.project(a, name="D签约", lead_on=d(300), signed_on=d(200)),
        "E签约": make.project(b, name="E签约", lead_on=d(300), signed_on=d(250)),
    }
    make.follow_up(made["A线索"], people["unit"], happened_on=d(5))
    make.follow_up(made["C签约"], people["unit"], happened_on=d(20))
    make.follow_up(made["D签约"], people["unit"], happened_on=d(30))
    make.follow_up(made["E签约"], people["other_unit"], happened_on=d(2))
    return made


def _sections(html: str) -> tuple[str, str]:
    """The page split at the 超时限未开工 list: (everything up to it, that list)."""
    before, late = html.split('data-testid="late-list"', 1)
    return before[before.index('data-testid="stalled-list"') :], late


def _names(section: str) -> list[str]:
    return SHOWN.findall(section)


def _page(client, query: str = "") -> tuple[str, str, str]:
    response = client.get(f"{STALLED}?{query}")
    assert response.status_code == 200, (query, response.status_code)
    html = response.get_data(as_text=True)
    return (html, *_sections(html))


@pytest.mark.parametrize("role", ["bureau", "unit", "other_unit", "leader"])
def test_both_lists_answer_every_role_that_reads_them(projects, people, login, role):
    _html, stalled, late = _page(login(people[role]))
    expected = {"unit": (3, 1), "other_unit": (2, 1)}.get(role, (5, 2))
    assert (total(stalled), total(late)) == expected
    assert 'data-testid="sort-over"' in stalled and 'data-testid="sort-over"' in late


def test_the_default_order_is_most_days_over_first(projects, people, login):
    _html, stalled, late = _page(login(people["bureau"]))
    assert _names(stalled) == ["E签约", "D签约", "B洽谈", "A线索", "C签约"]
    assert _names(late) == ["E签约", "D签约"]


def test_each_filtered_export_holds_exactly_the_rows_counted(projects, people, login, care):  # noqa: F811
    client = login(people["bureau"])
    query = f"unit_id={people['unit_a'].id}"
    _html, stalled, late = _page(client, query)
    assert total(stalled) == 3 and total(late) == 1
    assert f"unit_id={people['unit_a'].id}" in export_href(stalled)
    rows = exported(client, stalled, "项目")
    assert [r["项目"] for r in rows] == _names(stalled) == ["D签约", "A线索", "C签约"]
    assert rows[0]["超出天数"] == 140 and rows[0]["本阶段天数"] == 200
    assert rows[0]["时限（天）"] == 60 and rows[0]["责任单位"] == "城关街道"
    assert rows[1]["最近跟进"].date() == care.days_ago(5)
    late_rows = exported(client, late, "项目")
    assert [r["项目"] for r in late_rows] == ["D签约"]
    assert late_rows[0]["超出天数"] == 20 and late_rows[0]["签约天数"] == 200


STALLED_UP = {
    "over": ["C签约", "A线索", "B洽谈", "D签约", "E签约"],
    "days": ["A线索", "C签约", "B洽谈", "D签约", "E签约"],
    "name": ["A线索", "B洽谈", "C签约", "D签约", "E签约"],
}


@pytest.mark.parametrize("key", ["over", "days", "name", "follow", "unit"])
def test_every_stalled_sort_works_both_ways(projects, people, login, key):
    client = login(people["bureau"])
    _h, up, _l = _page(client, f"sort={key}")
    _h, down, _l = _page(client, f"sort=-{key}")
    up, down = _names(up), _names(down)
    assert len(up) == 5
    if key == "unit":  # the units' order turns round; within a unit the tiebreak holds
        units = {n: projects[n].unit_id for n in up}
        assert [units[n] for n in down] == list(reversed([units[n] for n in up]))
    else:
        assert down == list(reversed(up))
    if key in STALLED_UP:
        assert up == STALLED_UP[key]
    html, stalled, _late = _page(client, f"sort=-{key}")
    assert [r["项目"] for r in exported(client, stalled, "项目")] == down


@pytest.mark.parametrize("key", ["over", "days", "name", "follow"])
def test_every_not_started_sort_works_both_ways_and_leaves_the_other_list(
    projects, people, login, key
):
    client = login(people["bureau"])
    _h, stalled_up, up = _page(client, f"late_sort={key}")
    _h, stalled_down, down = _page(client, f"late_sort=-{key}")
    assert _names(down) == list(reversed(_names(up))) and len(_names(up)) == 2
    assert (
        _names(stalled_up) == _names(stalled_down) == ["E签约", "D签约", "B洽谈", "A线索", "C签约"]
    )
    assert "late_sort=" in up and [r["项目"] for r in exported(client, down, "项目")] == _names(
        down
    )


@pytest.mark.parametrize("query", ["sort=;drop", "sort=bogus", "late_sort=;drop", "page=-3"])
def test_an_unknown_sort_keeps_the_default_order(projects, people, login, query):
    client = login(people["bureau"])
    shown = [_names(section) for section in _page(client, query)[1:]]
    assert shown == [_names(section) for section in _page(client)[1:]]


def test_each_list_pages_on_its_own_and_the_tallies_count_every_row(app, projects, people, login):
    app.config["PER_PAGE"] = 1
    client = login(people["bureau"])
    html, stalled, late = _page(client, "page=100000&late_page=100000")
    assert _names(stalled) == ["C签约"] and _names(late) == ["D签约"]
    assert total(stalled) == 5 and total(late) == 2
    tallies = html[: html.index('data-testid="stalled-list"')]
    assert re.search(r">城关街道</a></td><td[^>]*>3</td><td[^>]*>1<", tallies)
    html, stalled, late = _page(client, "late_page=2")
    assert _names(stalled) == ["E签约"] and _names(late) == ["D签约"]
    assert "late_page=1" in late and "page=2" in stalled


def test_a_unit_sees_and_exports_only_its_own(projects, people, login):
    client = login(people["other_unit"])
    _html, stalled, late = _page(client, f"unit_id={people['unit_a'].id}")
    assert _names(stalled) == [] and _names(late) == []
    assert exported(client, stalled, "项目") == [] and exported(client, late, "项目") == []
    _html, stalled, late = _page(client)
    assert _names(stalled) == ["E签约", "B洽谈"] and _names(late) == ["E签约"]
    assert [r["项目"] for r in exported(client, stalled, "项目")] == ["E签约", "B洽谈"]
    assert [r["项目"] for r in exported(client, late, "项目")] == ["E签约"]
