"""Each role logs in through a real browser and sees its own home page, in Chinese."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

ROLE_HOME = {
    "admin": ("系统管理员", "账户管理"),
    "auditor": ("审计管理员", "操作历史"),
    "bureau": ("投资促进局", None),
    "unit": ("责任单位", None),
    "leader": ("领导", None),
}


def test_login_page_renders_in_chinese(page, live_server, csp_errors):
    for size, suffix in (({"width": 1366, "height": 768}, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.goto(f"{live_server}/login")
        assert page.get_by_role("heading", name="招商引资管理系统").is_visible()
        shoot(page, f"login-{suffix}")
    assert_fits_phone(page, page.get_by_role("button", name="登录"))
    assert csp_errors == []


def test_wrong_password_shows_the_generic_message(page, live_server, people):
    browser_login(page, live_server, "bureau1", "Wrong@12345")
    assert page.get_by_test_id("login-error").inner_text() == "用户名或密码错误"


@pytest.mark.parametrize("role", list(ROLE_HOME))
def test_each_role_logs_in_and_sees_its_home_page(page, live_server, people, role, csp_errors):
    user = people[role]
    label, card = ROLE_HOME[role]
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, live_server, user.username, PASSWORD)
    assert page.get_by_test_id("user-menu").inner_text().find(label) >= 0
    if card:
        assert page.get_by_role("link", name=card).first.is_visible()
    shoot(page, f"home-{role}-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    shoot(page, f"home-{role}-phone")
    assert_fits_phone(page)
    assert page.get_by_role("button", name="展开导航").is_visible()  # the menu folds away
    assert csp_errors == []


def test_logout_from_the_user_menu(page, live_server, people):
    browser_login(page, live_server, "bureau1", PASSWORD)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("已安全退出").is_visible()
