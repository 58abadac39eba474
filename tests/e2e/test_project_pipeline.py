"""A project created from a promotion event is moved through every stage on the board;
the list, the board and the project page agree at the end."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

STEPS = [
    ("negotiating", "洽谈", {}),
    ("signed", "签约", {"合同投资额（万元）": "15000"}),
    ("registered", "注册", {"本地公司统一社会信用代码": "91350100M000100Y43"}),
    ("started", "开工", {}),
    ("operating", "投产", {}),
]
DATES = ["2025-03-01", "2025-04-01", "2025-05-01", "2025-07-01", "2026-02-01"]


def test_project_from_event_through_every_stage_on_the_board(
    page, live_server, people, make, csp_errors
):
    event = make.event("2025 粤港澳大湾区产业对接会", held_on=date(2025, 2, 20))
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, live_server, people["unit"].username, PASSWORD)

    page.goto(f"{live_server}/projects/new?event_id={event.id}")
    page.get_by_label("项目名称").fill("新能源电池正极材料项目")
    page.get_by_label("投资方", exact=True).fill("深圳市某某新能源科技有限公司")
    page.get_by_label("产业类别").select_option("工业")
    page.get_by_label("计划总投资（万元）").fill("28000")
    assert page.get_by_label("招商活动").input_value() == str(event.id)
    shoot(page, "project-form-desktop")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert "已登记项目" in page.content()

    for (key, label, extra), on in zip(STEPS, DATES, strict=True):
        page.goto(f"{live_server}/projects/board")
        card = page.locator("article.board-card", has_text="新能源电池正极材料项目")
        card.get_by_role("link", name=f"推进到{label}").click()
        page.get_by_label("日期").fill(on)
        for field_label, value in extra.items():
            page.get_by_label(field_label).fill(value)
        page.get_by_role("button", name="确认推进").click()
        page.wait_for_url("**/projects/board**")
        column = page.get_by_test_id(f"column-{key}")
        assert column.locator("article.board-card", has_text="新能源电池正极材料项目").count() == 1
    shoot(page, "project-board-desktop")

    page.goto(f"{live_server}/projects/?stage=operating")
    assert page.get_by_test_id("total").inner_text() == "1"
    page.get_by_role("link", name="新能源电池正极材料项目").click()
    assert page.get_by_test_id("stage").inner_text().strip() == "投产"
    assert page.get_by_test_id("milestone-signed").inner_text() == "2025-04-01"
    assert page.get_by_test_id("milestone-operating").inner_text() == "2026-02-01"
    assert "2025 粤港澳大湾区产业对接会" in page.content()
    shoot(page, "project-detail-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    shoot(page, "project-detail-phone")
    assert_fits_phone(page, page.get_by_test_id("stage"))
    page.goto(f"{live_server}/projects/board")
    shoot(page, "project-board-phone")
    assert_fits_phone(page, page.get_by_test_id("column-lead"))
    page.goto(f"{live_server}/projects/")
    shoot(page, "project-list-phone")
    assert_fits_phone(page, page.get_by_role("link", name="登记项目"))
    assert_fits_phone(page, page.get_by_role("link", name="新能源电池正极材料项目"))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/projects/")
    shoot(page, "project-list-desktop")
    assert csp_errors == []
