"""Monthly scheduling (月调度): a unit reports and corrects a month, the refusals, the bureau's
summary with its due day, month locks, who may write."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core.history import HistoryEntry
from app.extensions import db
from app.keyprojects.models import KeyMonthlyReport, KeyScheduleLock

BASE = "/key-projects/schedule"


@pytest.fixture
def become(client, login):
    """Log out whoever is logged in, then log in as this user."""

    def do(user):
        client.post("/logout")
        return login(user)

    return do


@pytest.fixture
def sewage(make, people):
    """Unit A's 2026 key project: 20,000 万元 in total."""
    return make.key_project(people["unit_a"], name="城南污水处理厂", total_wan="20000")


@pytest.fixture
def reports(app):
    """Read the key project's stored reports, by (year, month)."""

    def do(key_project_id: int) -> dict:
        with app.app_context():
            rows = db.session.execute(
                select(KeyMonthlyReport).where(KeyMonthlyReport.key_project_id == key_project_id)
            ).scalars()
            return {(r.year, r.month): (r.invested, r.progress, r.reported_by_id, r.version)
                    for r in rows}

    return do


def _post(client, kp_id, year=2026, month=10, **data):
    body = {"invested_wan": "1234.56", "progress": "主体结构完成至 8 层", "version": "", **data}
    return client.post(f"{BASE}/{kp_id}/{year}/{month}", data=body)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_unit_reports_a_month_in_wan_stored_as_whole_yuan_then_corrects_it(
    client, people, become, sewage, reports
):
    become(people["unit"])
    page = _text(client.get(f"{BASE}/"))
    assert "月调度 2026年10月" in page and "城南污水处理厂" in page  # the last ended month
    assert "截止 11月10日" in page

    response = _post(client, sewage.id)
    assert response.status_code == 302, _text(response)[:2000]
    invested, progress, by, version = reports(sewage.id)[(2026, 10)]
    assert (invested, progress, by) == (12_345_600, "主体结构完成至 8 层", people["unit"].id)

    page = _text(client.get(f"{BASE}/?year=2026&month=10"))
    assert "1,234.56" in page and "主体结构完成至 8 层" in page

    response = _post(client, sewage.id, invested_wan="0.01", progress="封顶", version=str(version))
    assert response.status_code == 302
    assert reports(sewage.id)[(2026, 10)][:2] == (100, "封顶")

    # The November page shows October's 形象进度 as last month's.
    assert "封顶" in _text(client.get(f"{BASE}/?year=2026&month=11"))


def test_a_save_from_a_stale_row_is_refused_with_409_and_keeps_what_was_typed(
    client, people, become, sewage, reports
):
    become(people["unit"])
    assert _post(client, sewage.id).status_code == 302
    old = reports(sewage.id)[(2026, 10)][3]
    assert _post(client, sewage.id, progress="第二次", version=str(old)).status_code == 302

    response = _post(client, sewage.id, invested_wan="99", progress="过时的页面", version=str(old))
    assert response.status_code == 409
    page = _text(response)
    assert "已被他人修改" in page and "过时的页面" in page
    assert reports(sewage.id)[(2026, 10)][1] == "第二次"

    # A second first entry (no version) over an existing report is stale too.
    assert _post(client, sewage.id, progress="又一次新填").status_code == 409


@pytest.mark.parametrize(
    ("year", "month", "data", "message"),
    [
        (2026, 11, {}, "尚未结束"),  # the current month
        (2026, 12, {}, "尚未结束"),
        (2025, 10, {}, "2026 年的重点项目"),
        (2026, 10, {"invested_wan": "-5"}, "不能为负数"),
        (2026, 10, {"invested_wan": "20000.01"}, "不能超过项目总投资"),
        (2026, 10, {"invested_wan": "12abc"}, "不是"),
        (2026, 10, {"invested_wan": ""}, "请填写本月完成投资"),
        (2026, 10, {"progress": "   "}, "请填写形象进度"),
        (2026, 13, {}, "月份须在 1—12 之间"),
    ],
)
def test_bad_reports_are_refused_with_a_message_and_nothing_written(
    client, people, become, sewage, reports, year, month, data, message
):
    become(people["unit"])
    typed = {"invested_wan": "321.5", "progress": "基础施工中", **data}
    response = _post(client, sewage.id, year=year, month=month, **typed)
    assert response.status_code == 200
    page = _text(response)
    assert message in page
    if typed["progress"].strip():
        assert typed["progress"] in page  # what was typed is kept
    assert reports(sewage.id) == {}


