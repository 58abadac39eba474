"""Problems raised while scheduling a key project (推进问题): raised through the care form,
listed with the key project's name, handed over, escalated to its 包保领导, resolved; who sees."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.care.models import Problem
from app.extensions import db


@pytest.fixture
def become(client, login):
    def do(user):
        client.post("/logout")
        return login(user)

    return do


@pytest.fixture
def baobao(make, people):
    """The leader account's leader record: 包保领导 of the key project."""
    return make.leader(name="王副区长", post="副区长", head_kind=None, user=people["leader"])


@pytest.fixture
def plant(make, people, baobao):
    return make.key_project(people["unit_a"], name="城南污水处理厂", leader_id=baobao.id)


@pytest.fixture
def load(app):
    def do(problem_id: int) -> Problem:
        with app.app_context():
            problem = db.session.execute(
                select(Problem).where(Problem.id == problem_id)
            ).scalar_one()
            db.session.expunge(problem)
            return problem

    return do


def _raise(client, key_project_id, **overrides):
    data = {"category": "用地", "description": "管网穿越农田需协调用地", "raised_on": "2026-11-18",
            **overrides}
    return client.post(f"/care/key-projects/{key_project_id}/problems/new", data=data)


def _id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/care/problems/(\d+)", response.location).group(1))


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_month_page_row_offers_the_problem_form_on_the_key_project(
    client, people, become, plant
):
    become(people["unit"])
    page = _text(client.get("/key-projects/schedule/"))
    assert f"/care/key-projects/{plant.id}/problems/new" in page
    form = _text(client.get(f"/care/key-projects/{plant.id}/problems/new"))
    assert "重点项目 · 2026年 城南污水处理厂 · 城关街道" in form


def test_a_key_project_problem_is_raised_handed_over_escalated_and_resolved(
    client, people, become, plant, load
):
    become(people["unit"])
    pid = _id(_raise(client, plant.id))
    problem = load(pid)
    assert (problem.key_project_id, problem.project_id, problem.status) == (plant.id, None, "open")

    listing = _text(client.get("/care/problems"))
    assert "城南污水处理厂" in listing and "重点项目" in listing
    assert f'href="/key-projects/{plant.id}"' in listing
    page = _text(client.get(f"/care/problems/{pid}"))
    assert 'data-testid="key-badge"' in page and "项目责任单位 城关街道" in page

    become(people["bureau"])
    response = client.post(
        f"/care/problems/{pid}/assign",
        data={"handling_unit_id": people["unit_b"].id, "deadline": "2026-12-15",
              "version": str(load(pid).version)},
    )
    assert response.status_code == 302
    response = client.post(
        f"/care/problems/{pid}/escalate",
        data={"reason": "用地指标需区级协调", "version": str(load(pid).version)},
    )
    assert response.status_code == 302
    assert load(pid).level == 1
    board = _text(client.get("/care/problems/board"))
    assert "北山镇" in board

    # The key project's 包保领导 finds it among the problems escalated to them.
    become(people["leader"])
    assert "管网穿越农田需协调用地" in _text(client.get("/"))

    become(people["other_unit"])  # the handling unit
    assert "管网穿越农田需协调用地" in _text(client.get("/"))  # its to-do
    assert "城南污水处理厂" in _text(client.get("/care/problems"))
    assert client.post(
        f"/care/problems/{pid}/start", data={"version": str(load(pid).version)}
    ).status_code == 302
    response = client.post(
        f"/care/problems/{pid}/resolve",
        data={"resolution": "已调整管线走向", "resolved_on": "2026-11-19",
              "version": str(load(pid).version)},
    )
    assert response.status_code == 302
    assert load(pid).status == "resolved"


