"""The administrator's accounts and units, and the import batches, through the one list
component: who may open them, exports of exactly the rows counted, sorts both ways, odd
queries, and a unit seeing only its own import batches."""

from __future__ import annotations

import re

import pytest

from app.auth.models import ROLES
from app.imports.models import ImportBatch
from tests.lists.helpers import export_href, exported, total
from tests.lists.walk import assert_odd_queries_answer, assert_sorts_both_ways

USERNAME = re.compile(r"<tr>\s*<td>([a-z0-9]+)</td>")
UNIT = re.compile(r"<tr[^>]*>\s*<td>([^<]+)</td><td>")
BATCH = re.compile(r'data-batch="(\d+)"')


@pytest.mark.parametrize("role", ["bureau", "unit", "auditor", "leader"])
def test_only_the_admin_opens_accounts_and_units(people, login, role):
    client = login(people[role])
    for url in ("/admin/users/", "/admin/units/", "/exports/users", "/exports/units"):
        assert client.get(url).status_code == 403, (role, url)


def test_the_accounts_export_holds_the_rows_counted_in_order(people, login):
    client = login(people["admin"])
    html = client.get("/admin/users/?role=unit&sort=-username").get_data(as_text=True)
    assert total(html) == 2 and "role=unit" in export_href(html)
    rows = exported(client, html, "用户名")
    assert [r["用户名"] for r in rows] == USERNAME.findall(html) == ["unitb", "unita"]
    assert rows[1]["所属单位"] == "城关街道" and rows[1]["角色"] == ROLES["unit"]


@pytest.mark.parametrize("key", ["username", "name", "login"])
def test_every_accounts_sort_works(people, login, key):
    client = login(people["admin"])
    if key == "login":  # only one account has logged in: it moves from one end to the other
        up = re.findall(r"<tr>\s*<td>([a-z0-9]+)</td>", client.get("/admin/users/?sort=login").text)
        down = re.findall(
            r"<tr>\s*<td>([a-z0-9]+)</td>", client.get("/admin/users/?sort=-login").text
        )
        assert sorted(up) == sorted(down) and up != down
        return
    assert_sorts_both_ways(client, "/admin/users/", key, USERNAME)


def test_accounts_answer_odd_queries(people, login):
    assert_odd_queries_answer(login(people["admin"]), "/admin/users/", USERNAME, 6)


def test_the_units_export_holds_the_rows_counted(make, people, login):
    make.unit("区发改委", kind="区直部门")
    client = login(people["admin"])
    html = client.get("/admin/units/?kind=乡镇街道&sort=name").get_data(as_text=True)
    assert total(html) == 2 and "kind=" in export_href(html)
    rows = exported(client, html, "单位名称")
    assert [r["单位名称"] for r in rows] == UNIT.findall(html)
    assert {r["单位名称"]: r["账户数"] for r in rows} == {"城关街道": 1, "北山镇": 1}
    assert_sorts_both_ways(client, "/admin/units/", "name", UNIT)
    assert_odd_queries_answer(client, "/admin/units/", UNIT, 3)


@pytest.fixture
def batches(make, people):
    for n, (unit, user) in enumerate([("unit_a", "unit"), ("unit_b", "other_unit"),
                                      (None, "bureau")]):  # fmt: skip
        make.add(ImportBatch(kind="projects", sha256=f"{n}" * 64, filename=f"第{n}批.xlsx",
                             row_count=10 + n, user_id=people[user].id,
                             unit_id=people[unit].id if unit else None))  # fmt: skip


@pytest.mark.parametrize(("role", "shown"), [("bureau", 3), ("unit", 1), ("other_unit", 1)])
def test_import_batches_export_what_the_page_counts(batches, people, login, role, shown):
    client = login(people[role])
    html = client.get("/imports/batches").get_data(as_text=True)
    assert total(html) == shown
    rows = exported(client, html, "批次")
    assert [str(r["批次"]) for r in rows] == BATCH.findall(html)


def test_import_batches_sort_both_ways(batches, people, login):
    client = login(people["bureau"])
    for key in ("id", "rows"):
        assert_sorts_both_ways(client, "/imports/batches", key, BATCH)
    assert_odd_queries_answer(client, "/imports/batches", BATCH, 3)