def test_the_amount_may_equal_the_total_investment_and_zero(
    client, people, become, sewage, reports
):
    become(people["unit"])
    assert _post(client, sewage.id, invested_wan="20,000").status_code == 302
    assert reports(sewage.id)[(2026, 10)][0] == 200_000_000
    assert _post(client, sewage.id, month=9, invested_wan="0").status_code == 302
    assert reports(sewage.id)[(2026, 9)][0] == 0


def test_another_units_project_is_404_and_not_listed(client, people, become, sewage, reports):
    become(people["other_unit"])
    assert _post(client, sewage.id).status_code == 404
    assert "城南污水处理厂" not in _text(client.get(f"{BASE}/"))
    assert reports(sewage.id) == {}


def test_a_deleted_project_is_404(client, people, become, make):
    from app.core.db import utcnow

    gone = make.key_project(people["unit_a"], name="已删除项目", deleted_at=utcnow())
    become(people["unit"])
    assert _post(client, gone.id).status_code == 404
    assert "已删除项目" not in _text(client.get(f"{BASE}/"))


def test_a_project_completed_before_the_month_is_not_listed(client, people, become, make):
    from datetime import date

    make.key_project(people["unit_a"], name="九月竣工项目", started_on=date(2026, 3, 1),
                     completed_on=date(2026, 9, 20))
    make.key_project(people["unit_a"], name="十月竣工项目", started_on=date(2026, 3, 1),
                     completed_on=date(2026, 10, 20))
    become(people["unit"])
    page = _text(client.get(f"{BASE}/?year=2026&month=10"))
    assert "十月竣工项目" in page and "九月竣工项目" not in page


@pytest.mark.clock("2026-12-02 10:00")
def test_the_bureau_sees_who_has_not_reported_before_the_due_day(
    client, people, become, make, sewage
):
    make.key_project(people["unit_a"], name="城北供热管网")
    make.key_project(people["unit_b"], name="北山旅游公路")
    make.key_report(sewage, 11)
    become(people["bureau"])
    page = _text(client.get(f"{BASE}/"))
    assert "月调度 2026年11月" in page and "截止 12月10日" in page
    rows = _summary(page)
    assert rows["城关街道"] == ("2", "1", "城北供热管网", False)
    assert rows["北山镇"] == ("1", "0", "北山旅游公路", False)
    assert "已逾期" not in page


@pytest.mark.clock("2026-12-11 09:00")
def test_after_the_due_day_units_with_missing_reports_are_overdue(
    client, people, become, make, sewage
):
    make.key_project(people["unit_b"], name="北山旅游公路")
    make.key_report(sewage, 11)
    become(people["bureau"])
    page = _text(client.get(f"{BASE}/?year=2026&month=11"))
    rows = _summary(page)
    assert rows["城关街道"] == ("1", "1", "—", False)
    assert rows["北山镇"] == ("1", "0", "北山旅游公路", True)

    # The unit sees its missing row as overdue too.
    become(people["other_unit"])
    page = _text(client.get(f"{BASE}/?year=2026&month=11"))
    assert 'data-testid="row-overdue"' in page


def _summary(page: str) -> dict:
    out = {}
    for row in re.findall(r'<tr data-testid="summary-row".*?</tr>', page, re.S):
        unit = re.search(r'data-unit="([^"]+)"', row).group(1)

        def cell(name, row=row):
            return re.sub(r"<[^>]+>", "", re.search(
                rf'data-testid="{name}">(.*?)</td>', row, re.S).group(1)).strip()

        out[unit] = (cell("expected"), cell("reported"), cell("missing"),
                     'data-testid="overdue"' in row)
    return out


