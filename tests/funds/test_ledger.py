"""The funds ledger through the screens: entry, verification, rejection, scope, totals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.history import HistoryEntry
from app.extensions import db
from app.reports.figures import funds as figures
from tests.funds.conftest import entries, entry_form


def _enter(client, project, **overrides):
    return client.post(f"/funds/new?project_id={project.id}", data=entry_form(**overrides))


def test_a_unit_enters_funds_for_its_project_and_they_wait_for_verification(
    app, client, people, login, projects
):
    login(people["unit"])
    response = _enter(client, projects["a"])
    assert response.status_code == 302
    [entry] = entries(app)
    assert (entry.status, entry.amount, entry.origin, entry.evidence_ref) == (
        "pending",
        12_505_000,
        "国内省外",
        "YH20260305001",
    )
    assert entry.entered_by_id == people["unit"].id
    page = client.get("/funds/").get_data(as_text=True)
    assert "YH20260305001" in page and "待核实" in page
    assert 'data-testid="verified-total">0.00 万元' in page
    assert 'data-testid="pending-total">1,250.50 万元' in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "金额须大于 0"),
        ("0", "金额须大于 0"),
        ("abc", "“abc”不是数字"),
        ("1e9", "“1e9”不是普通的数字写法"),
        ("12.345", "金额最多两位小数"),
        ("200000000", "金额过大"),
        ("", "请填写金额"),
    ],
)
def test_a_bad_amount_is_refused_beside_its_field_and_the_form_keeps_the_input(
    app, client, people, login, projects, amount, message
):
    login(people["unit"])
    response = _enter(client, projects["a"], amount_wan=amount, evidence_ref="保留的凭证号")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'value="保留的凭证号"' in page
    assert entries(app) == []


def test_every_problem_of_the_form_is_reported_at_once(app, client, people, login, projects):
    login(people["unit"])
    page = _enter(
        client, projects["a"], received_on="", amount_wan="", origin="区内", evidence_ref=""
    ).get_data(as_text=True)
    for message in ("请填写到位日期", "请填写金额", "资金类型须为", "请填写凭证号"):
        assert message in page
    assert entries(app) == []


def test_a_future_date_is_refused(app, client, people, login, projects):
    login(people["unit"])
    page = _enter(client, projects["a"], received_on="2027-06-01").get_data(as_text=True)
    assert "到位日期不能晚于今天" in page and entries(app) == []


def test_the_same_evidence_reference_cannot_be_entered_twice_for_a_project(
    app, client, people, login, projects
):
    login(people["unit"])
    assert _enter(client, projects["a"], evidence_ref="YH-001").status_code == 302
    page = _enter(client, projects["a"], evidence_ref=" yh－001 ").get_data(as_text=True)
    assert "本项目已登记过凭证号" in page
    assert len(entries(app)) == 1
    # Another project may carry the same reference.
    login(people["bureau"])
    assert _enter(client, projects["b"], evidence_ref="YH-001").status_code == 302


def test_a_rejected_entry_frees_its_reference_and_never_counts(
    app, client, people, login, projects, add_entry
):
    entry_id = add_entry(projects["a"], "300", status="pending", ref="YH-9")
    login(people["bureau"])
    response = client.post(f"/funds/{entry_id}/reject", data={"note": ""})
    assert "退回须说明原因" in client.get(response.location).get_data(as_text=True)
    client.post(f"/funds/{entry_id}/reject", data={"note": "回单金额与合同不符"})
    [entry] = entries(app)
    assert entry.status == "rejected" and entry.verification_note == "回单金额与合同不符"
    with app.app_context():
        f = figures.LedgerFilters(year=2026)
        assert figures.totals(people["bureau"], f, "verified") == (0, 0)
    assert _enter(client, projects["a"], evidence_ref="YH-9").status_code == 302


def test_the_bureau_verifies_and_only_then_it_counts_and_the_project_is_funded(
    app, client, people, login, projects, add_entry, funded_on
):
    entry_id = add_entry(projects["a"], "500", status="pending", received_on=date(2026, 4, 2))
    assert funded_on(projects["a"]) is None
    login(people["bureau"])
    client.post(f"/funds/{entry_id}/verify", data={"note": "已核对银行回单"})
    [entry] = entries(app)
    assert entry.status == "verified" and entry.verified_by_id == people["bureau"].id
    assert funded_on(projects["a"]) == date(2026, 4, 2)
    page = client.get("/funds/?year=2026").get_data(as_text=True)
    assert 'data-testid="verified-total">500.00 万元' in page
    # Verifying twice is refused, not an error.
    response = client.post(f"/funds/{entry_id}/verify", data={"note": ""})
    assert "不能再核实" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("role", ["unit", "leader", "admin"])
def test_only_the_bureau_verifies_or_rejects(app, client, people, login, projects, add_entry, role):
    entry_id = add_entry(projects["a"], "500", status="pending")
    login(people[role])
    assert client.post(f"/funds/{entry_id}/verify", data={"note": ""}).status_code == 403
    assert client.post(f"/funds/{entry_id}/reject", data={"note": "x"}).status_code == 403
    assert entries(app)[0].status == "pending"


def test_a_unit_cannot_see_enter_or_change_another_units_funds(
    app, client, people, login, projects, add_entry
):
    theirs = add_entry(projects["b"], "777", status="pending", ref="THEIRS-1")
    add_entry(projects["b"], "888", status="verified", ref="THEIRS-2")
    mine = add_entry(projects["a"], "111", status="verified", ref="MINE-1")
    login(people["unit"])
    for url in (f"/funds/{theirs}", f"/funds/{theirs}/edit", f"/funds/{theirs}/evidence"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/funds/new?project_id={projects['b'].id}").status_code == 404
    assert _enter(client, projects["b"]).status_code == 404
    page = client.get(f"/funds/?unit_id={people['unit_b'].id}").get_data(as_text=True)
    assert "THEIRS" not in page and 'data-testid="verified-total">0.00' in page
    page = client.get("/funds/").get_data(as_text=True)
    assert "MINE-1" in page and "THEIRS" not in page
    report = client.get("/funds/report?year=2026").get_data(as_text=True)
    assert "北山镇" not in report and "888.00" not in report and "111.00" in report
    assert client.get(f"/funds/{mine}").status_code == 200


def test_a_pending_entry_can_be_changed_but_a_verified_one_cannot(
    app, client, people, login, projects, add_entry
):
    pending = add_entry(projects["a"], "100", status="pending", ref="A-1")
    verified = add_entry(projects["a"], "200", status="verified", ref="A-2")
    login(people["unit"])
    form = client.get(f"/funds/{pending}/edit").get_data(as_text=True)
    version = form.split('name="version" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/funds/{pending}/edit",
        data=entry_form(amount_wan="150", evidence_ref="A-1", version=version),
    )
    assert response.status_code == 302
    assert entries(app, id=pending)[0].amount == 1_500_000
    response = client.post(
        f"/funds/{verified}/edit", data=entry_form(amount_wan="999", evidence_ref="A-2")
    )
    assert response.status_code == 302
    assert entries(app, id=verified)[0].amount == 2_000_000


def test_a_stale_edit_form_is_refused(app, client, people, login, projects, add_entry):
    pending = add_entry(projects["a"], "100", status="pending", ref="A-1")
    login(people["unit"])
    page = client.post(
        f"/funds/{pending}/edit", data=entry_form(amount_wan="150", evidence_ref="A-1", version="0")
    ).get_data(as_text=True)
    assert "已被他人修改" in page
    assert entries(app)[0].amount == 1_000_000


def test_a_double_submit_creates_one_entry(app, client, people, login, projects):
    login(people["unit"])
    assert _enter(client, projects["a"], submission_id="abc123").status_code == 302
    assert _enter(client, projects["a"], submission_id="abc123").status_code == 302
    assert len(entries(app)) == 1


def test_pending_entries_never_count_in_verified_totals(app, people, projects, add_entry):
    add_entry(projects["a"], "100", status="verified")
    add_entry(projects["a"], "40", status="pending")
    add_entry(projects["a"], "7", status="rejected")
    with app.app_context():
        assert figures.funds_received(people["bureau"], 2026, 12) == 1_000_000
        f = figures.LedgerFilters(year=2026)
        assert figures.totals(people["bureau"], f, "pending") == (400_000, 1)


def test_a_thousand_entries_of_one_fen_sum_to_exactly_ten(app, client, people, login, make):
    project = make.project(people["unit_a"], "分毫不差项目", "精确计算有限公司")
    from app.funds.models import FundsEntry

    with app.app_context():
        db.session.add_all(
            FundsEntry(
                project_id=project.id,
                received_on=date(2026, 1 + i % 10, 1 + i % 28),
                amount=100,  # 0.01 万元
                origin="国内省外",
                use="固定资产投资",
                evidence_ref=f"F{i}",
                evidence_key=f"F{i}",
                status="verified",
            )
            for i in range(1000)
        )
        db.session.commit()
        assert figures.funds_received(people["bureau"], 2026, 12) == 100_000
    login(people["bureau"])
    page = client.get("/funds/report?year=2026&from=1&to=12").get_data(as_text=True)
    assert 'data-testid="verified-wan">10.00 万元' in page
    assert 'data-testid="verified-yi">0.00' in page


def test_verification_is_in_the_history_with_who_did_it(
    app, client, people, login, projects, add_entry
):
    entry_id = add_entry(projects["a"], "500", status="pending")
    login(people["bureau"])
    client.post(f"/funds/{entry_id}/verify", data={"note": "ok"})
    with app.app_context():
        rows = db.session.execute(
            select(HistoryEntry).where(
                HistoryEntry.table_name == "funds_entries", HistoryEntry.action == "update"
            )
        ).scalars()
        [row] = list(rows)
        assert row.actor_name == "bureau1" and row.after["status"] == "verified"


def test_the_new_entry_chooser_lists_only_the_units_projects(client, people, login, projects):
    login(people["unit"])
    page = client.get("/funds/new").get_data(as_text=True)
    assert "智能制造产业园" in page and "文旅综合体" not in page
    found = client.get("/funds/new?q=文旅").get_data(as_text=True).split("</form>")[-1]
    assert "文旅综合体" not in found and "没有找到可录入的已签约项目" in found


def test_the_new_entry_chooser_lists_only_signed_projects(client, people, login, projects, make):
    make.project(people["unit_a"], "洽谈中的项目", "洽谈公司", negotiating_on=date(2026, 3, 1))
    login(people["unit"])
    page = client.get("/funds/new").get_data(as_text=True)
    assert "智能制造产业园" in page and "洽谈中的项目" not in page
    assert "只列已签约的项目" in page
