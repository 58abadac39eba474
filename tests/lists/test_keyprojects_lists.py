"""The key-project register through the one list component: roles, its export of exactly the
rows counted, every sort both ways, odd sorts and pages, a unit seeing only its own."""

from __future__ import annotations

import re

import pytest

from tests.lists.helpers import export_href, exported, total

REGISTER = "/key-projects/?year=2026"
SHOWN = re.compile(r'href="/key-projects/(\d+)"')


@pytest.fixture
def register(make, people):
    """Three 2026 key projects differing in every sorted column (two of unit A, one of B)."""
    lead = make.leader("王区长", "区长")
    return [
        make.key_project(people["unit_a"], "甲污水处理厂", programme="基础设施工程",
                         category="续建", total_wan="20000", plan_wan="6000", leader_id=lead.id),
        make.key_project(people["unit_b"], "乙物流园", programme="产业项目工程",
                         category="新建", total_wan="8000", plan_wan="3000"),
        make.key_project(people["unit_a"], "丙文旅小镇", programme="文旅工程",
                         category="前期", total_wan="50000", plan_wan="12000"),
    ]  # fmt: skip


def _shown(client, query: str = "") -> list[int]:
    response = client.get(f"{REGISTER}&{query}")
    assert response.status_code == 200, (query, response.status_code)
    return [int(n) for n in SHOWN.findall(response.get_data(as_text=True))]


@pytest.mark.parametrize("role", ["bureau", "unit", "other_unit", "leader"])
def test_the_register_answers_every_role_that_reads_it(register, people, login, role):
    html = login(people[role]).get(REGISTER).get_data(as_text=True)
    assert total(html) == {"unit": 2, "other_unit": 1}.get(role, 3)


def test_a_filtered_registers_export_holds_exactly_the_rows_counted(register, people, login):
    client = login(people["bureau"])
    html = client.get(f"{REGISTER}&unit_id={people['unit_a'].id}&sort=-total").text
    assert total(html) == 2 and f"unit_id={people['unit_a'].id}" in export_href(html)
    rows = exported(client, html, "名称")
    assert [r["名称"] for r in rows] == ["丙文旅小镇", "甲污水处理厂"]
    assert rows[1]["总投资（万元）"] == 20000 and rows[1]["包保领导"] == "王区长"


@pytest.mark.parametrize("key", ["name", "programme", "category", "total", "plan", "unit"])
def test_every_sort_works_both_ways(register, people, login, key):
    client = login(people["bureau"])
    up, down = _shown(client, f"sort={key}"), _shown(client, f"sort=-{key}")
    assert len(up) == 3 and up != down
    if key != "unit":  # two share a unit
        assert down == list(reversed(up))
    if key in ("total", "plan"):
        assert up == [register[1].id, register[0].id, register[2].id]


def test_odd_sorts_and_pages_answer_with_a_page(app, register, people, login):
    client = login(people["bureau"])
    assert _shown(client, "sort=;drop") == _shown(client)
    app.config["PER_PAGE"] = 2
    html = client.get(f"{REGISTER}&page=100000&sort=total").text
    assert total(html) == 3 and [int(n) for n in SHOWN.findall(html)] == [register[2].id]
    assert "共3项" in html  # the totals count every row, not the page


def test_a_unit_sees_and_exports_only_its_own(register, people, login):
    client = login(people["other_unit"])
    html = client.get(REGISTER).text
    assert _shown(client) == [register[1].id]
    assert [r["名称"] for r in exported(client, html, "名称")] == ["乙物流园"]
    assert client.get(f"/key-projects/{register[0].id}").status_code == 404
