"""The quarterly 督查 view: key-project problems raised in a quarter, per handling unit; each
count links to the problem list showing exactly that many; who sees which rows."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.care.models import Problem

URL = "/key-projects/schedule/inspection"


@pytest.fixture
def become(client, login):
    def do(user):
        client.post("/logout")
        return login(user)

    return do


@pytest.fixture
def quarter(make, people):
    """Key-project problems of 2026 Q4 (the quarter of October, the last ended month on 19
    November), handled by 北山镇 (unit B): one open in time, two open overdue, one resolved
    in time, one resolved late; one not handed over; plus one of Q3 and one aftercare problem
    of Q4, which the view leaves out."""
    plant = make.key_project(people["unit_a"], name="城南污水处理厂")
    road = make.key_project(people["unit_b"], name="北山旅游公路")
    signed = make.project(people["unit_a"], name="新能源电池项目", signed_on=date(2026, 3, 1))
    b = people["unit_b"]

    def problem(subject, raised_on, **fields):
        key = "project_id" if subject is signed else "key_project_id"
        values = {"category": "用地", "description": "需协调", "raised_on": raised_on,
                  "status": "open", key: subject.id, **fields}
        if values["status"] == "resolved":
            values.setdefault("resolution", "已解决")
        return make.add(Problem(**values))

    problem(plant, date(2026, 10, 8), handling_unit_id=b.id, deadline=date(2026, 11, 30))
    problem(plant, date(2026, 10, 9), handling_unit_id=b.id, deadline=date(2026, 11, 1))
    problem(road, date(2026, 11, 2), handling_unit_id=b.id, deadline=date(2026, 11, 18),
            status="in_progress")
    problem(plant, date(2026, 10, 1), handling_unit_id=b.id, deadline=date(2026, 10, 20),
            status="resolved", resolved_on=date(2026, 10, 20))
    problem(road, date(2026, 10, 1), handling_unit_id=b.id, deadline=date(2026, 10, 10),
            status="resolved", resolved_on=date(2026, 10, 15))
    problem(plant, date(2026, 11, 10))  # 未交办
    problem(plant, date(2026, 9, 30), handling_unit_id=b.id, deadline=date(2026, 10, 1))
    problem(signed, date(2026, 10, 5), handling_unit_id=b.id, deadline=date(2026, 10, 6))
    return {"plant": plant, "road": road}


def _rows(page: str) -> dict[str, dict[str, tuple[int, str]]]:
    out = {}
    for row in re.findall(r'<tr data-testid="inspection-row".*?</tr>', page, re.S):
        unit = re.search(r'data-unit="([^"]+)"', row).group(1)
        cells = re.findall(
            r'<a (?:class="[^"]*" )?href="([^"]+)" data-testid="(\w+)">(\d+)</a>', row
        )
        out[unit] = {name: (int(n), href.replace("&amp;", "&")) for href, name, n in cells}
    return out


def _listed(client, href: str) -> int:
    page = client.get(href).get_data(as_text=True)
    return int(re.search(r'data-testid="total">(\d+)<', page).group(1))


def test_the_counts_per_handling_unit_and_each_link_lists_exactly_that_many(
    client, people, become, quarter
):
    become(people["bureau"])
    page = client.get(URL).get_data(as_text=True)
    assert "督查 2026年第4季度" in page
    rows = _rows(page)
    counts = {unit: {k: v[0] for k, v in cells.items()} for unit, cells in rows.items()}
    assert counts["北山镇"] == {"raised": 5, "open": 3, "overdue": 2, "in_time": 1, "late": 1}
    assert counts["未交办"] == {"raised": 1, "open": 1, "overdue": 0, "in_time": 0, "late": 0}
    assert counts["合计"] == {"raised": 6, "open": 4, "overdue": 2, "in_time": 1, "late": 1}
    for cells in rows.values():
        for number, href in cells.values():
            assert _listed(client, href) == number, href


def test_another_quarter_and_unreadable_quarters(client, people, become, quarter):
    become(people["bureau"])
    rows = _rows(client.get(f"{URL}?year=2026&quarter=3").get_data(as_text=True))
    assert rows["北山镇"]["raised"][0] == 1 and rows["北山镇"]["late"][0] == 0
    for query in ("year=2026&quarter=5", "year=abc&quarter=1", "year=99999999999999999999"):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        assert "督查 2026年第4季度" in response.get_data(as_text=True)


def test_a_unit_sees_only_its_own_row_and_its_links_agree(client, people, become, make, quarter):
    become(people["other_unit"])  # 北山镇, the handling unit
    rows = _rows(client.get(URL).get_data(as_text=True))
    assert set(rows) == {"北山镇"}
    assert rows["北山镇"]["raised"][0] == 5
    for number, href in rows["北山镇"].values():
        assert _listed(client, href) == number

    become(people["unit"])  # 城关街道 handles none of them
    rows = _rows(client.get(URL).get_data(as_text=True))
    assert rows == {}

    stranger = make.user("unitc", "unit", unit=make.unit("南湖街道"))
    become(stranger)
    page = client.get(URL).get_data(as_text=True)
    assert _rows(page) == {} and "本季度没有重点项目推进问题" in page


def test_the_leader_reads_it_admin_and_auditor_do_not(client, people, become, quarter):
    become(people["leader"])
    rows = _rows(client.get(URL).get_data(as_text=True))
    assert rows["合计"]["raised"][0] == 6
    for role in ("admin", "auditor"):
        become(people[role])
        assert client.get(URL).status_code == 403
