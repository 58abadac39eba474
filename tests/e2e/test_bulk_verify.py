"""The bureau ticks 20 pending entries on the ledger and verifies them at once: 20 verified rows,
20 history entries; the bulk bar fits a phone. Screenshots at 1366 and 390 px."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.history import HistoryEntry
from app.extensions import db
from app.funds.models import FundsEntry
from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD
from tests.funds.conftest import add_entry, projects  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}


def test_the_bureau_selects_twenty_entries_and_verifies_them_together(
    app,
    page,
    live_server,
    people,
    projects,  # noqa: F811  (the imported fixture)
    add_entry,  # noqa: F811
    csp_errors,
):
    ids = [
        add_entry(
            projects["a" if n % 2 else "b"], "10", status="pending", received_on=date(2026, 5, 6)
        )
        for n in range(20)
    ]
    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, "bureau1", PASSWORD)
    page.goto(f"{live_server}/funds/?status=pending")
    boxes = page.get_by_test_id("select-entry")
    assert boxes.count() == 20
    page.get_by_label("全选本页待核实记录").check()
    assert all(boxes.nth(i).is_checked() for i in range(20))
    page.get_by_label("批量核实/退回说明").fill("已逐笔核对银行回单")
    shoot(page, "funds-bulk-selected-desktop")
    page.set_viewport_size(PHONE)
    assert_fits_phone(page, page.get_by_test_id("bulk-verify"))
    shoot(page, "funds-bulk-selected-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_test_id("bulk-verify").click()
    page.wait_for_load_state("networkidle")
    assert "已核实 20 条记录" in page.content()
    assert page.get_by_test_id("select-entry").count() == 0  # none pending any more
    shoot(page, "funds-bulk-verified-desktop")
    with app.app_context():
        statuses = db.session.execute(
            select(FundsEntry.status).where(FundsEntry.id.in_(ids))
        ).scalars()
        assert list(statuses) == ["verified"] * 20
        history = db.session.execute(
            select(HistoryEntry.record_id).where(
                HistoryEntry.table_name == "funds_entries", HistoryEntry.action == "update"
            )
        ).scalars()
        assert sorted(history) == sorted(ids)
    assert csp_errors == []


def test_a_refused_row_is_named_in_the_browser_and_the_selection_kept(
    page,
    live_server,
    people,
    projects,  # noqa: F811
    add_entry,  # noqa: F811
    make,
    csp_errors,
):
    add_entry(projects["a"], "10", status="pending", received_on=date(2026, 5, 6))
    unsigned = make.project(people["unit_a"], "未签约项目", "某某科技有限公司")
    bad = add_entry(unsigned, "10", status="pending", received_on=date(2026, 5, 6))
    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, "bureau1", PASSWORD)
    page.goto(f"{live_server}/funds/?status=pending")
    page.get_by_label("全选本页待核实记录").check()
    page.get_by_test_id("bulk-verify").click()
    page.wait_for_load_state("networkidle")
    refusals = page.get_by_test_id("bulk-refusals").inner_text()
    assert f"（#{bad}）" in refusals and "不能核实" in refusals
    boxes = page.get_by_test_id("select-entry")
    assert boxes.count() == 2 and all(boxes.nth(i).is_checked() for i in range(2))
    shoot(page, "funds-bulk-refused-desktop")
    page.set_viewport_size(PHONE)
    assert_fits_phone(page, page.get_by_test_id("bulk-verify"))
    shoot(page, "funds-bulk-refused-phone")
    assert csp_errors == []


def test_the_bureau_hands_over_problems_together(app, page, live_server, people, make, csp_errors):
    from app.care.models import Problem

    project = make.project(people["unit_a"], "新能源电池项目", signed_on=date(2026, 5, 1))
    ids = [
        make.add(
            Problem(
                project_id=project.id,
                category="水电气",
                description=f"供电线路 {n} 未接入",
                raised_on=date(2026, 11, 1),
                level=0,
                status="open",
            )
        ).id
        for n in range(15)
    ]
    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, "bureau1", PASSWORD)
    page.goto(f"{live_server}/care/problems")
    page.get_by_label("全选本页未办结问题").check()
    page.get_by_label("批量交办：承办单位").select_option(label="北山镇")
    page.get_by_label("办理期限").fill("2026-12-20")
    shoot(page, "problems-bulk-selected-desktop")
    page.set_viewport_size(PHONE)
    assert_fits_phone(page, page.get_by_test_id("bulk-assign"))
    shoot(page, "problems-bulk-selected-phone")
    page.get_by_test_id("bulk-assign").click()
    page.wait_for_load_state("networkidle")
    assert "已交办 15 个问题" in page.content()
    with app.app_context():
        units = db.session.execute(
            select(Problem.handling_unit_id).where(Problem.id.in_(ids))
        ).scalars()
        assert set(units) == {people["unit_b"].id}
    assert csp_errors == []
