"""The top bar's search in a real browser: a contact's phone finds the project for the bureau and
not for another unit; the results page fits a 390 px phone."""

from __future__ import annotations

import pytest

from app.projects.models import ProjectContact
from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def data(make, people):
    project = make.project(people["unit_a"], "年产20万套新能源汽车电机控制器智能制造项目",
                           "广州市恒润汽车电子科技股份有限公司（外商独资）")  # fmt: skip
    make.add(ProjectContact(project_id=project.id, name="欧阳明", phone="+8613812345678"))
    make.key_project(people["unit_a"], "新能源汽车电机控制器配套厂房")
    make.event("2025 新能源汽车产业招商推介会")
    return project


def _search_from_top_bar(page, q: str) -> None:
    if page.locator(".navbar-toggler").is_visible():
        page.locator(".navbar-toggler").click()
    box = page.get_by_test_id("top-search").get_by_role("searchbox")
    box.fill(q)
    box.press("Enter")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("size", [(1366, 900), (PHONE["width"], PHONE["height"])])
def test_the_top_bar_finds_a_project_by_its_contacts_phone_for_the_bureau_only(
    page, live_server, people, data, csp_errors, size
):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    browser_login(page, live_server, "bureau1", PASSWORD)
    _search_from_top_bar(page, "138 1234 5678")
    results = page.get_by_test_id("search-projects")
    assert "新能源汽车电机控制器智能制造项目" in results.inner_text()
    shoot(page, f"search-results-{width}")
    if width == PHONE["width"]:
        assert_fits_phone(page)
        page.goto(f"{live_server}/search?q=新能源汽车")
        page.wait_for_load_state("networkidle")
        assert page.get_by_test_id("search-key_projects").is_visible()
        assert page.get_by_test_id("search-events").is_visible()
        assert_fits_phone(page)
        page.goto(f"{live_server}/search?q=" + "长" * 500)
        assert_fits_phone(page)

    page.context.clear_cookies()
    browser_login(page, live_server, "unitb", PASSWORD)
    _search_from_top_bar(page, "13812345678")
    assert page.get_by_test_id("search-empty").is_visible()
    assert "新能源汽车电机控制器智能制造项目" not in page.content()
    assert csp_errors == []
