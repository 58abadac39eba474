"""In a real browser: a unit reports October on the 月调度 page and raises a problem there, the
bureau finds it in the 督查 view, and the 包保领导's to-do page shows the project's light turn
from red to green. The ledger, 月调度 and 督查 screens at 1366 and 390 px go to /tmp/shots/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path("/tmp/shots")  # noqa: S108 - where the brief asks for them; nothing secret
MONTH = "/key-projects/schedule/?year=2026&month=10"
INSPECTION = "/key-projects/schedule/inspection?year=2026&quarter=4"
LEDGER = "/key-projects/figures/ledger?year=2026&month=10"


def _both(page, name: str) -> None:
    """Screenshots at desktop and phone width; at the phone's, nothing wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    assert_fits_phone(page, page.locator("main h1").first)
    page.set_viewport_size(DESKTOP)


def _as(page, base: str, user) -> None:
    page.context.clear_cookies()
    browser_login(page, base, user.username, PASSWORD)


def _baobao(page, base: str):
    page.goto(f"{base}/")
    return page.get_by_test_id("todo-keyprojects.baobao")


def test_a_months_report_and_a_problem_reach_the_bureau_and_the_leader(
    page, live_server, people, make, csp_errors
):
    leader = make.leader("李副区长", "副区长", head_kind=None, user=people["leader"])
    kp = make.key_project(people["unit_a"], "城南污水处理厂", total_wan="20000", plan_wan="1200",
                          category="续建", programme="基础设施工程", leader_id=leader.id,
                          started_on=date(2025, 3, 1), in_statistics=True)  # fmt: skip
    for month in range(1, 10):  # 100 万 of 1,200 by September: far behind time progress
        make.key_report(kp, month, invested_wan="100" if month == 1 else "0",
                        progress=f"管网施工第{month}月")  # fmt: skip
    page.set_viewport_size(DESKTOP)

    # Before October is reported, the leader sees the project red (8.33 % at 83.33 % time).
    _as(page, live_server, people["leader"])
    section = _baobao(page, live_server)
    assert "城南污水处理厂" in section.inner_text() and "红灯" in section.inner_text()

    # 城关街道 reports October: 1,000 万 → 1,100 / 1,200 = 91.67 %, ahead of time progress.
    _as(page, live_server, people["unit"])
    page.goto(live_server + MONTH)
    row = page.locator('[data-testid="report-row"][data-project="城南污水处理厂"]')
    row.get_by_label("城南污水处理厂 本月完成投资（万元）").fill("1000")
    row.get_by_label("城南污水处理厂 本月形象进度").fill("主体结构封顶，管网铺设完成八成")
    row.get_by_role("button", name="保存").click()
    row = page.locator('[data-testid="report-row"][data-project="城南污水处理厂"]')
    assert row.get_by_test_id("invested").inner_text() == "1,000.00"
    _both(page, "keyprojects-schedule-unit")

    # ...and raises an obstacle from the same row (the bureau assigns a handling unit later).
    row.get_by_role("link", name="反映问题").click()
    page.get_by_label("问题类别").select_option("用地")
    page.get_by_label("问题描述").fill("污水泵站用地红线内尚有2户未签协议")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")

    # The bureau's 督查 view counts it as not yet assigned, and the number opens exactly it.
    _as(page, live_server, people["bureau"])
    page.goto(live_server + INSPECTION)
    inspected = page.locator('[data-testid="inspection-row"][data-unit="未交办"]')
    assert inspected.get_by_test_id("raised").inner_text() == "1"
    assert inspected.get_by_test_id("open").inner_text() == "1"
    _both(page, "keyprojects-inspection")
    inspected.get_by_test_id("raised").click()
    assert "污水泵站用地红线内尚有2户未签协议" in page.locator("main").inner_text()
    page.goto(live_server + MONTH)
    _both(page, "keyprojects-schedule-bureau")
    page.goto(live_server + LEDGER)
    assert "城南污水处理厂" in page.locator("main").inner_text()
    _both(page, "keyprojects-ledger")
    page.goto(f"{live_server}/dashboard?year=2026&month=10")
    assert page.get_by_test_id("key-count").inner_text() == "1"
    _both(page, "keyprojects-dashboard-cards")

    # The leader's to-do page now shows the project green.
    _as(page, live_server, people["leader"])
    section = _baobao(page, live_server)
    text = section.inner_text()
    assert "城南污水处理厂" in text and "绿灯" in text and "红灯" not in text
    assert "完成率 91.67%" in text
    assert csp_errors == []
