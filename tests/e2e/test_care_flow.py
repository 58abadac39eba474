"""In a real browser: a unit raises an investor's request, the bureau hands it to another unit,
that unit resolves it; the aftercare tab and both to-do pages change. Screens at 1366 and
390 px wide are saved under test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.dates import today
from tests.care.conftest import CareFactory
from tests.e2e.conftest import PHONE, assert_fits_phone, browser_login, shoot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}


def _both(page, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    shoot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, f"{name}-phone")
    assert_fits_phone(page)
    page.set_viewport_size(DESKTOP)


def _as(page, base: str, user) -> None:
    page.context.clear_cookies()
    browser_login(page, base, user.username, PASSWORD)


def _care_tab(page) -> None:
    page.get_by_role("tab", name="安商服务").click()
    page.get_by_test_id("care-panel").wait_for(state="visible")
    page.wait_for_timeout(300)  # the tab's fade


def _section(page, key: str):
    return page.get_by_test_id(f"todo-{key}")


def test_a_request_goes_from_one_unit_through_the_bureau_to_another(
    page, live_server, people, make, csp_errors
):
    with make.app.app_context():
        on = today()
    project = make.project(
        people["unit_a"],
        name="新能源电池项目",
        investor="宁德时代新能源科技股份有限公司",
        lead_on=on - timedelta(days=200),
        signed_on=on - timedelta(days=100),
        contract_investment=150_000_000,
    )
    page.set_viewport_size(DESKTOP)

    # 城关街道 records the investor's request on its project's aftercare tab.
    _as(page, live_server, people["unit"])
    page.goto(f"{live_server}/projects/{project.id}")
    _care_tab(page)
    assert "0 / 0" in page.get_by_test_id("care-requests").inner_text()
    page.get_by_role("link", name="登记企业诉求").click()
    page.get_by_label("问题类别").select_option("用地")
    page.get_by_label("问题描述").fill("二期扩建需新增用地约 30 亩")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_test_id("problem-handling-unit").inner_text() == "待交办"

    # The bureau sees it waiting for a handling unit, and hands it to 北山镇.
    _as(page, live_server, people["bureau"])
    waiting = _section(page, "care.unassigned")
    assert "二期扩建需新增用地" in waiting.inner_text()
    assert page.get_by_test_id("nav-badge").inner_text() == "1"
    _both(page, "todo-bureau")
    waiting.get_by_role("link", name="二期扩建需新增用地", exact=False).click()
    page.get_by_label("承办单位").select_option(label="北山镇")
    page.get_by_label("办理期限").fill(str(on - timedelta(days=1)))  # before the date raised
    page.get_by_role("button", name="交办").click()
    assert "办理期限不能早于提出日期" in page.get_by_test_id("assign-form").inner_text()
    page.get_by_label("办理期限").fill(str(on + timedelta(days=15)))
    page.get_by_role("button", name="交办").click()
    assert page.get_by_test_id("problem-handling-unit").inner_text() == "北山镇"
    _both(page, "problem-bureau")
    page.goto(f"{live_server}/")
    assert "二期扩建" not in _section(page, "care.unassigned").inner_text()

    # 北山镇 finds it on its to-do page, takes it up and resolves it.
    _as(page, live_server, people["other_unit"])
    handed = _section(page, "care.handed")
    assert "二期扩建需新增用地" in handed.inner_text()
    assert page.get_by_test_id("nav-badge").inner_text() == "1"
    _both(page, "todo-unit-handed")
    handed.get_by_role("link", name="二期扩建需新增用地", exact=False).click()
    page.get_by_role("button", name="开始办理").click()
    assert page.get_by_test_id("problem-status").first.inner_text() == "办理中"
    page.get_by_role("button", name="办结").click()  # without a resolution
    assert "请填写办理结果" in page.get_by_test_id("resolve-form").inner_text()
    page.get_by_label("办理结果").fill("已调剂用地指标 30 亩，列入下批次供地计划")
    page.get_by_role("button", name="办结").click()
    assert page.get_by_test_id("problem-status").first.inner_text() == "已办结"
    _both(page, "problem-resolved")
    page.goto(f"{live_server}/")
    assert "没有待办理的交办问题" in _section(page, "care.handed").inner_text()
    assert page.get_by_test_id("nav-badge").count() == 0
    # ...and it still cannot open the other unit's project.
    assert page.goto(f"{live_server}/projects/{project.id}").status == 404
    csp_errors[:] = [e for e in csp_errors if "404" not in e]  # that refusal was expected

    # The owning unit's aftercare tab now answers: every request answered.
    _as(page, live_server, people["unit"])
    page.goto(f"{live_server}/projects/{project.id}")
    _care_tab(page)
    requests = page.get_by_test_id("care-requests").inner_text()
    assert "1 / 1" in requests and "诉求全部办结" in requests
    _both(page, "care-tab")
    assert csp_errors == []


def test_every_new_screen_at_desktop_and_phone_width(page, live_server, people, make, csp_errors):
    """Screens with some of everything, to look at."""
    care = CareFactory(make)
    d, a, b = care.days_ago, people["unit_a"], people["unit_b"]
    head = make.leader("张书记", "区委书记", head_kind="party", user=people["leader"])
    project = make.project(
        a,
        "新能源电池项目",
        "甲公司",
        lead_on=d(300),
        signed_on=d(200),
        leader_id=head.id,
        contract_investment=150_000_000,
        registered_on=d(150),
    )
    other = make.project(
        b,
        "文旅综合体项目",
        "乙公司",
        lead_on=d(300),
        signed_on=d(90),
        contract_investment=80_000_000,
    )
    make.project(a, "智能装备产业园", "丙公司", lead_on=d(45))
    make.project(a, "冷链物流中心", "乙公司", lead_on=d(20))
    make.follow_up(
        project, people["unit"], d(7), next_step="回访企业，了解用工需求", next_due_on=d(0)
    )
    care.problem(project, "厂区双回路供电尚未接入", handling_unit=b, deadline=d(3), level=1)
    care.problem(project, "环评批复等待时间较长", category="审批", handling_unit=a, deadline=d(-7))
    care.problem(project, "高管子女入学", category="其他")
    care.problem(
        other,
        "项目红线内尚有 3 户未搬迁",
        category="拆迁",
        handling_unit=a,
        deadline=d(10),
        level=2,
    )
    care.problem(
        project,
        "办证",
        category="审批",
        handling_unit=a,
        raised_on=d(60),
        deadline=d(40),
        status="resolved",
        resolved_on=d(45),
    )
    care.commitment(project, a, "厂区道路硬化及雨污管网在开工前建成", due_on=d(5))
    care.commitment(project, b, "协助解决高管人才公寓 10 套", due_on=d(30), fulfilled_on=d(33))
    care.commitment(project, a, "投产前完成 110kV 变电站配套建设", due_on=d(-90))
    care.visit(project, d(12))
    page.set_viewport_size(DESKTOP)
    for role in ("unit", "bureau", "leader"):
        _as(page, live_server, people[role])
        _both(page, f"todo-{role}")
    _as(page, live_server, people["bureau"])
    screens = {
        "care-problems": "/care/problems",
        "care-board": "/care/problems/board",
        "care-stalled": "/care/stalled",
        "care-problem-new": f"/care/projects/{project.id}/problems/new",
        "care-commitment-new": f"/care/projects/{project.id}/commitments/new",
        "care-visit-new": f"/care/projects/{project.id}/visits/new",
    }
    for name, path in screens.items():
        page.goto(live_server + path)
        _both(page, name)
    page.goto(f"{live_server}/care/problems?state=overdue")
    page.get_by_role("link", name="厂区双回路供电", exact=False).click()
    _both(page, "care-problem-overdue")
    page.goto(f"{live_server}/projects/{project.id}")
    _care_tab(page)
    page.set_viewport_size(DESKTOP)
    shoot(page, "care-tab-full-desktop")
    page.set_viewport_size(PHONE)
    _care_tab(page)
    shoot(page, "care-tab-full-phone")
    assert_fits_phone(page, page.get_by_role("tab", name="安商服务"))
    assert csp_errors == []
