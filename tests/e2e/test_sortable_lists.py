"""The project list in a real browser: its sortable headers look sortable (an arrow on each),
clicking one reorders the rows, and its search finds a project by a contact's phone for the
bureau and not for another unit."""

from __future__ import annotations

import pytest

from app.projects.models import ProjectContact
from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
SORTABLE = ("name", "investor", "unit", "stage", "since", "planned", "contract", "signed",
            "source", "origin")  # fmt: skip


@pytest.fixture
def projects(make, people):
    make.project(people["unit_a"], "甲智能装备项目", "安泰精工", planned_investment=5_000_000)
    b = make.project(people["unit_a"], "乙新材料项目", "博远新材料", planned_investment=9_000_000)
    make.project(people["unit_a"], "丙冷链物流项目", "辰星物流", planned_investment=1_000_000)
    make.add(ProjectContact(project_id=b.id, name="欧阳明", phone="+8613812345678"))


def _names(page) -> list[str]:
    return (
        page.get_by_test_id("project-table").locator("tbody tr td:first-child a").all_inner_texts()
    )


def test_headers_look_sortable_and_a_click_reorders_the_rows(page, live_server, projects):
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, live_server, "bureau1", PASSWORD)
    page.goto(f"{live_server}/projects/")
    for key in SORTABLE:
        header = page.get_by_test_id(f"sort-{key}")
        assert header.locator("i.bi").count() == 1, key  # the arrow that says it sorts
    assert header.evaluate("e => getComputedStyle(e).cursor") == "pointer"
    page.get_by_test_id("sort-planned").click()
    page.wait_for_load_state("networkidle")
    assert _names(page) == ["丙冷链物流项目", "甲智能装备项目", "乙新材料项目"]
    assert page.get_by_test_id("sort-planned").locator("i.bi-sort-up").count() == 1
    page.get_by_test_id("sort-planned").click()
    page.wait_for_load_state("networkidle")
    assert _names(page) == ["乙新材料项目", "甲智能装备项目", "丙冷链物流项目"]
    assert "sort=-planned" in page.get_by_test_id("list-export").get_attribute("href")


def test_the_lists_search_finds_a_contacts_phone_for_the_bureau_only(page, live_server, projects):
    for username, found in (("bureau1", ["乙新材料项目"]), ("unitb", [])):
        page.context.clear_cookies()
        browser_login(page, live_server, username, PASSWORD)
        page.goto(f"{live_server}/projects/")
        page.locator("form.filters #q").fill("138 1234 5678")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert _names(page) == found, username
        assert page.get_by_test_id("list-total").inner_text() == str(len(found))
