"""The dashboard in a real browser: charts draw (ECharts, no CSP error), clicking a bar of the
funnel opens the list behind it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_dashboard_draws_its_charts_and_links_them(page, live_server, people, make, csp_errors):
    unit = people["unit_a"]
    for i in range(3):
        project = make.project(
            unit,
            name=f"签约项目{i}",
            investor=f"投资方{i}",
            signed_on=date(2026, 2, 1 + i),
            contract_investment=10**8,
            started_on=date(2026, 4, 1) if i == 0 else None,
        )
        make.funds_entry(project, "300", received_on=date(2026, 3, 10 + i))
    make.target(unit, 2026, funds_total="5000")
    page.set_viewport_size({"width": 1920, "height": 1080})
    browser_login(page, live_server, people["leader"].username, PASSWORD)
    page.goto(f"{live_server}/dashboard?year=2026&month=10")
    page.wait_for_selector("#chart-funnel svg")
    page.wait_for_selector("#chart-funds svg")
    assert "33.3%" in page.get_by_test_id("kpi-landed").inner_text()
    shoot(page, "dashboard-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("#chart-funds svg")
    shoot(page, "dashboard-phone")
    assert_fits_phone(page, page.get_by_test_id("kpi-landed"))
    assert_fits_phone(page, page.locator("#chart-funnel"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.reload()
    page.get_by_test_id("kpi-landed").click()
    page.wait_for_url("**/projects/**")
    assert page.get_by_test_id("total").inner_text() == "1"
    assert csp_errors == []
