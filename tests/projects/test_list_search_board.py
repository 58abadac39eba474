"""The list, search and board: filters, counts, sums, and a unit user's scope everywhere."""

from __future__ import annotations

import re
from datetime import date

import pytest


@pytest.fixture
def two_units(make, people):
    a, b = people["unit_a"], people["unit_b"]
    make.project(
        a,
        name="智能制造产业园",
        investor="华润置地（深圳）有限公司",
        planned_investment=12_000 * 10_000,
        signed_on=date(2025, 4, 1),
        contract_investment=10**8,
    )
    make.project(
        a, name="冷链物流中心", investor="顺丰速运有限公司", planned_investment=3_000 * 10_000
    )
    make.project(
        b,
        name="光伏组件项目",
        investor="隆基绿能科技股份有限公司",
        planned_investment=50_000 * 10_000,
        signed_on=date(2024, 6, 1),
        contract_investment=2 * 10**8,
    )
    return a, b


def _total(page: str) -> int:
    return int(re.search(r'data-testid="total">(\d+)<', page).group(1))


@pytest.mark.parametrize(
    "q", ["华润", "华润置地", "置地（深圳）", "hrzd", "HRZD", "智能制造", "znzz"]
)
def test_search_finds_chinese_substrings_of_any_length_and_pinyin_initials(
    client, people, login, two_units, q
):
    login(people["bureau"])
    page = client.get("/projects/", query_string={"q": q}).get_data(as_text=True)
    assert "智能制造产业园" in page
    assert _total(page) == 1


def test_search_treats_percent_and_underscore_literally(client, people, login, two_units):
    login(people["bureau"])
    assert _total(client.get("/projects/?q=%25").get_data(as_text=True)) == 0
    assert _total(client.get("/projects/?q=_").get_data(as_text=True)) == 0


def test_unit_user_sees_only_their_unit_in_list_search_count_and_board(
    client, people, login, two_units
):
    login(people["unit"])
    page = client.get("/projects/").get_data(as_text=True)
    assert _total(page) == 2 and "光伏组件项目" not in page
    assert _total(client.get("/projects/?q=隆基").get_data(as_text=True)) == 0
    board = client.get("/projects/board").get_data(as_text=True)
    assert "光伏组件项目" not in board
    assert 'data-testid="count-signed">1<' in board  # only their own signed project


def test_another_units_project_is_404_everywhere(client, people, login, two_units, app):
    from sqlalchemy import select

    from app.extensions import db
    from app.projects.models import Project

    with app.app_context():
        other = db.session.execute(
            select(Project.id).where(Project.name == "光伏组件项目")
        ).scalar()
    login(people["unit"])
    for method, url in (
        ("get", f"/projects/{other}"),
        ("get", f"/projects/{other}/edit"),
        ("get", f"/projects/{other}/advance/started"),
        ("post", f"/projects/{other}/follow-ups"),
        ("post", f"/projects/{other}/drop"),
        ("get", f"/projects/{other}/contacts/new"),
    ):
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stage": "signed"}, 2),
        ({"stage": "lead"}, 1),
        ({"signed_year": "2025"}, 1),
        ({"big": "1"}, 2),
        ({"unit_id": "UNIT_B"}, 1),
        ({"industry": "三产"}, 0),
        ({"province": "广东省"}, 3),
        ({"stage": "bogus", "unit_id": "x", "page": "-3"}, 3),
    ],
)
def test_filters(client, people, login, two_units, query, expected):
    login(people["bureau"])
    query = {k: (str(people["unit_b"].id) if v == "UNIT_B" else v) for k, v in query.items()}
    assert _total(client.get("/projects/", query_string=query).get_data(as_text=True)) == expected


# P1..P4, created in this order: name, investor, unit (index), planned and contracted 万元,
# source, industry, province, milestone dates. Names say nothing of any other key.
SORTABLE = {
    "P1": ("Bravo项目", "Cedar有限公司", 2, 100, 50, "企业来访", "三产", "北京市",
           {"lead_on": date(2024, 1, 10), "signed_on": date(2025, 5, 1),
            "started_on": date(2025, 6, 1)}),
    "P2": ("Delta项目", "Apex有限公司", 1, 300, None, "中介推荐", "工业", "浙江省",
           {"lead_on": date(2025, 9, 1)}),
    "P3": ("Alpha项目", "Dune有限公司", 3, 200, 80, "以商招商", "工业", "广东省",
           {"lead_on": date(2024, 5, 1), "signed_on": date(2025, 3, 1)}),
    "P4": ("Charlie项目", "Birch有限公司", 0, 400, None, "展会", "农业", "上海市",
           {"lead_on": date(2024, 2, 1), "negotiating_on": date(2025, 1, 15)}),
}  # fmt: skip


@pytest.fixture
def sortable(make, people):
    """Four projects whose order differs by every sort key; key (P1..P4) -> name.

    The default -id is P4, P3, P2, P1; every key's ascending order is neither that nor its
    reverse, so a sort that is ignored shows, and no two keys order them alike.
    """
    units = [people["unit_a"], people["unit_b"], make.unit("南湖园区"), make.unit("西岭乡")]
    for name, investor, unit, planned, contract, source, industry, province, dates in (
        SORTABLE.values()
    ):
        make.project(
            units[unit],
            name=name,
            investor=investor,
            planned_investment=planned * 10_000,
            contract_investment=contract and contract * 10_000,
            source=source,
            industry=industry,
            origin_province=province,
            **dates,
        )
    return {key: row[0] for key, row in SORTABLE.items()}


