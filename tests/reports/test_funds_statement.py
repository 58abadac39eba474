"""The 到位资金情况表: every cell against hand-computed values, each amount equal to the ledger
it links to, a unit user's own rows only, the .xlsx export and the bulletin's sentence."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import lxml.html
import pandas as pd
import pytest

from app.core import scoping
from app.extensions import db
from app.reports.figures.funds_statement import funds_statement
from app.reports.figures.period import Period
from tests.downloads import download_name, export_event

W = 10_000  # 元 per 万元
OCTOBER = Period(2026, 10)


@pytest.fixture
def ledger(make, people):
    """1—10月 2026, hand-computed (万元):

    p1 城关 signed 2025 (not new), planned 12,000 (亿元以上), 工业: 国内省外 3,000 + 省内市外 1,000.
    p2 城关 signed 2026-03-15 (new), 三产: 国内省外 2,000.
    p3 北山 signed 2026-06-20 (new), planned 20,000 (亿元以上), 农业: 外资 1,500; a pending 999
       and 500 on 3 November do not count.
    p4 北山 signed 2026-01-10 (new), 工业: 国内省外 700 reversed in full, net 0: not 履约.
    Total 7,500, 履约 3 (p1 p2 p3), new 2. Targets: 城关 8,000 (国内省外 5,000), 北山 4,000.
    """
    a, b = people["unit_a"], people["unit_b"]
    p1 = make.project(a, "智能制造产业园", "华润置地有限公司", signed_on=date(2025, 6, 1),
                      contract_investment=10_000 * W, planned_investment=12_000 * W)  # fmt: skip
    p2 = make.project(a, "商贸综合体", "商贸公司", signed_on=date(2026, 3, 15),
                      contract_investment=5_000 * W, industry="三产")  # fmt: skip
    p3 = make.project(b, "现代农业园", "农业公司", signed_on=date(2026, 6, 20),
                      contract_investment=20_000 * W, planned_investment=20_000 * W,
                      industry="农业")  # fmt: skip
    p4 = make.project(b, "冲销项目", "冲销公司", signed_on=date(2026, 1, 10),
                      contract_investment=1_000 * W)  # fmt: skip
    make.funds_entry(p1, "3000", received_on=date(2026, 3, 5))
    make.funds_entry(p1, "1000", received_on=date(2026, 9, 10), origin="省内市外")
    make.funds_entry(p2, "2000", received_on=date(2026, 4, 1))
    make.funds_entry(p3, "1500", received_on=date(2026, 7, 1), origin="外资")
    make.funds_entry(p3, "999", status="pending", received_on=date(2026, 8, 1), origin="外资")
    make.funds_entry(p3, "500", received_on=date(2026, 11, 3), origin="外资")
    wrong = make.funds_entry(p4, "700", received_on=date(2026, 2, 1))
    make.funds_entry(p4, "-700", received_on=date(2026, 2, 1), reverses_id=wrong.id)
    make.target(a, 2026, funds_total="8000", funds_out_of_province="5000")
    make.target(b, 2026, funds_total="4000")
    return a, b


def _report(app, actor):
    with app.test_request_context():
        scoping.set_actor(db.session, actor)
        return funds_statement(actor, OCTOBER)


D = Decimal
EXPECTED = {
    # label: (履约, 新签约, 万元, 占比, 目标万元, 完成率, 落后)
    "到位资金合计": (3, 2, 7500, D("100.00"), 12000, D("62.50"), D("20.83")),
    "国内省外": (2, 1, 5000, D("66.67"), 5000, D("100.00"), D("-16.67")),
    "省内市外": (1, 0, 1000, D("13.33"), None, None, None),
    "市内区外": (0, 0, 0, D("0.00"), None, None, None),
    "外资": (1, 1, 1500, D("20.00"), None, None, None),
    "农业": (1, 1, 1500, D("20.00"), None, None, None),
    "工业": (1, 0, 4000, D("53.33"), None, None, None),
    "三产": (1, 1, 2000, D("26.67"), None, None, None),
    "亿元以上项目": (2, 1, 5500, D("73.33"), None, None, None),
    "城关街道": (2, 1, 6000, D("80.00"), 8000, D("75.00"), D("8.33")),
    "北山镇": (1, 1, 1500, D("20.00"), 4000, D("37.50"), D("45.83")),
}


def test_every_cell_equals_the_hand_computed_value(app, people, ledger):
    report = _report(app, people["bureau"])
    got = {
        r.label: (r.projects, r.new_projects, r.amount // W, r.share,
                  None if r.target is None else r.target // W, r.rate, r.lag)  # fmt: skip
        for r in report.rows
    }
    assert got == EXPECTED
    order = ["到位资金合计", "国内省外", "省内市外", "市内区外", "外资"]
    assert [r.label for r in report.rows][:5] == order
    assert report.sentence == (
        "到位资金7,500.00万元，完成全年目标任务的62.50%，落后进度20.83个百分点；其中"
        "国内省外5,000.00万元（2个项目），省内市外1,000.00万元（1个项目），外资1,500.00万元（1个项目）。"
    )


def test_a_share_on_the_rounding_boundary_rounds_half_up(app, people, make):
    a = people["unit_a"]
    p = make.project(a, "甲", "甲公司", signed_on=date(2026, 1, 5), contract_investment=W)
    q = make.project(a, "乙", "乙公司", signed_on=date(2026, 1, 5), contract_investment=W)
    make.funds_entry(p, "246.9", received_on=date(2026, 2, 1))  # 246.9 / 2000 = 12.345 %
    make.funds_entry(q, "1753.1", received_on=date(2026, 2, 1))
    make.target(a, 2026, funds_total="0")  # a zero target: no completion, shown as —
    report = _report(app, people["bureau"])
    by = {r.label: r for r in report.by_industry}
    assert by["工业"].share == D("100.00")
    shares = sorted(r.share for r in report.by_unit)
    assert shares == [D("100.00")]
    rows = {r.label: r for r in report.rows}
    assert rows["到位资金合计"].rate is None and rows["到位资金合计"].lag is None
    with app.test_request_context():
        from app.reports.figures.funds_statement import _share

        assert _share(2_469_000, 20_000_000) == D("12.35")  # half-even would give 12.34
        assert _share(1, 3) == D("33.33") and _share(2, 3) == D("66.67")


def _ledger_total(client, href: str) -> Decimal:
    page = client.get(href).get_data(as_text=True)
    found = re.search(r'data-testid="verified-total">([\d,.]+) 万元', page).group(1)
    return Decimal(found.replace(",", ""))


def test_every_amount_links_to_the_ledger_entries_that_add_up_to_it(
    client, people, login, ledger
):
    login(people["bureau"])
    page = client.get("/funds/statement?year=2026&month=10").get_data(as_text=True)
    tree = lxml.html.fromstring(page)
    rows = tree.xpath('//table[@data-testid="statement"]//tr[@data-row]')
    assert len(rows) == len(EXPECTED)
    for tr in rows:
        label = tr.xpath("./td[1]")[0].text_content().strip()
        link = tr.xpath('.//a[@data-testid="amount"]')[0]
        amount = Decimal(link.text_content().replace(",", ""))
        assert amount == EXPECTED[label][2]
        assert _ledger_total(client, link.get("href")) == amount, label
    assert "数据截至 2026年10月31日" in page


def test_a_unit_user_sees_its_own_figures_and_no_other_unit(app, client, people, login, ledger):
    report = _report(app, people["unit"])
    assert report.total.amount == 6000 * W and report.total.target == 8000 * W
    assert report.by_unit == []
    assert {r.label: r.amount for r in report.by_origin}["外资"] == 0
    login(people["unit"])
    page = client.get("/funds/statement?year=2026&month=10").get_data(as_text=True)
    assert "北山镇" not in page and "现代农业园" not in page


def test_the_export_is_the_printed_report(app, client, people, login, ledger):
    login(people["bureau"])
    response = client.get("/exports/funds-statement?year=2026&month=10")
    assert response.status_code == 200
    assert download_name(response).startswith("到位资金情况表_2026年1-10月_")
    cells = pd.read_excel(io.BytesIO(response.data), header=None, dtype=object, engine="calamine")
    assert cells.iloc[0, 0] == "2026年1—10月招商引资到位资金情况表"
    assert "填报单位" in cells.iloc[1, 0] and "数据截至 2026年10月31日" in cells.iloc[1, 0]
    assert "履约项目" in cells.iloc[2].tolist() and "年度目标" in cells.iloc[2].tolist()
    total = cells[cells[0] == "到位资金合计"].iloc[0].tolist()
    assert total[1:4] == [3, 2, 7500] and str(total[6]) == "62.5"
    assert export_event(app).detail["filter"] == {"year": "2026", "month": "10"}
