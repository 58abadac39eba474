"""The project list through the one list component: roles, its export (the registry's import-
compatible `projects` sheet) of exactly the rows counted, every sort both ways, odd sorts and
pages, a unit seeing only its own rows, and the top bar's matching in its search box."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.projects.models import ProjectContact
from app.projects.queries import SORTS
from tests.lists.helpers import export_href, exported, total

NAME = re.compile(r'href="/projects/\d+">([^<]+)</a>')
WAN = 10_000


@pytest.fixture
def three(make, people):
    """Three projects of three units, differing in every sorted column."""
    unit_c = make.unit("南湖园区", kind="园区")
    a = make.project(
        people["unit_a"],
        "甲智能装备项目",
        "安泰精工有限公司",
        source="招商推介会",
        industry="工业",
        origin_province="广东省",
        planned_investment=500 * WAN,
        contract_investment=100 * WAN,
        signed_on=date(2025, 3, 1),
    )
    b = make.project(
        people["unit_b"],
        "乙新材料项目",
        "博远新材料股份公司",
        source="展会",
        industry="三产",
        origin_province="浙江省",
        planned_investment=1000 * WAN,
        contract_investment=200 * WAN,
        signed_on=date(2025, 4, 1),
        registered_on=date(2025, 5, 1),
    )
    c = make.project(
        unit_c,
        "丙冷链物流项目",
        "辰星物流集团",
        source="以商招商",
        industry="农业",
        origin_province="江苏省",
        planned_investment=300 * WAN,
        contract_investment=300 * WAN,
        signed_on=date(2025, 2, 1),
        registered_on=date(2025, 2, 10),
        started_on=date(2025, 7, 1),
    )
    make.add(ProjectContact(project_id=b.id, name="欧阳明", phone="+8613812345678"))
    return {"a": a, "b": b, "c": c}


def _rows(client, html: str) -> list[dict]:
    """The export's project rows (its 合计 row apart)."""
    return [r for r in exported(client, html, "项目名称") if r["项目名称"] != "合计"]


def _names(client, query: str = "") -> list[str]:
    response = client.get(f"/projects/?{query}")
    assert response.status_code == 200, (query, response.status_code)
    return NAME.findall(response.get_data(as_text=True))


@pytest.mark.parametrize(('role', 'shown'), [("bureau", 3), ("leader", 3), ("unit", 1),
                                         ("other_unit", 1)])  # fmt: skip
def test_the_list_answers_every_role_that_reads_it(three, people, login, role, shown):
    html = login(people[role]).get("/projects/").get_data(as_text=True)
    assert total(html) == shown
    assert 'data-testid="sort-name"' in html and "bi-arrow-down-up" in html
    assert 'data-testid="list-export"' in html and 'data-testid="list-print"' in html


def test_a_filtered_lists_export_holds_exactly_the_rows_counted(three, people, login):
    client = login(people["bureau"])
    html = client.get("/projects/?industry=工业&sort=-planned").get_data(as_text=True)
    assert total(html) == 1 and NAME.findall(html) == ["甲智能装备项目"]
    href = export_href(html)
    assert href.startswith("/exports/projects?") and "sort=-planned" in href
    rows = _rows(client, html)
    assert [r["项目名称"] for r in rows] == ["甲智能装备项目"]
    assert rows[0]["投资方"] == "安泰精工有限公司"


def test_the_export_keeps_the_order_shown(three, people, login):
    client = login(people["bureau"])
    html = client.get("/projects/?sort=planned").get_data(as_text=True)
    shown = NAME.findall(html)
    assert shown == ["丙冷链物流项目", "甲智能装备项目", "乙新材料项目"]
    rows = _rows(client, html)
    assert [r["项目名称"] for r in rows] == shown and len(rows) == total(html)


@pytest.mark.parametrize("key", sorted(SORTS))
def test_every_sort_works_both_ways(three, people, login, key):
    client = login(people["bureau"])
    ascending, descending = _names(client, f"sort={key}"), _names(client, f"sort=-{key}")
    assert sorted(ascending) == sorted(descending) and len(ascending) == 3
    assert ascending == descending[::-1], key


