"""The 台账 page and the lists behind its numbers: every number links to a list of exactly
that many key projects (or that sum); a unit sees only its own; every role as it should."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import lxml.html
import pytest

RECORDS = "/key-projects/figures/records"
COUNT = re.compile(r"共 <strong>(\d+)</strong> 个项目，总投资 ([\d,.]+) 万元，"
                   r"年度计划 ([\d,.]+) 万元，累计完成 ([\d,.]+) 万元")
NUMBER = re.compile(r"^\s*([\d,]+(?:\.\d+)?)\s*$")


@pytest.fixture
def district(make, people):
    """Two units' key projects of 2026 (and one of 2025 that never counts), with reports."""
    a, b = people["unit_a"], people["unit_b"]
    wang = make.leader("王区长", "区长", head_kind="government")
    k1 = make.key_project(a, "城南污水处理厂", programme="基础设施工程", category="续建",
                          total_wan="20000", plan_wan="6000", leader_id=wang.id,
                          started_on=date(2025, 3, 1), in_statistics=True)
    k2 = make.key_project(a, "智能制造产业园", programme="产业项目工程", category="新建",
                          total_wan="8000", plan_wan="3000", started_on=date(2026, 5, 1),
                          planned_start_on=date(2026, 4, 1))
    k3 = make.key_project(a, "城中村改造一期", programme="城中村改造工程", category="新建",
                          total_wan="50000", plan_wan="12000",
                          planned_start_on=date(2026, 11, 20))
    k4 = make.key_project(b, "北山物流园", programme="产业项目工程", category="拟开工",
                          total_wan="15000", plan_wan="5000", leader_id=wang.id,
                          started_on=date(2026, 8, 1))
    make.key_project(b, "北山文旅小镇", programme="基础设施工程", category="前期",
                     total_wan="3000", plan_wan="0")
    make.key_project(a, "去年的项目", year=2025, total_wan="1000", plan_wan="500")
    for month in range(1, 11):
        make.key_report(k1, month, invested_wan="500", progress=f"{month}月施工")
    for month in range(5, 11):
        make.key_report(k2, month, invested_wan="100", progress="厂房建设")
    make.key_report(k4, 8, invested_wan="2000", progress="场地平整")
    make.key_report(k4, 11, invested_wan="3000", progress="主体施工")  # after 1—10月
    return {"k1": k1, "k2": k2, "k3": k3, "k4": k4, "wang": wang}


def _list(client, href: str) -> tuple[int, list[Decimal]]:
    page = client.get(href)
    assert page.status_code == 200, href
    found = COUNT.search(page.get_data(as_text=True))
    assert found, f"{href} shows no count"
    return int(found.group(1)), [Decimal(v.replace(",", "")) for v in found.groups()[1:]]


def _walk(client, url: str) -> int:
    """Every number linking to the records list equals that list's count or one of its sums."""
    tree = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    walked = 0
    for anchor in tree.xpath("//main//a[@href]"):
        href = anchor.get("href")
        text = anchor.text_content().strip()
        match = NUMBER.match(text)
        if urlsplit(href).path != RECORDS or not match:
            continue
        value = Decimal(match.group(1).replace(",", ""))
        count, sums = _list(client, href)
        if "." in text:  # an amount: 万元 on the tables, 亿元 on the header figures
            assert value in sums or value in [(s / 10_000).quantize(Decimal("0.01"))
                                              for s in sums], (text, href)
        else:
            assert value == count, (text, href)
        walked += 1
    return walked


def test_every_number_on_the_ledger_and_flags_pages_equals_its_list(district, people, login):
    client = login(people["bureau"])
    assert _walk(client, "/key-projects/figures/ledger?year=2026&month=10") > 40
    assert _walk(client, "/key-projects/figures/flags?year=2026&month=10") > 5


def test_the_ledger_shows_the_headline_figures_and_table(district, people, login):
    text = login(people["bureau"]).get("/key-projects/figures/ledger").get_data(as_text=True)
    assert ("计划实施重点项目5项，其中续建1项、新建2项、拟开工1项、前期1项，总投资9.6亿元，"
            "当年计划完成投资2.6亿元") in text
    assert ("去年结转的1个项目，1个已开工建设；2个新开工项目，1个已开始地基施工，1个将于近期开工；"
            "1个拟开工项目，1个已开工；1个前期项目") in text
    tree = lxml.html.fromstring(text)
    assert tree.xpath('string(//*[@data-testid="count"])').strip() == "5"
    # 1—10月: 5,000 + 600 + 2,000 = 7,600 万 of 26,000 万 = 29.23 %; 83.33 − 29.23 = 54.10
    assert tree.xpath('string(//*[@data-testid="header-figures"]//*[@data-testid="rate"])'
                      ).strip() == "29.23%"
    assert "落后54.10" in tree.xpath('string(//*[@data-testid="header-figures"])')
    assert "去年的项目" not in text
    body = tree.xpath('//table[@data-testid="ledger"]')[0]
    names = [a.text_content() for a in body.xpath(".//tr[@data-key-project]/td[1]/a")]
    assert sorted(names) == sorted(
        ["城南污水处理厂", "智能制造产业园", "城中村改造一期", "北山物流园", "北山文旅小镇"])
    assert f'href="/key-projects/{district["k1"].id}"' in text
    assert len(body.xpath(".//tr[@data-subtotal]")) == 3  # one subtotal per 工程


