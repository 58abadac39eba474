"""A unit enters funds with a scanned receipt on the project page; the bureau verifies them;
the ledger, the report and the project page agree. Screenshots of every funds screen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.core.money import wan_to_yuan
from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD
from tests.funds.conftest import add_entry  # noqa: F401  (fixture)
from tests.imports.conftest import FUNDS_HEADERS, funds_row, xlsx

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DESKTOP = {"width": 1366, "height": 900}


def _both(page, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.reload()
    shoot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    shoot(page, f"{name}-phone")
    assert_fits_phone(page)
    page.set_viewport_size(DESKTOP)


def test_funds_are_entered_verified_and_reported(
    page,
    live_server,
    people,
    make,
    add_entry,  # noqa: F811  (the imported fixture)
    csp_errors,
    tmp_path,
):
    project = make.project(
        people["unit_a"],
        "新能源电池正极材料项目",
        "深圳市某某新能源科技有限公司",
        signed_on=date(2026, 2, 10),
        contract_investment=wan_to_yuan(Decimal(28000)),
    )
    other = make.project(
        people["unit_b"],
        "文旅综合体",
        "北山文旅集团有限公司",
        signed_on=date(2026, 3, 1),
        contract_investment=wan_to_yuan(Decimal(5000)),
        industry="三产",
        origin_province="浙江省",
    )
    add_entry(project, "3000", received_on=date(2026, 3, 20), ref="GH2026032001")
    add_entry(other, "1200.5", received_on=date(2026, 4, 8), origin="省内市外", ref="NH01")
    add_entry(other, "800", status="pending", received_on=date(2026, 10, 8), ref="NH02")
    receipt = tmp_path / "银行回单.pdf"
    receipt.write_bytes(PDF)

    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, people["unit"].username, PASSWORD)
    page.goto(f"{live_server}/projects/{project.id}")
    page.get_by_role("tab", name="到位资金").click()
    panel = page.get_by_test_id("funds-panel")
    assert panel.get_by_test_id("funds-rate").inner_text() == "10.7%"
    panel.get_by_role("link", name="录入到位资金").click()
    page.get_by_label("到位日期").fill("2026-05-06")
    page.get_by_label("金额（万元）").fill("4500.25")
    page.get_by_label("资金类型").select_option("国内省外")
    page.get_by_label("凭证号").fill("GH2026050601")
    page.get_by_label("凭证文件（可选）").set_input_files(str(receipt))
    shoot(page, "funds-form-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "funds-form-phone")
    assert_fits_phone(page, page.get_by_role("button", name="保存"))
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert "等待投资促进局核实" in page.content()
    assert page.get_by_test_id("pending-total").inner_text() == "4,500.25 万元"
    assert "文旅综合体" not in page.content()  # the other unit's funds stay out of sight
    _both(page, "funds-ledger-unit")

    page.context.clear_cookies()
    browser_login(page, live_server, people["bureau"].username, PASSWORD)
    page.goto(f"{live_server}/funds/?status=pending")
    assert page.get_by_test_id("pending-total").inner_text() == "5,300.25 万元"
    page.locator("tr", has_text="GH2026050601").get_by_role("link", name="核实").click()
    _both(page, "funds-entry-pending")
    page.get_by_label("核实意见").fill("已核对工商银行回单")
    page.get_by_role("button", name="核实通过").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("status").inner_text() == "已核实"
    assert "银行回单.pdf" in page.content()

    page.goto(f"{live_server}/funds/report?year=2026&from=1&to=10")
    assert page.get_by_test_id("verified-wan").inner_text() == "8,700.75 万元"
    assert page.get_by_test_id("pending-wan").inner_text() == "800.00 万元"
    _both(page, "funds-report")
    page.get_by_test_id("by-unit").get_by_role("link", name="7,500.25").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("verified-total").inner_text() == "7,500.25 万元"
    _both(page, "funds-ledger-bureau")

    page.goto(f"{live_server}/projects/{project.id}")
    page.get_by_role("tab", name="到位资金").click()
    page.get_by_test_id("funds-panel").wait_for(state="visible")
    page.wait_for_timeout(300)  # the tab's fade
    assert page.get_by_test_id("funds-rate").inner_text() == "26.8%"
    assert page.get_by_test_id("milestone-funded").inner_text() == "2026-03-20"
    shoot(page, "funds-project-panel-desktop")
    page.set_viewport_size(PHONE)
    page.get_by_role("tab", name="到位资金").click()
    page.wait_for_timeout(300)
    shoot(page, "funds-project-panel-phone")
    assert_fits_phone(page, page.get_by_test_id("funds-panel").get_by_test_id("funds-rate"))
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server}/funds/1/correct")
    _both(page, "funds-correct")
    page.goto(f"{live_server}/funds/new")
    _both(page, "funds-choose")
    assert csp_errors == []


def test_the_import_screen_checks_then_imports(page, live_server, people, make, tmp_path):
    make.project(people["unit_a"], "智能制造产业园", "华润置地（深圳）有限公司",
                 signed_on=date(2026, 1, 5), contract_investment=100_000_000)  # fmt: skip
    bad = tmp_path / "有错误的台账.xlsx"
    bad.write_bytes(
        xlsx(
            [
                ["城关街道到位资金台账"],
                FUNDS_HEADERS,
                funds_row(**{"金额（万元）": "-5"}),
                funds_row(到位日期="2024-02-30", 凭证号="YH-2"),
                funds_row(项目名称="不存在的项目", 凭证号="YH-3"),
                funds_row(资金类型="区内", 凭证号="YH-4"),
            ]
        )
    )
    good = tmp_path / "台账.xlsx"
    good.write_bytes(xlsx([FUNDS_HEADERS, funds_row(), funds_row(凭证号="YH-2", 资金类型="外资")]))

    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, people["unit"].username, PASSWORD)
    page.goto(f"{live_server}/imports/?kind=funds")
    _both(page, "imports-index")
    page.get_by_label("选择文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("row-errors").locator("tbody tr").count() == 4
    shoot(page, "imports-errors-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "imports-errors-phone")
    assert_fits_phone(page, page.get_by_test_id("row-errors"))
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server}/imports/?kind=funds")
    page.get_by_label("选择文件").set_input_files(str(good))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("check-ok").is_visible()
    shoot(page, "imports-check-ok-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "imports-check-ok-phone")
    assert_fits_phone(page, page.get_by_test_id("confirm"))
    page.set_viewport_size(DESKTOP)
    page.get_by_test_id("confirm").click()
    page.wait_for_load_state("networkidle")
    assert "已导入 2 行" in page.content()
    assert page.get_by_test_id("pending-total").inner_text() == "200.00 万元"
