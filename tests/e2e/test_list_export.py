"""The bureau filters the funds ledger in Chromium (a unit and a status), reads the count shown,
follows the export link with the page's own cookies, and finds exactly those rows in the .xlsx:
the first and the last row shown equal the sheet's. On a phone the 核实 button shows at once."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from tests.e2e.conftest import PHONE, browser_login, shoot
from tests.factories import PASSWORD
from tests.funds.conftest import add_entry, projects  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}


def _sheet(data: bytes) -> list[dict]:
    frame = pd.read_excel(io.BytesIO(data), engine="calamine", header=None, dtype=object)
    cells = frame.where(frame.notna(), None).values.tolist()
    start = next(i for i, row in enumerate(cells) if row[0] == "项目名称")
    return [dict(zip(cells[start], row, strict=True)) for row in cells[start + 1 :] if row[6]]


def test_the_filtered_ledgers_export_holds_the_rows_shown(
    page,
    live_server,
    people,
    projects,  # noqa: F811  (the imported fixture)
    add_entry,  # noqa: F811
    csp_errors,
):
    for n in range(1, 8):
        status = "pending" if n % 2 else "verified"
        add_entry(projects["a"], f"{n}0", status, date(2026, n, 3), ref=f"GH{n:03d}")
        add_entry(projects["b"], f"{n}1", "pending", date(2026, n, 4), ref=f"NB{n:03d}")
    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, "bureau1", PASSWORD)
    page.goto(f"{live_server}/funds/")
    page.get_by_label("责任单位").select_option(label="城关街道")
    page.get_by_label("状态").select_option(label="待核实")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("networkidle")
    shown = int(page.get_by_test_id("list-total").inner_text())
    assert shown == 4  # 城关街道's pending entries of months 1, 3, 5, 7
    rows = page.get_by_test_id("ledger").locator("tbody tr")
    assert rows.count() == shown
    first, last = (rows.nth(i).locator("td") for i in (0, shown - 1))
    href = page.get_by_test_id("list-export").get_attribute("href")
    response = page.request.get(f"{live_server}{href}")
    assert response.status == 200
    sheet = _sheet(response.body())
    assert len(sheet) == shown
    # the row's cells: box, 操作, 到位日期, 金额, 状态, 项目, 责任单位, 资金类型, 用途, 凭证号
    for cells, row in ((first, sheet[0]), (last, sheet[-1])):
        assert cells.nth(9).inner_text().strip() == row["凭证号"]
        assert cells.nth(2).inner_text().strip() == row["到位日期"].strftime("%Y-%m-%d")
        assert float(cells.nth(3).inner_text().replace(",", "")) == row["金额（万元）"]
        assert cells.nth(5).inner_text().strip() == row["项目名称"]
        assert row["责任单位"] == "城关街道" and row["状态"] == "待核实"
    assert [r["凭证号"] for r in sheet] == ["GH007", "GH005", "GH003", "GH001"]
    shoot(page, "funds-ledger-filtered-desktop")

    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    action = page.get_by_test_id("entry-action").first
    assert action.inner_text().strip() == "核实"
    box = action.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    shoot(page, "funds-ledger-filtered-phone")
    assert csp_errors == []
