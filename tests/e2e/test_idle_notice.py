"""The idle notice in a real browser: it appears before the timeout, "继续保持登录" extends the
session, and a form submitted after the session ended comes back filled after signing in."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

IDLE_SECONDS = 16  # the notice shows in the last half (at most two minutes) of the idle time


@pytest.fixture
def app_config():
    return {"SESSION_IDLE_MINUTES": IDLE_SECONDS / 60}


def test_the_notice_keeps_the_session_and_an_expired_form_comes_back_filled(
    page, live_server, people, csp_errors
):
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, live_server, "unita", PASSWORD)
    page.goto(f"{live_server}/projects/new")
    page.get_by_label("项目名称").fill("会话保留测试项目")
    page.get_by_label("投资方", exact=True).fill("深圳市某某新能源科技有限公司")
    page.get_by_label("产业类别").select_option("工业")
    page.get_by_label("计划总投资（万元）").fill("28000")
    page.get_by_label("项目来源").select_option("企业来访")

    notice = page.get_by_test_id("idle-notice")
    notice.wait_for(state="visible", timeout=IDLE_SECONDS * 1000)
    assert "将在" in notice.inner_text() and "自动退出登录" in notice.inner_text()
    shoot(page, "idle-notice-desktop")
    page.get_by_role("button", name="继续保持登录").click()
    notice.wait_for(state="detached", timeout=5000)  # the ping answered: the session goes on

    # Left alone this time: the notice comes back and then says the session has ended.
    page.get_by_text("登录已过期").wait_for(timeout=IDLE_SECONDS * 1000 + 5000)
    assert page.get_by_test_id("idle-login").is_visible()
    page.wait_for_timeout(2500)  # the server's clock, in whole seconds, has passed it too
    assert page.get_by_label("项目名称").input_value() == "会话保留测试项目"  # nothing lost yet

    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("error-message").inner_text() == "登录已过期，请重新登录后提交"
    assert "CSRF" not in page.content()
    shoot(page, "sign-in-again-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "sign-in-again-phone")
    assert_fits_phone(page, page.get_by_role("button", name="重新登录"))
    page.set_viewport_size({"width": 1366, "height": 768})

    page.get_by_label("用户名").fill("unita")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="重新登录").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("kept-message").is_visible()
    assert page.get_by_test_id("kept-name").inner_text() == "会话保留测试项目"
    shoot(page, "kept-confirm-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "kept-confirm-phone")
    assert_fits_phone(page, page.get_by_test_id("kept-submit"))

    page.get_by_test_id("kept-submit").click()
    page.wait_for_load_state("networkidle")
    assert "已登记项目" in page.content(), page.inner_text("main")
    assert "会话保留测试项目" in page.content()
    assert csp_errors == []
