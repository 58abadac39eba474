"""The dashboard: each figure equals a hand-computed value; each link lists exactly the records
behind it; a unit user sees only their unit; empty years and bad parameters are calm."""

from __future__ import annotations

import re
from datetime import date

import lxml.html
import pytest

W = 10_000  # 元 per 万元


@pytest.fixture
def fixture(make, people):
    """Year 2026, month 6. Signed in 1—6月: p1 (landed), p2 (registered), p4 (dropped)."""
    a, b = people["unit_a"], people["unit_b"]
    p1 = make.project(
        a,
        name="甲项目",
        investor="甲公司",
        signed_on=date(2026, 2, 10),
        contract_investment=1000 * W,
        registered_on=date(2026, 3, 1),
        started_on=date(2026, 5, 1),
        planned_investment=20_000 * W,
    )
    p2 = make.project(
        a,
        name="乙项目",
        investor="乙公司",
        signed_on=date(2026, 3, 5),
        contract_investment=3000 * W,
        registered_on=date(2026, 4, 1),
    )
    make.project(
        a, name="丙项目", investor="丙公司", signed_on=date(2026, 9, 1), contract_investment=500 * W
    )
    p4 = make.project(
        b,
        name="丁项目",
        investor="丁公司",
        signed_on=date(2026, 1, 20),
        contract_investment=2000 * W,
        dropped_on=date(2026, 4, 1),
        drop_reason="投资方撤回",
    )
    make.project(b, name="戊项目", investor="戊公司")
    make.project(
        a,
        name="去年项目",
        investor="己公司",
        signed_on=date(2025, 5, 1),
        contract_investment=800 * W,
        started_on=date(2025, 8, 1),
    )
    make.funds_entry(p1, "500", received_on=date(2026, 3, 15))
    make.funds_entry(p2, "200", received_on=date(2026, 7, 1))
    make.funds_entry(p4, "100", status="pending", received_on=date(2026, 2, 1))
    make.target(a, 2026, funds_total="2000")
    return {"p1": p1, "p2": p2, "p4": p4}


def _page(client, query="year=2026&month=6"):
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(html: str, testid: str) -> str:
    node = lxml.html.fromstring(html).xpath(f'//*[@data-testid="{testid}"]')[0]
    return " ".join(" ".join(node.itertext()).split())


def test_figures_equal_the_hand_computed_values(client, people, login, fixture):
    login(people["bureau"])
    html = _page(client)
    assert _text(html, "kpi-signed").startswith("新签约项目 3 个")
    assert "合同投资 0.60 亿元" in _text(html, "kpi-signed")
    landed = _text(html, "kpi-landed")
    assert "33.3%" in landed and "已落地 1 个 / 签约 3 个" in landed and "按金额 16.7%" in landed
    assert _text(html, "rate-registered") == "66.7%"
    assert _text(html, "rate-started") == "33.3%"
    assert _text(html, "rate-operating") == "0.0%"
    # 500 / 6000 万元: pending excluded, and so is 1 July (after the period 1—6月 ends)
    assert _text(html, "rate-funds") == "8.3%"
    funds = _text(html, "kpi-funds")
    assert "0.05 亿元" in funds  # 500 万元 verified in 1—6月; pending and July excluded
    assert "完成年度目标 25.00%" in funds and "落后 25.00 个百分点" in funds
    assert "红灯" in funds
    assert "100.0%" in _text(html, "kpi-previous")  # 2025 cohort: 1 of 1 started


def _links(html: str, testid: str) -> list[str]:
    tree = lxml.html.fromstring(html)
    return [a.get("href") for a in tree.xpath(f'//*[@data-testid="{testid}"]//a')] or [
        tree.xpath(f'//*[@data-testid="{testid}"]')[0].get("href")
    ]


def _total(client, url: str) -> int:
    page = client.get(url).get_data(as_text=True)
    return int(re.search(r'data-testid="total">(\d+)<', page).group(1))


def test_links_lead_to_lists_whose_counts_equal_the_figures(client, people, login, fixture):
    login(people["bureau"])
    html = _page(client)
    assert _total(client, _links(html, "kpi-signed")[0]) == 3
    assert _total(client, _links(html, "kpi-landed")[0]) == 1
    rates = lxml.html.fromstring(html).xpath('//*[@data-testid="rates"]//a')
    counts = [int(a.text_content()) for a in rates]
    for anchor, expected in zip(rates, counts, strict=True):
        assert _total(client, anchor.get("href")) == expected, anchor.get("href")
    ledger = client.get(_links(html, "kpi-funds")[0]).get_data(as_text=True)
    assert "甲项目" in ledger and "乙项目" not in ledger and "丁项目" not in ledger
    assert _total(client, _links(html, "att-big")[0]) == 0  # 甲 (2 亿) has started


def test_a_unit_users_dashboard_shows_only_their_unit(client, people, login, fixture):
    login(people["other_unit"])  # 北山镇: only 丁项目 (dropped) signed in the period
    html = _page(client)
    assert _text(html, "kpi-signed").startswith("新签约项目 1 个")
    assert "0.0%" in _text(html, "kpi-landed")
    assert "甲项目" not in html and "城关街道" not in html
    assert _total(client, _links(html, "kpi-signed")[0]) == 1


def test_a_year_with_no_data_shows_dashes_not_errors(client, people, login, fixture):
    login(people["leader"])
    html = _page(client, "year=2020&month=3")
    assert _text(html, "kpi-signed").startswith("新签约项目 0 个")
    assert "—" in _text(html, "kpi-landed") and _text(html, "rate-funds") == "—"
    assert "未下达年度目标" in _text(html, "kpi-funds")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=2026&month=13", "月份须在 1—12 之间"),
        ("year=2026&month=0", "月份须在 1—12 之间"),
        ("year=abc&month=2", "年份和月份须为数字"),
        ("year=9999&month=2", "年份须在"),
        ("year=1900&month=2", "年份须在"),
        ("year=2026&month=-1", "年份和月份须为数字"),
    ],
)
def test_bad_parameters_get_a_message_and_the_current_month(client, people, login, query, message):
    login(people["bureau"])
    html = _page(client, query)
    assert message in html


def test_this_months_projects_are_listed_by_name(client, people, login, fixture):
    login(people["bureau"])
    html = _page(client, "year=2026&month=3")
    assert "乙项目" in _text(html, "month-signed")
    assert "甲项目" not in _text(html, "month-signed")


def test_the_auditor_has_no_dashboard(client, people, login):
    login(people["auditor"])
    assert client.get("/dashboard").status_code == 403


def test_a_busy_months_names_are_capped_and_link_to_the_whole_list(
    client, make, people, login, monkeypatch
):
    from app.reports.figures import overview

    monkeypatch.setattr(overview, "NAMES_SHOWN", 2)
    for n in range(3):
        make.project(people["unit_a"], f"项目{n}", f"投资方{n}", signed_on=date(2026, 3, n + 1))
    login(people["bureau"])
    html = _page(client, "year=2026&month=3")
    signed = _text(html, "month-signed")
    assert "签约 3 个" in signed and "项目0" in signed and "项目1" in signed
    assert "项目2" not in signed and "等 3 个，查看全部" in signed
    node = lxml.html.fromstring(html).xpath('//*[@data-testid="month-signed"]')[0]
    (href,) = node.xpath('.//a[contains(., "查看全部")]/@href')
    listing = client.get(href).get_data(as_text=True)
    assert all(f"项目{n}" in listing for n in range(3))
    assert _text(listing, "total") == "3"
