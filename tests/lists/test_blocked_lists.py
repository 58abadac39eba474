"""The blocked key projects (受阻的重点项目) through the one list component: roles, the export
of exactly the rows counted with what each lacks, sorts both ways, odd sorts and pages, and a
unit seeing and exporting only its own."""

from __future__ import annotations

import re

import pytest

from app.keyprojects.models import PROCEDURE_KINDS
from tests.lists.helpers import export_href, exported, total

BLOCKED = "/key-projects/blocked"
SHOWN = re.compile(r'<a href="/key-projects/(\d+)">')


@pytest.fixture
def blocked(make, people):
    """Three blocked key projects of 2026 (A, C of unit A; B of unit B), one 续建 of unit A and
    one blocked of 2025, neither listed for 2026."""
    housing = make.unit("住建局", kind="区直部门")
    a, b = people["unit_a"], people["unit_b"]
    school = make.key_project(a, name="A学校", category="新建", programme="基础设施工程")
    hospital = make.key_project(b, name="B医院", category="拟开工", programme="民生工程")
    plant = make.key_project(a, name="C厂房", category="新建", programme="产业工程")
    for kind in PROCEDURE_KINDS:
        if kind != "施工许可":
            make.key_procedure(school, kind, status="done")
        if kind != "环评":
            make.key_procedure(plant, kind, status="na")
    make.key_procedure(school, "施工许可", status="doing", handling_unit=housing)
    make.key_project(a, name="D续建", category="续建")
    make.key_project(a, name="E去年", category="新建", year=2025)
    return {"A": school, "B": hospital, "C": plant}


def _shown(client, query: str = "") -> list[int]:
    response = client.get(f"{BLOCKED}?{query}")
    assert response.status_code == 200, (query, response.status_code)
    return [int(n) for n in dict.fromkeys(SHOWN.findall(response.get_data(as_text=True)))]


def _ids(blocked, names: str) -> list[int]:
    return [blocked[n].id for n in names]


@pytest.mark.parametrize("role", ["bureau", "unit", "other_unit", "leader"])
def test_the_blocked_list_answers_every_role_that_reads_it(blocked, people, login, role):
    html = login(people[role]).get(BLOCKED).get_data(as_text=True)
    assert total(html) == {"unit": 2, "other_unit": 1}.get(role, 3)
    assert 'data-testid="sort-name"' in html


def test_the_export_holds_exactly_the_rows_counted_with_what_each_lacks(blocked, people, login):
    client = login(people["bureau"])
    html = client.get(f"{BLOCKED}?year=2026&sort=name").get_data(as_text=True)
    assert total(html) == 3 and "year=2026" in export_href(html)
    rows = exported(client, html, "项目")
    assert [r["项目"] for r in rows] == ["A学校", "B医院", "C厂房"]
    assert rows[0]["缺少的前置要件"] == "缺：施工许可（帮办：住建局）"
    assert rows[0]["责任单位"] == "城关街道" and rows[0]["工程"] == "基础设施工程"
    assert rows[2]["缺少的前置要件"] == "缺：环评"
    assert rows[1]["缺少的前置要件"] == "缺：" + "、".join(PROCEDURE_KINDS)
    assert "缺：施工许可（帮办：住建局）" in html
    last_year = client.get(f"{BLOCKED}?year=2025").get_data(as_text=True)
    assert total(last_year) == 1 and [r["项目"] for r in exported(client, last_year, "项目")] == [
        "E去年"
    ]


@pytest.mark.parametrize("key", ["name", "programme", "category", "unit"])
def test_every_sort_works_both_ways(blocked, people, login, key):
    client = login(people["bureau"])
    up, down = _shown(client, f"sort={key}"), _shown(client, f"sort=-{key}")
    assert len(up) == 3
    of = {"category": lambda kp: kp.category, "unit": lambda kp: kp.unit_id}.get(key)
    if of:  # ties kept in their tiebreak: the groups' order turns round
        value = {kp.id: of(kp) for kp in blocked.values()}
        assert [value[i] for i in down] == list(reversed([value[i] for i in up]))
    else:
        assert down == list(reversed(up))
    if key == "name":
        assert up == _ids(blocked, "ABC")
    html = client.get(f"{BLOCKED}?sort=-{key}").get_data(as_text=True)
    names = {kp.name: kp.id for kp in blocked.values()}
    assert [names[r["项目"]] for r in exported(client, html, "项目")] == down


@pytest.mark.parametrize("query", ["sort=;drop", "sort=bogus", "page=-3", "year=abc"])
def test_odd_input_keeps_the_default_order(blocked, people, login, query):
    client = login(people["bureau"])
    assert _shown(client, query) == _shown(client) == _ids(blocked, "CAB")  # 工程's order


def test_a_page_beyond_the_last_shows_the_last(app, blocked, people, login):
    app.config["PER_PAGE"] = 2
    client = login(people["bureau"])
    response = client.get(f"{BLOCKED}?page=100000&sort=name")
    assert response.status_code == 200 and total(response.get_data(as_text=True)) == 3
    assert _shown(client, "page=100000&sort=name") == _ids(blocked, "C")


def test_a_unit_sees_and_exports_only_its_own(blocked, people, login):
    client = login(people["other_unit"])
    html = client.get(BLOCKED).get_data(as_text=True)
    assert _shown(client) == _ids(blocked, "B")
    assert [r["项目"] for r in exported(client, html, "项目")] == ["B医院"]
    assert client.get(f"/key-projects/{blocked['A'].id}").status_code == 404
