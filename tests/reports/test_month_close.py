"""Month close (月结): who may close, the issued files kept byte for byte, re-closing refused,
the reason a later change needs, and the issued-against-live comparison."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import periods
from app.core.dates import today
from app.core.history import HistoryEntry
from app.core.security_log import SecurityEvent
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.models import Project
from app.projects.transfer import HEADERS as PROJECT_HEADERS
from app.reports import closing
from app.reports.dashboard import build
from app.reports.models import MonthClose
from tests.imports.conftest import FUNDS_HEADERS, funds_row, project_row, token_of, xlsx
from tests.reports.conftest import BUREAU, OCTOBER

CLOSE = {"year": "2026", "month": "10", "confirm": "y"}
DOCX = "/bulletins/download?year=2026&month=10&format=docx"
XLSX = "/bulletins/download?year=2026&month=10&format=xlsx"


def _closes(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(MonthClose)).scalar_one()


@pytest.fixture
def closed(app, client, district, people, login_as, worker):
    """October 2026 closed by the bureau; the files as first downloaded."""
    login_as(people["bureau"])
    response = client.post("/bulletins/close", data=CLOSE)
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    assert _closes(app) == 0  # the job waits for a worker
    assert worker() == 1
    assert _closes(app) == 1
    assert "已月结" in client.get(response.headers["Location"]).get_data(as_text=True)
    return {"docx": client.get(DOCX).data, "xlsx": client.get(XLSX).data}


def test_closing_keeps_the_files_and_downloads_them_byte_for_byte(app, client, closed):
    with app.app_context():
        close = closing.month_close(2026, 10)
        assert close.docx == closed["docx"] and close.xlsx == closed["xlsx"]
        assert close.docx_sha256 == hashlib.sha256(closed["docx"]).hexdigest()
        assert close.closed_by.username == "bureau1"
        assert close.snapshot["paragraphs"][0].startswith("2026年1—10月，全区新签约项目3个")
        total = close.snapshot["statement"][0]  # the 到位资金情况表 as issued
        issued = (total["label"], total["projects"], total["amount"])
        assert issued == ("到位资金合计", 3, 65_000_000)
    response = client.get(DOCX)
    assert response.data == closed["docx"]
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    page = client.get("/bulletins/?year=2026&month=10").get_data(as_text=True)
    assert "已月结" in page and "已印发通报（Word）" in page
    listing = client.get("/bulletins/closed").get_data(as_text=True)
    assert "2026年1—10月" in listing and "2026年1-10月全区招商引资工作通报.docx" in listing


def test_a_closed_month_cannot_be_closed_again(app, client, closed):
    response = client.post("/bulletins/close", data=CLOSE, follow_redirects=True)
    assert "已经月结，不能重复月结" in response.get_data(as_text=True)
    assert _closes(app) == 1


def test_closing_needs_the_confirmation_and_a_finished_month(app, client, district, people,
                                                             login_as):  # fmt: skip
    with app.app_context():
        on = today()
    login_as(people["bureau"])
    unconfirmed = client.post("/bulletins/close", data={"year": "2026", "month": "10"},
                              follow_redirects=True)  # fmt: skip
    assert "请勾选确认后再月结" in unconfirmed.get_data(as_text=True)
    current = client.post("/bulletins/close", data={**CLOSE, "year": str(on.year),
                                                     "month": str(on.month)},
                          follow_redirects=True)  # fmt: skip
    assert "尚未结束" in current.get_data(as_text=True)
    bad = client.post("/bulletins/close", data={**CLOSE, "month": "13"}, follow_redirects=True)
    assert "月份须在 1—12 之间" in bad.get_data(as_text=True)
    assert _closes(app) == 0


@pytest.mark.parametrize("role", ["leader", "admin", "unit", "auditor"])
def test_only_the_bureau_closes_a_month(app, client, district, people, login_as, role):
    login_as(people[role])
    assert client.post("/bulletins/close", data=CLOSE).status_code == 403
    assert _closes(app) == 0


def test_unit_users_cannot_read_or_download_the_district_bulletin(client, district, people,
                                                                  login_as):  # fmt: skip
    login_as(people["unit"])
    assert client.get("/bulletins/").status_code == 403
    assert client.get(DOCX).status_code == 403
    assert client.get(XLSX).status_code == 403


@pytest.mark.parametrize("role", ["leader", "admin", "bureau"])
def test_leaders_admins_and_the_bureau_download_it(app, client, district, people, login_as, role):
    login_as(people[role])
    page = client.get("/bulletins/?year=2026&month=10")
    assert page.status_code == 200
    assert "全区新签约项目3个，合同投资1.75亿元" in page.get_data(as_text=True)
    assert ("月结" in page.get_data(as_text=True)) is True
    response = client.get(XLSX)
    assert response.status_code == 200 and response.data.startswith(b"PK")
    with app.app_context():
        event = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "export")
        ).scalar_one()
        assert event.detail["what"] == "月度通报" and event.detail["rows"] > 0
        assert event.detail["filter"] == {"year": 2026, "month": 10, "format": "xlsx",
                                          "issued": False}  # fmt: skip


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc&month=10", "年份和月份须为数字"),
        ("year=2026&month=13", "月份须在 1—12 之间"),
        ("year=2026&month=0", "月份须在 1—12 之间"),
        ("year=1900&month=5", "年份须在 2000—"),
        ("year=99999&month=5", "年份须在 2000—"),
        ("year=2026&month=-1", "年份和月份须为数字"),
    ],
)
def test_bad_periods_give_a_chinese_message(client, people, login_as, query, message):
    login_as(people["bureau"])
    page = client.get(f"/bulletins/?{query}")
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    download = client.get(f"/bulletins/download?{query}&format=docx", follow_redirects=True)
    assert download.status_code == 200 and message in download.get_data(as_text=True)
    wrong_format = client.get("/bulletins/download?year=2026&month=10&format=pdf",
                              follow_redirects=True)  # fmt: skip
    assert "请选择下载 Word（docx）或 Excel（xlsx）格式" in wrong_format.get_data(as_text=True)


def test_the_guard_knows_which_dates_a_close_covers(app, closed):
    with app.app_context():
        assert periods.reason_required(date(2026, 9, 20))
        assert periods.reason_required(date(2026, 10, 31))
        assert not periods.reason_required(date(2026, 11, 3))
        assert not periods.reason_required(date(2025, 9, 20))
        assert not periods.reason_required(None)


def test_a_back_dated_verified_entry_shows_issued_against_live_and_the_record(
    app, client, make, district, closed, in_request
):
    entry = make.funds_entry(district.p3, "200", status="pending", received_on=date(2026, 9, 20))
    refused = client.post(f"/funds/{entry.id}/verify", data={"note": ""}, follow_redirects=True)
    assert "已随2026年10月通报月结，改动须说明原因" in refused.get_data(as_text=True)
    client.post(f"/funds/{entry.id}/verify", data={"note": "银行回单补录"})
    with app.app_context():
        assert db.session.get(FundsEntry, entry.id).status == "verified"
    diff = in_request(lambda: closing.closed_month_diff(BUREAU, build(BUREAU, OCTOBER)))
    changes = {c.key: c for c in diff.changes}
    assert changes["funds_received"].issued == "6,500.00 万元（0.65 亿元）"
    assert changes["funds_received"].live == "6,700.00 万元（0.67 亿元）"
    assert changes["funds_rate"].issued == "54.17%" and changes["funds_rate"].live == "55.83%"
    # lag to FIGURE_DECIMALS places: 83.333… − 54.166… = 29.166… and 83.333… − 55.833… = 27.5
    assert changes["funds_lag"].issued == "29.17 个百分点"
    assert changes["funds_lag"].live == "27.50 个百分点"
    assert changes[f"unit:{district.b.id}:funds"].live.startswith("1,200.00 万元")
    records = [r for r in diff.records if r.table_name == "funds_entries"]
    assert [r.record_id for r in records] == [entry.id]
    assert "核实状态" in records[0].fields and "银行回单补录" in records[0].reason
    assert client.get(DOCX).data == closed["docx"]  # the issued file is unchanged
    page = client.get("/bulletins/?year=2026&month=10").get_data(as_text=True)
    assert "印发数与当前数对照" in page and "6,700.00 万元" in page and "银行回单补录" in page
    dashboard = client.get("/dashboard?year=2026&month=10").get_data(as_text=True)
    assert 'data-testid="closed-diff"' in dashboard  # the leaders' page shows both, too
    assert "6,500.00 万元（0.65 亿元）" in dashboard and "6,700.00 万元（0.67 亿元）" in dashboard
    assert "月结后更正或补录" in dashboard and "银行回单补录" in dashboard


def test_a_milestone_after_the_month_changes_no_issued_figure_but_a_back_dated_one_does(
    app, district, closed, in_request
):
    with app.app_context():  # p3 started on 5 November: after 1—10月, so not in its figures
        project = db.session.get(Project, district.p3.id)
        project.started_on = date(2026, 11, 5)
        db.session.commit()
    diff = in_request(lambda: closing.closed_month_diff(BUREAU, build(BUREAU, OCTOBER)))
    assert "landed" not in {c.key for c in diff.changes}
    with app.app_context():  # now recorded as started on 20 October, after the close
        project = db.session.get(Project, district.p3.id)
        project.started_on = date(2026, 10, 20)
        db.session.commit()
    diff = in_request(lambda: closing.closed_month_diff(BUREAU, build(BUREAU, OCTOBER)))
    changes = {c.key: c for c in diff.changes}
    assert changes["landed"].issued == "1 个" and changes["landed"].live == "2 个"
    assert {r.record_id for r in diff.records} == {district.p3.id}
    assert {tuple(r.fields) for r in diff.records} == {("开工日期",)}


def test_an_open_month_has_no_diff(district, in_request):
    assert in_request(lambda: closing.closed_month_diff(BUREAU, build(BUREAU, OCTOBER))) is None


def test_a_unit_dashboard_of_a_closed_month_has_no_diff(district, people, closed, in_request):
    unit = SimpleNamespace(role="unit", unit_id=people["unit_a"].id, is_authenticated=True, id=9)
    assert in_request(lambda: closing.closed_month_diff(unit, build(unit, OCTOBER))) is None
    leader = SimpleNamespace(role="leader", unit_id=None, is_authenticated=True, id=9)
    assert in_request(lambda: closing.closed_month_diff(leader, build(leader, OCTOBER))).close


def _history_reasons(app, table: str, record_id: int) -> list[str]:
    with app.app_context():
        stmt = select(HistoryEntry.reason).where(
            HistoryEntry.table_name == table, HistoryEntry.record_id == record_id
        )
        return [r for r in db.session.execute(stmt).scalars() if r]


def test_a_back_dated_milestone_in_a_closed_month_needs_a_reason(app, client, district, closed):
    form = client.get(f"/projects/{district.p3.id}/advance/started").get_data(as_text=True)
    assert "已月结至 2026年10月" in form  # the reason field explains itself
    refused = client.post(f"/projects/{district.p3.id}/advance/started", data={"on": "2026-10-20"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "2026年10月的数据已随2026年10月通报月结，改动须说明原因" in page
    assert 'value="2026-10-20"' in page  # what the user typed is kept
    with app.app_context():
        assert db.session.get(Project, district.p3.id).started_on is None
    client.post(
        f"/projects/{district.p3.id}/advance/started",
        data={"on": "2026-10-20", "reason": "开工报告迟报"},
    )
    with app.app_context():
        assert db.session.get(Project, district.p3.id).started_on == date(2026, 10, 20)
    assert any("开工报告迟报" in r for r in _history_reasons(app, "projects", district.p3.id))


def test_a_milestone_after_the_closed_months_needs_no_reason(app, client, district, closed):
    with app.app_context():
        on = today()
    response = client.post(
        f"/projects/{district.p3.id}/advance/started", data={"on": on.isoformat()}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Project, district.p3.id).started_on == on


def test_an_import_reaching_into_a_closed_month_asks_for_a_reason(app, client, closed):
    rows = [
        PROJECT_HEADERS,
        project_row(
            **{"签约日期": date(2026, 9, 1), "合同投资额（万元）": "800"}
        ),  # in the closed months
        project_row(项目名称="冷库项目", 投资方="北方冷链有限公司"),  # a lead: no date
    ]
    checked = client.post(
        "/imports/projects/check",
        data={"file": (io.BytesIO(xlsx(rows)), "补录.xlsx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "第 2 行（2026-09-01）的日期落在已月结的月份" in checked
    token = token_of(checked)
    refused = client.post(f"/imports/confirm/{token}", data={"reason": "  "})
    assert "请填写原因后再确认导入" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Project)).scalar_one() == 5
    done = client.post(f"/imports/confirm/{token}", data={"reason": "九月签约漏报"})
    assert done.status_code == 302
    with app.app_context():
        project = db.session.execute(
            select(Project).where(Project.signed_on == date(2026, 9, 1))
        ).scalar_one()
    assert any("九月签约漏报" in r for r in _history_reasons(app, "projects", project.id))


def test_a_verified_funds_import_into_a_closed_month_needs_a_reason_on_the_command_line(
    app, district, closed, tmp_path
):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(
        xlsx(
            [
                FUNDS_HEADERS,
                funds_row(**{"到位日期": "2026-09-30", "金额（万元）": "300", "凭证号": "BL-9"}),
            ]
        )
    )
    runner = app.test_cli_runner()
    args = ["import-funds", str(path), "--as", "bureau1", "--verified"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 2
    assert "已月结的月份，会改变已通报的数字，导入须说明原因" in refused.output
    with app.app_context():
        count = select(func.count()).select_from(FundsEntry)
        assert db.session.execute(count).scalar_one() == 6
    done = runner.invoke(args=[*args, "--reason", "历史台账补录"])
    assert done.exit_code == 0, done.output
    with app.app_context():
        assert db.session.execute(count).scalar_one() == 7
    unverified = tmp_path / "待核实.xlsx"  # pending entries change no issued figure
    unverified.write_bytes(
        xlsx(
            [
                FUNDS_HEADERS,
                funds_row(**{"到位日期": "2026-09-30", "金额（万元）": "300", "凭证号": "BL-10"}),
            ]
        )
    )
    assert runner.invoke(args=["import-funds", str(unverified), "--as", "bureau1"]).exit_code == 0


def test_a_second_close_while_the_first_waits_is_refused(app, client, district, people,
                                                        login_as, worker):  # fmt: skip
    login_as(people["bureau"])
    first = client.post("/bulletins/close", data=CLOSE)
    assert "/jobs/" in first.headers["Location"]
    second = client.post("/bulletins/close", data=CLOSE, follow_redirects=True)
    assert "已有同样的任务在排队或进行中" in second.get_data(as_text=True)
    assert worker() == 1 and _closes(app) == 1
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "已完成" in page and "已处理 3 / 3 步" in page and "/bulletins/?year=2026" in page