# Each key's ascending order; descending is its reverse except where ties (broken by newest
# first) and missing values (always last) say otherwise.
SORT_ORDERS = {
    "name": ("P3 P1 P4 P2", "P2 P4 P1 P3"),
    "investor": ("P2 P4 P1 P3", "P3 P1 P4 P2"),
    "unit": ("P4 P2 P1 P3", "P3 P1 P2 P4"),
    "stage": ("P2 P4 P3 P1", "P1 P3 P4 P2"),
    "since": ("P4 P3 P1 P2", "P2 P1 P3 P4"),
    "planned": ("P1 P3 P2 P4", "P4 P2 P3 P1"),
    "signed": ("P3 P1 P4 P2", "P1 P3 P4 P2"),  # never signed: last both ways
    "contract": ("P1 P3 P4 P2", "P3 P1 P4 P2"),  # no contract amount: last both ways
    "source": ("P2 P3 P1 P4", "P4 P1 P3 P2"),
    "industry": ("P1 P4 P3 P2", "P3 P2 P4 P1"),  # P2 and P3 tie: newest first both ways
    "origin": ("P4 P1 P3 P2", "P2 P3 P1 P4"),
    "id": ("P1 P2 P3 P4", "P4 P3 P2 P1"),
}
SORT_CASES = [
    *((key, asc) for key, (asc, _) in SORT_ORDERS.items()),
    *((f"-{key}", desc) for key, (_, desc) in SORT_ORDERS.items()),
    ("bogus", "P4 P3 P2 P1"),  # unknown: newest first
    ("", "P4 P3 P2 P1"),
]


@pytest.mark.parametrize(("sort", "expected"), SORT_CASES)
def test_every_sort_orders_the_list_both_ways(client, people, login, sortable, sort, expected):
    login(people["leader"])
    page = client.get("/projects/", query_string={"sort": sort}).get_data(as_text=True)
    shown = re.findall(r'<a href="/projects/\d+">([^<]+)</a>', page)
    assert shown == [sortable[key] for key in expected.split()]


def test_board_counts_and_sums_are_exact_beyond_the_first_fifty_cards(client, people, login, make):
    for i in range(53):
        make.project(
            people["unit_a"],
            name=f"线索{i:02d}",
            investor=f"投资方{i}",
            planned_investment=(i + 1) * 1_000_000,
        )
    login(people["bureau"])
    board = client.get("/projects/board").get_data(as_text=True)
    assert 'data-testid="count-lead">53<' in board
    assert board.count('data-testid="card-') == 50
    # 1..53 × 100 万元 = 143,100 万元 = 14.31 亿元
    assert "计划总投资 14.31 亿元" in board
    more = client.get("/projects/board/0?offset=50").get_data(as_text=True)
    assert more.count('data-testid="card-') == 3


def _column(board: str, stage: str) -> int:
    return int(re.search(rf'data-testid="count-{stage}">(\d+)<', board).group(1))


def test_the_board_totals_kept_between_views_follow_every_change_and_scope(
    app, client, people, login, two_units
):
    from sqlalchemy import select

    from app.extensions import db
    from app.projects.models import Project
    from tests.factories import PASSWORD

    login(people["bureau"])
    board = client.get("/projects/board").get_data(as_text=True)
    assert (_column(board, "lead"), _column(board, "signed")) == (1, 2)
    again = client.get("/projects/board").get_data(as_text=True)  # the kept totals
    assert (_column(again, "lead"), _column(again, "signed")) == (1, 2)
    unit = app.test_client()  # the same filters in a unit's scope are counted apart
    unit.post("/login", data={"username": people["unit"].username, "password": PASSWORD})
    mine = unit.get("/projects/board").get_data(as_text=True)
    assert (_column(mine, "lead"), _column(mine, "signed")) == (1, 1)
    with app.app_context():  # a change committed elsewhere (another process, say)
        lead = db.session.scalar(select(Project).where(Project.name == "冷链物流中心"))
        lead.signed_on = date(2025, 5, 1)
        db.session.commit()
    after = client.get("/projects/board").get_data(as_text=True)
    assert (_column(after, "lead"), _column(after, "signed")) == (0, 3)
    assert "计划总投资 6.50 亿元" in after  # 12,000 + 3,000 + 50,000 万元 signed


def test_board_respects_the_list_filters(client, people, login, two_units):
    login(people["bureau"])
    board = client.get("/projects/board?q=光伏").get_data(as_text=True)
    assert "光伏组件项目" in board and "智能制造产业园" not in board


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"milestone": "signed", "year": "2025", "month_to": "4"}, 1),
        ({"milestone": "signed", "year": "2025", "month_to": "3"}, 0),
        ({"milestone": "signed", "year": "2024", "month_from": "6", "month_to": "6"}, 1),
        ({"reached": "signed"}, 2),
        ({"reached": "registered"}, 0),
        ({"signed_year": "99999"}, 3),
        ({"milestone": "signed", "year": "0"}, 3),
        ({"milestone": "bogus", "year": "2025"}, 3),
    ],
)
def test_milestone_period_and_reached_filters(client, people, login, two_units, query, expected):
    login(people["bureau"])
    assert _total(client.get("/projects/", query_string=query).get_data(as_text=True)) == expected
