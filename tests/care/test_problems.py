"""Problems (问题交办): raise, hand over, work, escalate, resolve; who sees what; bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.care.models import ProblemEscalation
from app.core.history import HistoryEntry
from app.extensions import db


def _raise(client, project_id, **overrides):
    data = {"category": "用地", "description": "需协调 20 亩用地指标", "raised_on": "", **overrides}
    return client.post(f"/care/projects/{project_id}/problems/new", data=data)


def _id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/care/problems/(\d+)", response.location).group(1))


def _version(load_problem, problem_id) -> str:
    return str(load_problem(problem_id).version)


def test_a_unit_raises_the_bureau_assigns_another_unit_resolves(
    client, people, become, signed, care, load_problem
):
    become(people["unit"])
    pid = _id(_raise(client, signed.id, raised_on=str(care.days_ago(2))))
    problem = load_problem(pid)
    assert (problem.status, problem.handling_unit_id, problem.level) == ("open", None, 0)

    become(people["bureau"])
    deadline = care.days_ago(-10)
    response = client.post(
        f"/care/problems/{pid}/assign",
        data={
            "handling_unit_id": people["unit_b"].id,
            "deadline": str(deadline),
            "version": _version(load_problem, pid),
        },
    )
    assert response.status_code == 302
    problem = load_problem(pid)
    assert (problem.handling_unit_id, problem.deadline) == (people["unit_b"].id, deadline)

    become(people["other_unit"])
    page = client.get(f"/care/problems/{pid}").get_data(as_text=True)
    assert "需协调 20 亩用地指标" in page and "办结" in page
    assert (
        client.post(
            f"/care/problems/{pid}/start", data={"version": _version(load_problem, pid)}
        ).status_code
        == 302
    )
    assert load_problem(pid).status == "in_progress"
    response = client.post(
        f"/care/problems/{pid}/resolve",
        data={
            "resolution": "已调剂用地指标 20 亩",
            "resolved_on": str(care.today),
            "version": _version(load_problem, pid),
        },
    )
    assert response.status_code == 302
    problem = load_problem(pid)
    assert problem.status == "resolved" and problem.resolved_on == care.today
    assert problem.resolution == "已调剂用地指标 20 亩"
    assert problem.resolved_by_id == people["other_unit"].id


def test_a_handling_unit_sees_the_problem_but_not_the_other_units_project(
    client, people, login, signed, care, make
):
    handed = care.problem(signed, "供水管网接入", handling_unit=people["unit_b"])
    kept = care.problem(signed, "只属于城关街道的问题", handling_unit=people["unit_a"])
    commitment = care.commitment(signed, people["unit_a"])
    login(people["other_unit"])
    assert client.get(f"/care/problems/{handed.id}").status_code == 200
    page = client.get("/care/problems").get_data(as_text=True)
    assert "供水管网接入" in page and "只属于城关街道的问题" not in page
    # ...but nothing else of the project: its page, its other problems, its aftercare records.
    assert client.get(f"/projects/{signed.id}").status_code == 404
    assert client.get(f"/care/problems/{kept.id}").status_code == 404
    assert client.get(f"/care/commitments/{commitment.id}/fulfil").status_code == 404
    assert client.get(f"/care/projects/{signed.id}/visits/new").status_code == 404
    assert client.get(f"/care/projects/{signed.id}/problems/new").status_code == 404
    detail = client.get(f"/care/problems/{handed.id}").get_data(as_text=True)
    assert f'href="/projects/{signed.id}' not in detail


def test_a_third_unit_gets_404_for_a_problem_neither_its_own_nor_handed_to_it(
    client, people, login, signed, care, make
):
    third = make.user("unitc", "unit", unit=make.unit("青石镇"))
    problem = care.problem(signed, handling_unit=people["unit_b"])
    login(third)
    assert client.get(f"/care/problems/{problem.id}").status_code == 404
    assert (
        client.post(
            f"/care/problems/{problem.id}/resolve", data={"resolution": "x", "version": "1"}
        ).status_code
        == 404
    )
    assert "厂区供电" not in client.get("/care/problems").get_data(as_text=True)


def test_the_owning_unit_cannot_resolve_what_is_handed_to_another_unit(
    client, people, login, signed, care, load_problem
):
    problem = care.problem(signed, handling_unit=people["unit_b"], deadline=care.days_ago(-5))
    login(people["unit"])
    page = client.get(f"/care/problems/{problem.id}").get_data(as_text=True)
    assert "resolve-form" not in page
    response = client.post(
        f"/care/problems/{problem.id}/resolve",
        data={"resolution": "已解决", "resolved_on": str(care.today), "version": "1"},
    )
    assert "只有承办单位和投资促进局可以办结该问题" in response.get_data(as_text=True)
    assert load_problem(problem.id).status == "open"


def test_escalation_goes_one_level_at_a_time_and_never_past_the_heads(
    app, client, people, login, signed, care, load_problem
):
    problem = care.problem(signed, handling_unit=people["unit_a"], deadline=care.days_ago(1))
    login(people["bureau"])
    url = f"/care/problems/{problem.id}/escalate"
    page = client.post(url, data={"reason": " ", "version": "1"}).get_data(as_text=True)
    assert "请填写上报原因" in page and load_problem(problem.id).level == 0
    for level, label in ((1, "包保领导"), (2, "主要领导")):
        response = client.post(
            url,
            data={
                "reason": f"逾期未办，第 {level} 次上报",
                "version": _version(load_problem, problem.id),
            },
        )
        assert response.status_code == 302
        assert load_problem(problem.id).level == level
        assert label in client.get(f"/care/problems/{problem.id}").get_data(as_text=True)
    response = client.post(
        url, data={"reason": "再上报一次", "version": _version(load_problem, problem.id)}
    )
    page = response.get_data(as_text=True)
    assert "问题已上报至主要领导，不能再上报" in page
    assert 'class="invalid-feedback d-block">问题已上报至主要领导，不能再上报' in page
    assert load_problem(problem.id).level == 2
    with app.app_context():
        steps = db.session.execute(
            select(
                ProblemEscalation.from_level, ProblemEscalation.to_level, ProblemEscalation.reason
            ).order_by(ProblemEscalation.id)
        ).all()
        assert [(s[0], s[1]) for s in steps] == [(0, 1), (1, 2)]
        reasons = db.session.execute(
            select(HistoryEntry.reason).where(HistoryEntry.table_name == "problems")
        ).scalars()
        assert "上报至主要领导：逾期未办，第 2 次上报" in list(reasons)


@pytest.mark.parametrize("role", ["unit", "leader"])
def test_only_the_bureau_escalates_and_assigns(client, people, login, signed, care, role):
    problem = care.problem(signed, handling_unit=people["unit_a"])
    login(people[role])
    assert (
        client.post(
            f"/care/problems/{problem.id}/escalate", data={"reason": "x", "version": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/care/problems/{problem.id}/assign",
            data={
                "handling_unit_id": people["unit_b"].id,
                "deadline": "2030-01-01",
                "version": "1",
            },
        ).status_code
        == 403
    )


def test_a_leader_reads_a_problem_and_changes_nothing(client, people, login, signed, care):
    problem = care.problem(signed, handling_unit=people["unit_a"])
    login(people["leader"])
    page = client.get(f"/care/problems/{problem.id}").get_data(as_text=True)
    assert "厂区供电线路迟迟未接入" in page
    assert "resolve-form" not in page and "assign-form" not in page
    assert (
        client.post(
            f"/care/problems/{problem.id}/resolve", data={"resolution": "x", "version": "1"}
        ).status_code
        == 403
    )
    assert client.get(f"/care/projects/{signed.id}/problems/new").status_code == 403


def test_a_deadline_before_the_date_raised_is_refused_beside_the_field(
    client, people, login, signed, care, load_problem
):
    problem = care.problem(signed, raised_on=care.days_ago(5))
    login(people["bureau"])
    response = client.post(
        f"/care/problems/{problem.id}/assign",
        data={
            "handling_unit_id": people["unit_b"].id,
            "deadline": str(care.days_ago(6)),
            "version": "1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = f"办理期限不能早于提出日期（{care.days_ago(5)}）"
    assert f'<div class="invalid-feedback d-block">{message}</div>' in page
    assert f'value="{care.days_ago(6)}"' in page  # what was typed stays
    assert load_problem(problem.id).handling_unit_id is None
    # The same rule when the bureau hands over while raising.
    response = _raise(
        client,
        signed.id,
        raised_on=str(care.today),
        handling_unit_id=str(people["unit_b"].id),
        deadline=str(care.days_ago(1)),
    )
    assert "办理期限不能早于提出日期" in response.get_data(as_text=True)


def test_a_deadline_on_the_day_raised_is_accepted(client, people, login, signed, care):
    login(people["bureau"])
    response = _raise(
        client,
        signed.id,
        raised_on=str(care.today),
        handling_unit_id=str(people["unit_b"].id),
        deadline=str(care.today),
    )
    assert response.status_code == 302


def test_resolving_without_a_resolution_is_refused(
    client, people, login, signed, care, load_problem
):
    problem = care.problem(signed, handling_unit=people["unit_a"])
    login(people["unit"])
    response = client.post(
        f"/care/problems/{problem.id}/resolve",
        data={"resolution": "  ", "resolved_on": str(care.today), "version": "1"},
    )
    page = response.get_data(as_text=True)
    assert '<div class="invalid-feedback d-block">请填写办理结果</div>' in page
    assert load_problem(problem.id).status == "open"


@pytest.mark.parametrize(
    ("days_ago", "message"),
    [(-1, "办结日期不能晚于今天"), (40, "办结日期不能早于提出日期")],
)
def test_a_resolution_date_in_the_future_or_before_raising_is_refused(
    client, people, login, signed, care, load_problem, days_ago, message
):
    problem = care.problem(signed, handling_unit=people["unit_a"], raised_on=care.days_ago(30))
    login(people["unit"])
    response = client.post(
        f"/care/problems/{problem.id}/resolve",
        data={"resolution": "已办", "resolved_on": str(care.days_ago(days_ago)), "version": "1"},
    )
    assert message in response.get_data(as_text=True)
    assert load_problem(problem.id).status == "open"


def test_a_unit_cannot_hand_over_while_raising_and_bad_fields_are_named(
    client, people, login, signed, care
):
    login(people["unit"])
    response = _raise(
        client, signed.id, raised_on=str(care.today), handling_unit_id=str(people["unit_b"].id)
    )
    assert "交办承办单位由投资促进局负责" in response.get_data(as_text=True)
    page = _raise(client, signed.id, category="", description="").get_data(as_text=True)
    assert "请选择问题类别" in page and "请填写问题描述" in page and "请填写提出日期" in page
    page = _raise(client, signed.id, raised_on=str(care.days_ago(-1))).get_data(as_text=True)
    assert '<div class="invalid-feedback d-block">提出日期不能晚于今天</div>' in page
    assert "需协调 20 亩用地指标" in page  # what was typed stays


def test_a_stale_form_is_refused(client, people, login, signed, care, load_problem):
    problem = care.problem(signed, handling_unit=people["unit_a"])
    login(people["bureau"])
    client.post(f"/care/problems/{problem.id}/escalate", data={"reason": "催办", "version": "1"})
    response = client.post(
        f"/care/problems/{problem.id}/escalate", data={"reason": "重复提交", "version": "1"}
    )
    assert "已被他人修改" in response.get_data(as_text=True)
    assert load_problem(problem.id).level == 1


def test_problems_on_an_unsigned_project_are_allowed(client, people, login, make, care):
    lead = make.project(people["unit_a"], name="洽谈中的项目", lead_on=care.days_ago(10))
    login(people["unit"])
    assert _raise(client, lead.id, raised_on=str(care.today)).status_code == 302
