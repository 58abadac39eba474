"""Target set, claimed, signed and funded: the table, light and ranking move; a trip logged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.dates import today
from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def _row(page, unit: str):
    return page.locator(f'[data-testid="target-table"] tr[data-unit="{unit}"]')


def _rate(row, key: str) -> str:
    """The rate as shown (the light's label is for screen readers)."""
    return row.get_by_test_id(f"{key}-rate").inner_text().split()[-1]


def _logout(page, base: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")


def _both_widths(page, name: str) -> None:
    shoot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    shoot(page, f"{name}-phone")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_target_claim_signing_and_funds_move_the_table(
    page, live_server, people, make, app, csp_errors
):
    with app.app_context():
        on = today()
    year, base = on.year, live_server
    leader = make.leader("张书记", "区委书记", head_kind="party", user=people["leader"])
    page.set_viewport_size({"width": 1366, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())

    # The bureau sets this year's targets on the one table.
    browser_login(page, base, people["bureau"].username, PASSWORD)
    page.goto(f"{base}/targets/set?year={year}")
    a, b = people["unit_a"].id, people["unit_b"].id
    page.get_by_label("城关街道 签约项目（个）").fill("2")
    page.get_by_label("城关街道 到位资金（万元）").fill("1000")
    page.get_by_label("北山镇 到位资金（万元）").fill("800")
    page.get_by_label("北山镇 签约项目（个）").fill("-1")
    page.get_by_role("button", name="保存").click()
    assert "目标不能为负数" in page.locator(f"#t-{b}-signed_count ~ .invalid-feedback").inner_text()
    assert page.locator(f"#t-{a}-funds_total").input_value() == "1000"  # kept as typed
    page.get_by_label("北山镇 签约项目（个）").fill("1")
    page.get_by_role("button", name="保存").click()
    assert "有变动" in page.content()
    assert "尚未认领" in page.get_by_test_id("claim-summary").inner_text()
    _both_widths(page, "targets-grid")

    page.goto(f"{base}/targets/?year={year}&month={on.month}")  # the month to date
    row = _row(page, "城关街道")
    assert _rate(row, "funds_total") == "0.00%"
    assert row.locator('[data-testid="funds_total-rate"] [data-light="red"]').count() == 1
    assert "完成率并列" in page.get_by_test_id("red-board").inner_text()

    # The unit claims its target and signs a project on the board.
    _logout(page, base)
    browser_login(page, base, people["unit"].username, PASSWORD)
    page.goto(f"{base}/targets/mine")
    page.get_by_role("button", name="认领").click()
    assert page.get_by_test_id(f"claimed-{year}").count() == 1
    _both_widths(page, "targets-mine")
    page.goto(f"{base}/projects/new")
    page.get_by_label("项目名称").fill("高端装备制造项目")
    page.get_by_label("投资方", exact=True).fill("苏州某精密机械有限公司")
    page.get_by_label("产业类别").select_option("工业")
    page.get_by_label("项目来源").select_option("企业来访")
    page.get_by_label("计划总投资（万元）").fill("12000")
    page.get_by_role("button", name="保存").click()
    project_url = page.url
    signed_on = (on - timedelta(days=1)).isoformat()
    for label, extra in (("洽谈", {}), ("签约", {"合同投资额（万元）": "9000"})):
        page.goto(f"{base}/projects/board")
        card = page.locator("article.board-card", has_text="高端装备制造项目")
        card.get_by_role("link", name=f"推进到{label}").click()
        page.get_by_label("日期").fill(signed_on)
        for field_label, value in extra.items():
            page.get_by_label(field_label).fill(value)
        page.get_by_role("button", name="确认推进").click()
        page.wait_for_url("**/projects/board**")
    project_id = project_url.rstrip("/").split("/")[-1]
    page.goto(f"{base}/funds/new?project_id={project_id}")
    page.get_by_label("到位日期").fill(signed_on)
    page.get_by_label("金额（万元）").fill("950")
    page.get_by_label("资金类型").select_option("国内省外")
    page.get_by_label("凭证号").fill("HD2026-0001")
    page.get_by_role("button", name="保存").click()
    page.goto(f"{base}/targets/?year={year}&month={on.month}")  # the month to date
    row = _row(page, "城关街道")
    assert _rate(row, "signed_count") == "50.00%"
    assert _rate(row, "funds_total") == "0.00%"  # pending
    assert page.locator('[data-testid="target-table"] tr[data-unit]').count() == 1
    _both_widths(page, "targets-table-unit")

    # The bureau verifies the fund: 950 of 1,000 万元 puts 城关街道 ahead and on the red list.
    _logout(page, base)
    browser_login(page, base, people["bureau"].username, PASSWORD)
    page.goto(f"{base}/funds/?project_id={project_id}")
    page.get_by_role("link", name="核实", exact=True).first.click()
    page.get_by_role("button", name="核实通过").click()
    page.goto(f"{base}/targets/?year={year}&month={on.month}")  # the month to date
    row = _row(page, "城关街道")
    assert _rate(row, "funds_total") == "95.00%"
    assert row.locator('[data-testid="funds_total-rate"] [data-light="green"]').count() == 1
    assert row.get_by_test_id("rank").inner_text().strip().startswith("1")
    assert _row(page, "北山镇").get_by_test_id("rank").inner_text().strip().startswith("2")
    assert "城关街道" in page.get_by_test_id("red-board").inner_text()
    _both_widths(page, "targets-table")
    page.goto(f"{base}/targets/import?year={year}")
    _both_widths(page, "targets-import")

    # A leader logs their own trip; the compliance screens show it.
    _logout(page, base)
    browser_login(page, base, people["leader"].username, PASSWORD)
    page.goto(f"{base}/trips/new")
    _both_widths(page, "trip-form")
    page.get_by_label("开始日期").fill((on - timedelta(days=3)).isoformat())
    page.get_by_label("结束日期").fill((on - timedelta(days=5)).isoformat())
    page.get_by_label("目的地省份").select_option("广东省")
    page.get_by_label("目的地城市").fill("深圳市")
    page.get_by_role("button", name="保存").click()
    assert "不能早于开始日期" in page.content()
    page.get_by_label("结束日期").fill((on - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="保存").click()
    assert "已登记外出" in page.content() and leader.name in page.content()
    _both_widths(page, "trip-detail")
    for name, path in (("trip-list", "/trips/"), ("trip-compliance", "/trips/compliance"),
                       ("trip-yields", "/trips/yields"), ("leaders", "/leaders/")):  # fmt: skip
        page.goto(f"{base}{path}")
        _both_widths(page, name)
    assert csp_errors == []