ODD = ["sort=;drop table projects", "sort=--name", "sort=bogus", "page=100000",
       "page=-3&sort=name", "q=没有这个项目"]  # fmt: skip


@pytest.mark.parametrize("query", ODD)
def test_odd_input_answers_with_a_page(three, people, login, query):
    client = login(people["bureau"])
    response = client.get(f"/projects/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    names = NAME.findall(html)
    if query.startswith("q="):
        assert total(html) == 0 and "没有符合条件的项目" in html
    else:
        assert total(html) == 3 and len(names) == 3  # the last (only) page, not an empty one
    if "drop" in query or "bogus" in query:
        assert names == _names(client)  # the default order


def test_a_page_beyond_the_last_shows_the_last(app, make, people, login):
    for n in range(3):
        make.project(people["unit_a"], f"分页项目{n}", f"分页投资方{n}")
    app.config["PER_PAGE"] = 2
    html = login(people["bureau"]).get("/projects/?page=100000&sort=name").get_data(as_text=True)
    assert total(html) == 3 and NAME.findall(html) == ["分页项目2"]


def test_a_units_page_and_export_hold_only_its_rows(three, people, login):
    client = login(people["unit"])
    html = client.get("/projects/").get_data(as_text=True)
    assert NAME.findall(html) == ["甲智能装备项目"]
    assert [r["项目名称"] for r in _rows(client, html)] == ["甲智能装备项目"]
    asked = client.get(f"/exports/projects?unit_id={people['unit_b'].id}")
    html = client.get(f"/projects/?unit_id={people['unit_b'].id}").get_data(as_text=True)
    assert total(html) == 0 and asked.status_code == 200
    assert _rows(client, html) == []


FOUND = [("bureau", ["乙新材料项目"]), ("other_unit", ["乙新材料项目"]), ("unit", [])]


@pytest.mark.parametrize(("role", "found"), FOUND)
def test_the_search_finds_a_contacts_phone_within_the_scope(three, people, login, role, found):
    client = login(people[role])
    assert _names(client, "q=138 1234 5678") == found
    assert _names(client, "q=13812345678") == found
    assert _names(client, "q=欧阳") == found


def test_the_search_matches_every_word_pinyin_included(three, people, login):
    client = login(people["bureau"])
    assert _names(client, "q=新材料 博远") == ["乙新材料项目"]
    assert _names(client, "q=新材料 安泰") == []
    assert _names(client, "q=lenglian") == ["丙冷链物流项目"]
    assert _names(client, "q=jzn") == ["甲智能装备项目"]


def test_too_many_words_are_cut_with_a_message(three, people, login):
    html = login(people["bureau"]).get("/projects/?q=a1 b2 c3 d4 e5 f6").get_data(as_text=True)
    assert 'data-testid="search-message"' in html and "词语过多" in html


def test_the_follow_ups_due_list_sorts_and_exports_the_users_own(make, three, people, login):
    for project, due in ((three["a"], date(2026, 11, 1)), (three["b"], date(2026, 10, 1))):
        make.follow_up(project, people["bureau"], date(2026, 9, 1), next_step=f"回访{project.id}",
                       next_due_on=due)  # fmt: skip
    make.follow_up(three["c"], people["unit"], date(2026, 9, 1), next_step="别人的",
                   next_due_on=date(2026, 9, 5))  # fmt: skip
    client = login(people["bureau"])
    html = client.get("/projects/follow-ups/due").get_data(as_text=True)
    assert total(html) == 2 and "别人的" not in html
    rows = exported(client, html, "项目名称")
    assert [r["项目名称"] for r in rows] == ["乙新材料项目", "甲智能装备项目"]
    html = client.get("/projects/follow-ups/due?sort=-due").get_data(as_text=True)
    assert [r["项目名称"] for r in exported(client, html, "项目名称")] == [
        "甲智能装备项目", "乙新材料项目"]  # fmt: skip