def test_a_unit_sees_only_its_own_key_projects(district, people, login):
    client = login(people["other_unit"])
    text = client.get("/key-projects/figures/ledger").get_data(as_text=True)
    assert "北山物流园" in text and "北山文旅小镇" in text
    for name in ("城南污水处理厂", "智能制造产业园", "城中村改造一期", "王区长（"):
        assert name not in text
    assert "计划实施重点项目2项，其中拟开工1项、前期1项，总投资1.8亿元" in text
    assert "去年结转" not in text
    assert _list(client, f"{RECORDS}?key=all&year=2026&month=10")[0] == 2
    unit_a = people["unit_a"].id
    assert _list(client, f"{RECORDS}?key=all&year=2026&month=10&unit_id={unit_a}")[0] == 0
    listed = client.get(f"{RECORDS}?key=started&year=2026&month=10&unit_id={unit_a}")
    assert "城南污水处理厂" not in listed.get_data(as_text=True)
    assert _walk(client, "/key-projects/figures/ledger?year=2026&month=10") > 10


def test_the_records_list_refines_by_category_programme_unit_and_leader(district, people, login):
    client = login(people["bureau"])
    base = f"{RECORDS}?year=2026&month=10"
    assert _list(client, f"{base}&key=started")[0] == 3
    assert _list(client, f"{base}&key=not_started&category=新建")[0] == 1
    assert _list(client, f"{base}&key=soon")[0] == 1
    assert _list(client, f"{base}&key=big")[0] == 3
    assert _list(client, f"{base}&key=unlisted")[0] == 2
    assert _list(client, f"{base}&key=all&programme=产业项目工程")[0] == 2
    assert _list(client, f"{base}&key=all&leader_id={district['wang'].id}")[0] == 2
    assert _list(client, f"{base}&key=all&leader_id=0")[0] == 3
    count, sums = _list(client, f"{base}&key=all&unit_id={people['unit_b'].id}")
    assert (count, sums) == (2, [Decimal("18000.00"), Decimal("5000.00"), Decimal("2000.00")])


@pytest.mark.parametrize("query", [
    "key=nonsense", "key=all&unit_id=abc", "key=all&unit_id=999999999999999999999999",
    "key=all&leader_id=-1", "key=all&programme=" + "长" * 500, "key=all&category=其他",
    "key=red&year=abc", "key=all&month=0",
])
def test_odd_records_queries_answer_a_page_not_an_error(district, people, login, query):
    page = login(people["bureau"]).get(f"{RECORDS}?{query}")
    assert page.status_code == 200


def test_the_month_after_the_period_does_not_change_its_ledger(district, people, login, make):
    client = login(people["bureau"])
    url = "/key-projects/figures/ledger?year=2026&month=10"

    def main() -> str:
        tree = lxml.html.fromstring(client.get(url).get_data(as_text=True))
        return lxml.html.tostring(tree.xpath("//main")[0], encoding="unicode")

    before = main()
    make.key_report(district["k3"], 11, invested_wan="4000")
    make.key_report(district["k1"], 11, invested_wan="4000", progress="竣工验收")
    assert main() == before
    november = client.get("/key-projects/figures/ledger?year=2026&month=11")
    assert "北山物流园" in november.get_data(as_text=True)


@pytest.mark.parametrize("path", ["ledger", "records", "flags"])
@pytest.mark.parametrize(
    ("role", "status"),
    [("bureau", 200), ("unit", 200), ("leader", 200), ("admin", 200), ("auditor", 403)],
)
def test_who_may_open_the_key_project_figures(district, people, login, path, role, status):
    page = login(people[role]).get(f"/key-projects/figures/{path}")
    assert page.status_code == status


def test_anonymous_visitors_are_sent_to_login(client):
    page = client.get("/key-projects/figures/ledger")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_the_navigation_lists_the_ledger_and_flags_under_key_projects(people, login):
    text = login(people["bureau"]).get("/").get_data(as_text=True)
    assert "重点项目台账" in text and "三类现象" in text
