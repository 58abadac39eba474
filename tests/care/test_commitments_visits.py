"""Commitments and visits, and the aftercare tab that answers "every promise kept? every request
answered?" at a glance."""

from __future__ import annotations

from sqlalchemy import select

from app.care.models import CareVisit, Commitment
from app.extensions import db


def _commitments(app) -> list[Commitment]:
    with app.app_context():
        rows = db.session.execute(select(Commitment).order_by(Commitment.id)).scalars().all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_unit_records_a_commitment_and_marks_it_kept(app, client, people, login, signed, care):
    login(people["unit"])
    response = client.post(
        f"/care/projects/{signed.id}/commitments/new",
        data={
            "promise": "2026 年 6 月底前完成供水接入",
            "delivering_unit_id": str(people["unit_b"].id),
            "due_on": str(care.days_ago(-20)),
            "evidence_note": "",
        },
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/projects/{signed.id}#tab-care")
    (commitment,) = _commitments(app)
    assert commitment.delivering_unit_id == people["unit_b"].id and commitment.fulfilled_on is None
    response = client.post(
        f"/care/commitments/{commitment.id}/fulfil",
        data={"fulfilled_on": str(care.today), "evidence_note": "验收单第 12 号", "version": "1"},
    )
    assert response.status_code == 302
    (commitment,) = _commitments(app)
    assert commitment.fulfilled_on == care.today and commitment.evidence_note == "验收单第 12 号"


def test_fulfilling_a_commitment_in_the_future_is_refused(app, client, people, login, signed, care):
    commitment = care.commitment(signed, people["unit_a"])
    login(people["unit"])
    tomorrow = str(care.days_ago(-1))
    response = client.post(
        f"/care/commitments/{commitment.id}/fulfil",
        data={"fulfilled_on": tomorrow, "evidence_note": "提前登记", "version": "1"},
    )
    page = response.get_data(as_text=True)
    assert '<div class="invalid-feedback d-block">兑现日期不能晚于今天</div>' in page
    assert f'value="{tomorrow}"' in page and "提前登记" in page
    assert _commitments(app)[0].fulfilled_on is None


def test_a_commitment_needs_what_who_and_when(client, people, login, signed):
    login(people["unit"])
    page = client.post(
        f"/care/projects/{signed.id}/commitments/new",
        data={"promise": "", "delivering_unit_id": "", "due_on": ""},
    ).get_data(as_text=True)
    assert "请填写承诺内容" in page and "请填写兑现期限" in page
    page = client.post(
        f"/care/projects/{signed.id}/commitments/new",
        data={"promise": "道路硬化", "delivering_unit_id": "", "due_on": "2026-12-31"},
    ).get_data(as_text=True)
    assert "请选择一个启用的兑现单位" in page


def test_visits_are_recorded_and_refused_in_the_future(app, client, people, login, signed, care):
    login(people["unit"])
    url = f"/care/projects/{signed.id}/visits/new"
    page = client.post(
        url, data={"visited_on": str(care.days_ago(-1)), "visitors": "李主任", "notes": "走访"}
    ).get_data(as_text=True)
    assert "走访日期不能晚于今天" in page
    response = client.post(
        url, data={"visited_on": str(care.today), "visitors": "李主任", "notes": "企业反映用工紧张"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(select(CareVisit.notes)).scalar_one() == "企业反映用工紧张"


def test_visits_and_commitments_wait_for_the_signing(client, people, login, make, care):
    lead = make.project(people["unit_a"], name="洽谈中的项目", lead_on=care.days_ago(10))
    login(people["unit"])
    page = client.post(
        f"/care/projects/{lead.id}/visits/new",
        data={"visited_on": str(care.today), "visitors": "李主任", "notes": "x"},
    ).get_data(as_text=True)
    assert "项目尚未签约" in page


def test_another_unit_cannot_record_on_the_project(client, people, login, signed, care):
    commitment = care.commitment(signed, people["unit_b"])  # even as the delivering unit
    login(people["other_unit"])
    assert client.get(f"/care/projects/{signed.id}/commitments/new").status_code == 404
    assert (
        client.post(
            f"/care/commitments/{commitment.id}/fulfil",
            data={"fulfilled_on": str(care.today), "version": "1"},
        ).status_code
        == 404
    )


def test_the_aftercare_tab_answers_at_a_glance(client, people, login, signed, care):
    care.commitment(signed, people["unit_a"], "道路硬化", due_on=care.days_ago(1))
    care.commitment(signed, people["unit_a"], "供水接入", fulfilled_on=care.days_ago(3))
    care.problem(signed, "用工招聘", handling_unit=people["unit_a"], deadline=care.days_ago(2))
    care.problem(signed, "办证", status="resolved")
    care.visit(signed, care.days_ago(4))
    login(people["unit"])
    page = client.get(f"/projects/{signed.id}").get_data(as_text=True)
    assert "安商服务" in page and 'data-testid="care-panel"' in page
    assert "1 项逾期未兑现" in page and "逾期 1 天" in page
    assert "1 项逾期未办结" in page and "逾期 2 天" in page
    assert "最近 " + str(care.days_ago(4)) in page


def test_the_aftercare_tab_says_when_everything_is_kept(client, people, login, signed, care):
    care.commitment(signed, people["unit_a"], fulfilled_on=care.days_ago(3))
    care.problem(signed, status="resolved")
    login(people["bureau"])
    page = client.get(f"/projects/{signed.id}").get_data(as_text=True)
    assert "承诺全部兑现" in page and "诉求全部办结" in page


def test_no_aftercare_tab_before_signing(client, people, login, make, care):
    lead = make.project(people["unit_a"], name="洽谈中的项目", lead_on=care.days_ago(10))
    login(people["unit"])
    assert 'data-testid="care-panel"' not in client.get(f"/projects/{lead.id}").get_data(
        as_text=True
    )
