"""Stages cannot skip: funds arrive only for a signed project, on or after its signing, on the
screen, in the import, in a correction and at verification (docs/domain.md, "Funds entry")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.projects.models import Project
from tests.funds.conftest import entries, entry_form

UNSIGNED = "项目尚未签约，不能登记到位资金"


def _enter(client, project, **overrides):
    return client.post(f"/funds/new?project_id={project.id}", data=entry_form(**overrides))


def test_funds_for_a_project_still_negotiating_are_refused_beside_the_date(
    app, client, people, login, make
):
    talking = make.project(people["unit_a"], "洽谈中项目", negotiating_on=date(2026, 1, 5))
    login(people["unit"])
    response = _enter(client, talking, evidence_ref="YH-NEG-1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and UNSIGNED in page
    assert 'value="YH-NEG-1"' in page  # what was typed is kept
    assert entries(app) == []


def test_funds_dated_before_the_signing_are_refused(app, client, people, login, projects):
    login(people["unit"])
    page = _enter(client, projects["a"], received_on="2026-02-09").get_data(as_text=True)
    assert "到位日期早于项目签约日期（2026-02-10）" in page
    assert entries(app) == []
    assert _enter(client, projects["a"], received_on="2026-02-10").status_code == 302


def test_a_pending_entry_of_an_unsigned_project_cannot_be_verified(
    app, client, people, login, make, add_entry
):
    talking = make.project(people["unit_a"], "洽谈中项目", negotiating_on=date(2026, 1, 5))
    entry_id = add_entry(talking, status="pending")
    login(people["bureau"])
    page = client.post(f"/funds/{entry_id}/verify", data={"note": ""},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert UNSIGNED in page
    with app.app_context():
        assert db.session.scalar(select(Project.funded_on).where(Project.id == talking.id)) is None
    assert [e.status for e in entries(app)] == ["pending"]


def test_a_correction_cannot_move_funds_before_the_signing(
    app, client, people, login, projects, add_entry
):
    original = add_entry(projects["a"], "100", received_on=date(2026, 3, 5), ref="YH-1")
    login(people["bureau"])
    page = client.post(
        f"/funds/{original}/correct",
        data=entry_form(reason="日期录错", received_on="2026-01-05", evidence_ref="YH-1"),
    ).get_data(as_text=True)
    assert "到位日期早于项目签约日期（2026-02-10）" in page
    assert len(entries(app)) == 1


def _breaking_records(make, people):
    unsigned = make.project(people["unit_a"], "未签约却有资金", "北山文旅集团有限公司")
    early = make.project(people["unit_b"], "签约前到位", "鑫泰新能源集团",
                         signed_on=date(2026, 5, 1), contract_investment=10_000_000)  # fmt: skip
    gap = make.project(people["unit_a"], "未签约已开工", "宁德示例新能源科技有限公司",
                       started_on=date(2026, 6, 1))  # fmt: skip
    make.funds_entry(unsigned, "100", received_on=date(2026, 3, 1))
    make.funds_entry(early, "200", received_on=date(2026, 4, 1))
    return unsigned, early, gap


def test_the_bureau_sees_every_record_that_skips_a_stage_and_nothing_is_changed(
    app, client, people, login, make, projects
):
    _breaking_records(make, people)
    make.funds_entry(projects["a"], "50", received_on=date(2026, 3, 1))  # a good one
    login(people["bureau"])
    page = client.get("/funds/stage-check").get_data(as_text=True)
    assert 'data-testid="funds-total">2<' in page and 'data-testid="gaps-total">1<' in page
    assert "未签约却有资金" in page and "签约前到位" in page and "早于签约日期" in page
    assert "未签约已开工" in page and "签约、注册" in page
    assert "智能制造产业园" not in page
    assert len(entries(app)) == 3


def test_units_and_leaders_cannot_open_the_stage_check(client, people, login):
    for role in ("unit", "leader", "auditor"):
        login(people[role])
        assert client.get("/funds/stage-check").status_code == 403


def test_the_command_lists_them_and_exits_one(app, runner, make, people):
    assert runner.invoke(args=["check-stages"]).exit_code == 0
    _breaking_records(make, people)
    result = runner.invoke(args=["check-stages"])
    assert result.exit_code == 1
    assert "到位资金：2 条" in result.output and "跳过前一步的项目：1 个" in result.output
    assert "未签约已开工：缺少签约、注册" in result.output
