"""The key projects behind a figure (重点项目台账, 三类现象) through the one list component:
paged, sortable, exported exactly as counted, totals over every row, a unit seeing its own."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.care.conftest import care  # noqa: F401  (fixture)
from tests.lists.helpers import export_href, exported, total
from tests.reports.test_keyproject_ledger import COUNT, district  # noqa: F401  (fixture)

RECORDS = "/key-projects/figures/records?year=2026&month=10"
SHOWN = re.compile(r'<tr data-key-project="(\d+)"')


def _shown(client, query: str = "") -> list[int]:
    response = client.get(f"{RECORDS}&{query}")
    assert response.status_code == 200, (query, response.status_code)
    return [int(n) for n in SHOWN.findall(response.get_data(as_text=True))]


def _ids(district, *names):  # noqa: F811
    return [district[n].id for n in names]


@pytest.mark.parametrize("role", ["bureau", "leader", "unit", "other_unit"])
def test_the_records_answer_every_role_that_reads_reports(district, people, login, role):  # noqa: F811
    html = login(people[role]).get(RECORDS).get_data(as_text=True)
    assert total(html) == {"unit": 3, "other_unit": 2}.get(role, 5)
    assert COUNT.search(html) and 'data-testid="sort-total"' in html


def test_a_figures_export_holds_exactly_the_rows_counted(district, people, login):  # noqa: F811
    client = login(people["bureau"])
    html = client.get(f"{RECORDS}&key=started&sort=-total").get_data(as_text=True)
    counted = total(html)
    assert counted == 3 and int(COUNT.search(html).group(1)) == counted
    href = export_href(html)
    assert "key=started" in href and "sort=-total" in href and "year=2026" in href
    rows = exported(client, html, "项目名称")
    assert len(rows) == counted
    assert [r["项目名称"] for r in rows] == ["城南污水处理厂", "北山物流园", "智能制造产业园"]
    assert rows[0]["总投资"] == 20000 and rows[0]["累计完成"] == 5000


@pytest.mark.parametrize(
    ("key", "ascending"),
    [("total", ["文旅", "k2", "k4", "k1", "k3"]), ("plan", ["文旅", "k2", "k4", "k1", "k3"]),
     ("name", None), ("category", None), ("leader", None), ("unit", None)],
)  # fmt: skip
def test_every_sort_works_both_ways(district, people, login, key, ascending):  # noqa: F811
    client = login(people["bureau"])
    up, down = _shown(client, f"sort={key}"), _shown(client, f"sort=-{key}")
    assert len(up) == 5 and sorted(up) == sorted(down) and up != down
    if ascending:
        known = {district[n].id for n in ascending if n in district}
        assert [i for i in up if i in known] == [district[n].id for n in ascending if n in district]
        assert down == list(reversed(up))
    if key == "name":
        assert down == list(reversed(up))


def test_an_unknown_sort_keeps_the_ledgers_order(district, people, login):  # noqa: F811
    client = login(people["bureau"])
    assert _shown(client, "sort=;drop") == _shown(client)


def test_a_page_beyond_the_last_shows_the_last_and_totals_every_row(app, district, people, login):  # noqa: F811
    app.config["PER_PAGE"] = 2
    client = login(people["bureau"])
    html = client.get(f"{RECORDS}&page=100000").get_data(as_text=True)
    assert total(html) == 5 and len(SHOWN.findall(html)) == 1
    found = COUNT.search(html)
    assert found.group(1) == "5" and found.group(2) == "96,000.00"  # all five, not the page
    assert len(exported(client, html, "项目名称")) == 5


def test_an_unknown_figure_or_filter_is_a_page(district, people, login):  # noqa: F811
    client = login(people["bureau"])
    for query in ("key=;drop", "unit_id=99999999999999999999", "category=x&leader_id=-1"):
        response = client.get(f"{RECORDS}&{query}")
        assert response.status_code == 200, query
        assert total(response.get_data(as_text=True)) in (0, 5)


def test_a_unit_sees_and_exports_only_its_own(district, people, login):  # noqa: F811
    client = login(people["other_unit"])
    html = client.get(RECORDS).get_data(as_text=True)
    assert district["k4"].id in [int(n) for n in SHOWN.findall(html)] and total(html) == 2
    names = {r["项目名称"] for r in exported(client, html, "项目名称")}
    assert names == {"北山物流园", "北山文旅小镇"}
    other = client.get(f"{RECORDS}&unit_id={people['unit_a'].id}").get_data(as_text=True)
    assert total(other) == 0


OVERDUE = "/dashboard/commitments"
COMMITMENT = re.compile(r'<tr data-testid="commitment-row">\s*<td[^>]*>([\d-]+)</td>')


@pytest.fixture
def overdue(make, people, care):  # noqa: F811
    """Two overdue commitments of unit A's project, one of unit B's, one not yet due."""
    mine = make.project(people["unit_a"], "新能源电池项目", signed_on=date(2026, 5, 1))
    theirs = make.project(people["unit_b"], "文旅综合体", signed_on=date(2026, 5, 1))
    for project, unit, due in ((mine, "unit_a", date(2026, 10, 1)),
                               (theirs, "unit_b", date(2026, 9, 1)),
                               (mine, "unit_a", date(2026, 11, 1)),
                               (mine, "unit_a", date(2026, 12, 31))):  # fmt: skip
        care.commitment(project, people[unit], f"{due}前完成道路硬化", due_on=due)


def test_overdue_commitments_page_sort_and_export_as_counted(app, overdue, people, login):
    client = login(people["bureau"])
    html = client.get(OVERDUE).get_data(as_text=True)
    assert total(html) == 3
    assert COMMITMENT.findall(html) == ["2026-09-01", "2026-10-01", "2026-11-01"]
    down = client.get(f"{OVERDUE}?sort=-due").get_data(as_text=True)
    assert COMMITMENT.findall(down) == ["2026-11-01", "2026-10-01", "2026-09-01"]
    rows = exported(client, down, "期限")
    assert [r["项目"] for r in rows] == ["新能源电池项目", "新能源电池项目", "文旅综合体"]
    assert rows[0]["逾期天数"] == 18 and rows[0]["落实单位"] == "城关街道"
    app.config["PER_PAGE"] = 2
    last = client.get(f"{OVERDUE}?page=100000&sort=;drop").get_data(as_text=True)
    assert total(last) == 3 and COMMITMENT.findall(last) == ["2026-11-01"]


def test_a_unit_sees_and_exports_only_its_overdue_commitments(overdue, people, login):
    client = login(people["other_unit"])
    html = client.get(OVERDUE).get_data(as_text=True)
    assert COMMITMENT.findall(html) == ["2026-09-01"]
    assert [r["项目"] for r in exported(client, html, "期限")] == ["文旅综合体"]