def test_the_bureau_opens_a_unit_and_enters_on_its_behalf(
    client, people, become, sewage, reports
):
    become(people["bureau"])
    page = _text(client.get(f"{BASE}/?year=2026&month=10&unit_id={people['unit_a'].id}"))
    assert 'data-testid="report-row"' in page and "城南污水处理厂" in page
    response = _post(client, sewage.id, unit_id=people["unit_a"].id)
    assert response.status_code == 302
    assert f"unit_id={people['unit_a'].id}" in response.location
    assert reports(sewage.id)[(2026, 10)][2] == people["bureau"].id


def test_the_bureau_locks_a_month_and_unlocks_it_with_a_reason(
    client, people, become, sewage, reports, app
):
    become(people["bureau"])
    assert client.post(f"{BASE}/lock", data={"year": "2026", "month": "10"}).status_code == 302
    # A month not yet ended cannot be locked.
    client.post(f"{BASE}/lock", data={"year": "2026", "month": "11"})

    become(people["unit"])
    page = _text(client.get(f"{BASE}/?year=2026&month=10"))
    assert "已锁定" in page and "invested_wan" not in page
    response = _post(client, sewage.id)
    assert response.status_code == 200 and "已锁定" in _text(response)
    assert reports(sewage.id) == {}

    become(people["bureau"])
    response = client.post(f"{BASE}/unlock", data={"year": "2026", "month": "10", "reason": ""})
    assert response.status_code == 200 and "请填写解锁原因" in _text(response)
    response = client.post(
        f"{BASE}/unlock", data={"year": "2026", "month": "10", "reason": "城关街道数据有误"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(select(KeyScheduleLock)).scalars().all() == []
        entry = db.session.execute(
            select(HistoryEntry).where(
                HistoryEntry.table_name == "key_schedule_locks", HistoryEntry.action == "delete"
            )
        ).scalar_one()
        assert "城关街道数据有误" in entry.reason

    become(people["unit"])
    assert _post(client, sewage.id).status_code == 302


@pytest.mark.parametrize("role", ["leader", "admin", "auditor"])
def test_leader_admin_and_auditor_cannot_write(client, people, become, sewage, reports, role):
    become(people[role])
    assert _post(client, sewage.id).status_code == 403
    assert client.post(f"{BASE}/lock", data={"year": "2026", "month": "10"}).status_code == 403
    assert client.post(
        f"{BASE}/unlock", data={"year": "2026", "month": "10", "reason": "x"}
    ).status_code == 403
    assert reports(sewage.id) == {}


def test_a_unit_cannot_lock(client, people, become, app):
    become(people["unit"])
    assert client.post(f"{BASE}/lock", data={"year": "2026", "month": "10"}).status_code == 403
    with app.app_context():
        assert db.session.execute(select(KeyScheduleLock)).first() is None


def test_the_leader_reads_without_forms_and_admin_and_auditor_cannot_read(
    client, people, become, make, sewage
):
    make.key_report(sewage, 10, invested_wan="88", progress="设备安装")
    become(people["leader"])
    page = _text(client.get(f"{BASE}/?year=2026&month=10&unit_id={people['unit_a'].id}"))
    assert "设备安装" in page and "88.00" in page
    assert 'name="invested_wan"' not in page and "锁定本月" not in page
    for role in ("admin", "auditor"):
        become(people[role])
        assert client.get(f"{BASE}/").status_code == 403


@pytest.mark.parametrize("query", ["year=abc&month=10", "year=2026&month=13", "year=9999999999"
                                   "99999999999&month=1", "year=²&month=٣"])
def test_unreadable_months_fall_back_to_the_last_ended_month(client, people, become, query):
    become(people["unit"])
    response = client.get(f"{BASE}/?{query}")
    assert response.status_code == 200
    assert "月调度 2026年10月" in _text(response)