def test_a_third_unit_sees_none_of_it_and_cannot_raise_on_another_units_key_project(
    client, people, become, make, plant, load
):
    third = make.unit("南湖街道")
    stranger = make.user("unitc", "unit", unit=third)
    become(people["unit"])
    pid = _id(_raise(client, plant.id))

    become(stranger)
    assert "城南污水处理厂" not in _text(client.get("/care/problems"))
    assert client.get(f"/care/problems/{pid}").status_code == 404
    assert _raise(client, plant.id).status_code == 404
    assert client.get("/care/problems?key=1").status_code == 200

    become(people["other_unit"])  # not handed to it (yet): nothing either
    assert client.get(f"/care/problems/{pid}").status_code == 404
    with_count = _text(client.get("/care/problems?key=1"))
    assert re.search(r'data-testid="total">0<', with_count)


@pytest.mark.parametrize("role", ["leader", "admin", "auditor"])
def test_leader_admin_and_auditor_cannot_raise_on_a_key_project(
    client, people, become, plant, role, app
):
    become(people[role])
    assert _raise(client, plant.id).status_code == 403
    with app.app_context():
        assert db.session.execute(select(Problem)).first() is None


def test_a_unit_raises_without_assigning_and_bad_input_keeps_what_was_typed(
    client, people, become, plant, app
):
    become(people["unit"])
    response = _raise(client, plant.id, description="", raised_on="2026-02-30")
    assert response.status_code == 200
    page = _text(response)
    assert "请填写问题描述" in page
    response = _raise(client, plant.id, handling_unit_id=str(people["unit_b"].id),
                      deadline="2026-12-01")
    assert response.status_code == 200 and "交办承办单位由投资促进局负责" in _text(response)
    with app.app_context():
        assert db.session.execute(select(Problem)).first() is None


def test_the_bureau_raises_and_hands_over_at_once_and_a_retry_does_not_duplicate(
    client, people, become, plant, app
):
    become(people["bureau"])
    data = {"handling_unit_id": str(people["unit_b"].id), "deadline": "2026-12-01",
            "submission_id": "6f1c2b8e-3d4a-4b5c-9d6e-7f8a9b0c1d2e"}
    first = _id(_raise(client, plant.id, **data))
    again = _id(_raise(client, plant.id, **data))
    assert first == again
    listing = _text(client.get(f"/care/problems?key=1&unit_id={people['unit_a'].id}"))
    assert re.search(r'data-testid="total">1<', listing)
    listing = _text(client.get(f"/care/problems?unit_id={people['unit_b'].id}"))
    assert re.search(r'data-testid="total">0<', listing)


@pytest.mark.parametrize(
    "query",
    ["key=abc", "raised_from=9999-99-99&raised_to=²", "raised_from=0001-01-01",
     "raised_from=2026-02-30&key=1", "handling_unit_id=0&state=late", "state=in_time&key=1"],
)
def test_odd_problem_filters_are_ignored_not_errors(client, people, become, plant, query):
    become(people["bureau"])
    assert client.get(f"/care/problems?{query}").status_code == 200


def test_the_raised_between_filter_cuts_the_list(client, people, become, plant):
    become(people["unit"])
    _id(_raise(client, plant.id, raised_on="2026-09-30"))
    _id(_raise(client, plant.id, raised_on="2026-10-01", description="十月提出的问题"))
    page = _text(client.get("/care/problems?key=1&raised_from=2026-10-01&raised_to=2026-12-31"))
    assert re.search(r'data-testid="total">1<', page) and "十月提出的问题" in page


def test_the_dashboards_overdue_problems_count_a_key_projects_problem_as_its_list_does(
    client, people, login, make, plant
):
    from datetime import date

    make.add(Problem(key_project_id=plant.id, category="用地", description="征地未完成",
                     raised_on=date(2026, 10, 8), deadline=date(2026, 11, 1),
                     handling_unit_id=people["unit_a"].id, status="open", level=0))
    login(people["bureau"])
    page = _text(client.get("/dashboard"))
    shown = re.search(r'data-testid="att-problems">逾期未办结问题 <strong>(\d+)</strong>', page)
    overdue = _text(client.get("/care/problems?state=overdue"))
    listed = re.search(r'data-testid="total">(\d+)<', overdue)
    assert (shown.group(1), listed.group(1)) == ("1", "1")
