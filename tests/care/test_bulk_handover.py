"""Bulk hand-over (批量交办) on the problems list: one unit and deadline for all, each row through
assign_problem with its own history entry, all or none, every refused row named; the bureau only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.care.models import Problem
from app.core.history import HistoryEntry
from app.extensions import db


def _problems(app) -> list[Problem]:
    with app.app_context():
        rows = list(db.session.execute(select(Problem).order_by(Problem.id)).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


def _updates(app) -> list[HistoryEntry]:
    with app.app_context():
        stmt = select(HistoryEntry).where(
            HistoryEntry.table_name == "problems", HistoryEntry.action == "update"
        )
        rows = list(db.session.execute(stmt).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


def _post(client, ids, unit, deadline, query="", versions=None):
    data = {
        "problem_ids": [str(i) for i in ids],
        "handling_unit_id": str(unit.id) if unit else "",
        "deadline": deadline.isoformat() if deadline else "",
    }
    data.update({f"version-{k}": str(v) for k, v in (versions or {}).items()})
    return client.post("/care/problems/bulk-assign" + query, data=data)


def test_bulk_hand_over_of_fifteen_problems(app, client, people, become, care, signed):
    ids = [care.problem(signed, f"问题 {n}").id for n in range(15)]
    deadline = care.days_ago(-20)
    become(people["bureau"])
    response = _post(client, ids, people["unit_b"], deadline, query="?state=")
    assert response.status_code == 302 and "/care/problems" in response.location
    assert "已交办 15 个问题" in client.get(response.location).get_data(as_text=True)
    rows = _problems(app)
    assert {(p.handling_unit_id, p.deadline) for p in rows} == {(people["unit_b"].id, deadline)}
    history = _updates(app)
    assert len(history) == 15 and sorted(h.record_id for h in history) == ids
    assert all(h.actor_name == "bureau1" for h in history)


def test_a_resolved_problem_refuses_the_batch_and_is_named(
    app, client, people, become, care, signed
):
    open_ids = [care.problem(signed, f"问题 {n}").id for n in range(3)]
    done = care.problem(signed, "已解决的问题", status="resolved").id
    become(people["bureau"])
    response = _post(client, [*open_ids, done], people["unit_b"], care.days_ago(-20))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"【水电气】已解决的问题（#{done}）：问题已办结，不能再交办" in page
    for problem_id in open_ids:
        assert f'value="{problem_id}" checked' in page
    assert all(p.handling_unit_id is None for p in _problems(app))
    assert _updates(app) == []


def test_a_deadline_before_one_problems_raising_names_that_problem(
    app, client, people, become, care, signed
):
    late = care.problem(signed, "新提出的问题", raised_on=care.days_ago(1)).id
    early = care.problem(signed, "早提出的问题", raised_on=care.days_ago(30)).id
    become(people["bureau"])
    page = _post(client, [early, late], people["unit_b"], care.days_ago(10)).get_data(as_text=True)
    assert f"（#{late}）：办理期限不能早于提出日期" in page and f"（#{early}）：" not in page
    assert all(p.handling_unit_id is None for p in _problems(app))


def test_a_row_changed_since_the_list_was_shown_is_refused_as_stale(
    app, client, people, become, care, signed
):
    problem = care.problem(signed)
    become(people["bureau"])
    page = _post(
        client, [problem.id], people["unit_b"], care.days_ago(-5), versions={problem.id: 99}
    ).get_data(as_text=True)
    assert f"（#{problem.id}）：该记录在您编辑期间已被他人修改" in page
    assert _problems(app)[0].handling_unit_id is None


def test_the_unit_and_deadline_are_checked_once_beside_their_fields(
    app, client, people, become, care, signed
):
    problem = care.problem(signed)
    become(people["bureau"])
    page = _post(client, [problem.id], None, None).get_data(as_text=True)
    assert "请选择承办单位" in page or "承办单位" in page
    assert "请填写办理期限" in page
    assert "请先勾选" in _post(client, [], people["unit_b"], care.days_ago(-5)).get_data(
        as_text=True
    )
    assert "#424242：记录不存在或不在您的权限范围内" in _post(
        client, [problem.id, 424242], people["unit_b"], care.days_ago(-5)
    ).get_data(as_text=True)
    assert _problems(app)[0].handling_unit_id is None


@pytest.mark.parametrize("role", ["unit", "other_unit", "leader", "admin", "auditor"])
def test_only_the_bureau_hands_over_in_bulk(app, client, people, become, care, signed, role):
    problem = care.problem(signed)  # unit A's project; "other_unit" posts its id by hand
    become(people[role])
    response = _post(client, [problem.id], people["unit_b"], care.days_ago(-5))
    assert response.status_code == 403
    assert _problems(app)[0].handling_unit_id is None and _updates(app) == []


def test_the_list_offers_checkboxes_to_the_bureau_only_and_not_on_resolved_problems(
    client, people, become, care, signed
):
    open_problem = care.problem(signed)
    done = care.problem(signed, status="resolved")
    become(people["bureau"])
    page = client.get("/care/problems").get_data(as_text=True)
    assert "批量交办" in page
    assert f'name="problem_ids" value="{open_problem.id}"' in page
    assert f'name="problem_ids" value="{done.id}"' not in page
    become(people["unit"])
    page = client.get("/care/problems").get_data(as_text=True)
    assert "批量交办" not in page and 'name="problem_ids"' not in page


def test_deadlines_are_whole_days_from_today(care):
    assert care.days_ago(-1) - care.today == timedelta(days=1)
