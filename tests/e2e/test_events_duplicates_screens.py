"""The event and duplicate screens in a real browser, at desktop and phone widths."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

YI = 100_000_000
SIZES = ((1366, 900, "desktop"), (PHONE["width"], PHONE["height"], "phone"))


@pytest.fixture
def data(make, people):
    event = make.event("2025 粤港澳大湾区产业对接会", city="广州市", held_on=date(2025, 4, 22))
    make.event("2024 深圳招商推介会", held_on=date(2024, 3, 20), host_unit=people["unit_a"])
    make.event("第七届中国国际进口博览会", kind="展会", city="上海市", held_on=date(2024, 11, 6))
    a, b = people["unit_a"], people["unit_b"]
    signed = {"negotiating_on": date(2025, 4, 30), "signed_on": date(2025, 6, 1)}
    started = {**signed, "registered_on": date(2025, 7, 1), "uscc": "91440300MA5G0XH07K",
               "started_on": date(2025, 9, 26)}  # fmt: skip
    make.project(a, "华润置地智慧产业园项目", "华润置地（深圳）有限公司", event_id=event.id,
                 planned_investment=3 * YI)  # fmt: skip
    make.project(b, "华润置地智慧园区项目", "华润置地(深圳)", event_id=event.id,
                 planned_investment=2 * YI, negotiating_on=date(2025, 5, 6))  # fmt: skip
    make.project(a, "年产20万套新能源汽车电机控制器项目", "广州市恒润汽车电子有限公司",
                 event_id=event.id, planned_investment=5 * YI, contract_investment=4 * YI,
                 **signed)  # fmt: skip
    make.project(a, "医疗器械产业园项目", "苏州瑞丰生物医药股份有限公司", event_id=event.id,
                 planned_investment=12 * YI, contract_investment=10 * YI, **started)  # fmt: skip
    return event


def _shoot_both(page, url: str, name: str) -> None:
    for width, height, suffix in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        page.wait_for_load_state("networkidle")
        shoot(page, f"{name}-{suffix}")
        if suffix == "phone":
            assert_fits_phone(page)


def test_event_screens_for_the_bureau(page, live_server, people, data, csp_errors):
    browser_login(page, live_server, "bureau1", PASSWORD)
    _shoot_both(page, f"{live_server}/events/", "events-list")
    assert page.get_by_test_id("event-table").is_visible()
    _shoot_both(page, f"{live_server}/events/{data.id}", "event-detail")
    assert page.get_by_test_id("leads").inner_text() == "4"
    assert page.get_by_test_id("landed-rate").inner_text() == "50.0%"
    _shoot_both(page, f"{live_server}/events/new", "event-new")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("请输入活动名称").is_visible()
    shoot(page, "event-new-errors-desktop")
    _shoot_both(page, f"{live_server}/events/{data.id}/edit", "event-edit")
    assert csp_errors == []


def test_event_page_for_a_unit_user(page, live_server, people, data, csp_errors):
    browser_login(page, live_server, "unitb", PASSWORD)
    _shoot_both(page, f"{live_server}/events/{data.id}", "event-detail-unit")
    assert page.get_by_test_id("leads").inner_text() == "1"
    assert csp_errors == []


def test_duplicate_screens_and_a_merge(page, live_server, people, data, csp_errors):
    browser_login(page, live_server, "bureau1", PASSWORD)
    _shoot_both(page, f"{live_server}/duplicates/", "duplicates-list")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("link", name="与第一条比对合并").first.click()
    page.wait_for_load_state("networkidle")
    _shoot_both(page, page.url, "duplicates-merge")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("input[name=keep]").first.check()
    page.get_by_label("合并原因").fill("城关街道与北山镇重复报送同一投资方，由城关街道跟进")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="合并").click()
    page.wait_for_load_state("networkidle")
    assert "/projects/" in page.url
    shoot(page, "duplicates-merged-desktop")
    page.goto(f"{live_server}/duplicates/")
    assert page.get_by_test_id("no-duplicates").is_visible()
    assert csp_errors == []
