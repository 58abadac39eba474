"""A create form posted twice with the same submission id (a retry after a lost answer)
writes one row, and both posts land on it; a fresh form writes a second one."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.care.models import CareVisit, Commitment, Problem
from app.events.models import PromotionEvent
from app.extensions import db
from app.leaders.models import Leader
from app.projects.models import FollowUp
from app.trips.models import Trip

TODAY = date(2026, 11, 19)

# model, page showing the form, URL it posts to, what a person types (besides the page's own)
FORMS = {
    "follow-up": (
        FollowUp,
        "/projects/{project}",
        "/projects/{project}/follow-ups",
        {"happened_on": "2026-11-18", "kind": "电话", "summary": "电话沟通用地进展"},
    ),
    "visit": (
        CareVisit,
        "/care/projects/{project}/visits/new",
        "/care/projects/{project}/visits/new",
        {"visited_on": "2026-11-18", "visitors": "城关街道 李主任", "notes": "企业反映用工紧张"},
    ),
    "commitment": (
        Commitment,
        "/care/projects/{project}/commitments/new",
        "/care/projects/{project}/commitments/new",
        {"promise": "完成厂区道路硬化", "delivering_unit_id": "{unit}", "due_on": "2027-03-31"},
    ),
    "problem": (
        Problem,
        "/care/projects/{project}/problems/new",
        "/care/projects/{project}/problems/new",
        {"category": "用地", "description": "需协调 20 亩用地指标", "raised_on": "2026-11-18"},
    ),
    "event": (
        PromotionEvent,
        "/events/new",
        "/events/new",
        {"name": "2026 长三角产业对接会", "kind": "推介会", "city": "上海市",
         "held_on": "2026-10-22"},
    ),
    "trip": (
        Trip,
        "/trips/new",
        "/trips/new",
        {"leader_ids": "{leader}", "status": "done", "started_on": "2026-11-10",
         "ended_on": "2026-11-12", "province": "广东省", "city": "深圳市"},
    ),
    "leader": (
        Leader,
        "/leaders/new",
        "/leaders/new",
        {"name": "王建国", "post": "副区长", "unit_id": "", "head_kind": ""},
    ),
}

# A second, genuine record of a kind that refuses an identical one (unique name, overlap).
SECOND = {
    "event": {"name": "2026 珠三角产业对接会"},
    "trip": {"started_on": "2026-11-14", "ended_on": "2026-11-15"},
}


@pytest.fixture
def ids(make, people) -> dict[str, int]:
    leader = make.leader("张书记", "区委书记", user=people["leader"])
    project = make.project(
        people["unit_a"], lead_on=TODAY - timedelta(200), signed_on=TODAY - timedelta(100),
        contract_investment=150_000_000,
    )
    return {"project": project.id, "unit": people["unit_a"].id, "leader": leader.id}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _submission_id(page: str) -> str:
    ids = re.findall(r'name="submission_id"[^>]*value="([0-9a-f-]{36})"', page)
    assert ids, "the form carries no submission id"
    return ids[-1]


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_a_retried_create_writes_one_row(app, client, people, login, ids, kind):
    model, page, url, typed = FORMS[kind]
    login(people["bureau"])
    before = _count(app, model)
    shown = client.get(page.format(**ids)).get_data(as_text=True)
    data = {k: v.format(**ids) for k, v in typed.items()}
    data["submission_id"] = _submission_id(shown)
    first = client.post(url.format(**ids), data=data)
    retry = client.post(url.format(**ids), data=data)
    assert first.status_code == retry.status_code == 302, first.get_data(as_text=True)[:3000]
    assert first.location == retry.location
    assert _count(app, model) == before + 1
    fresh = dict(data, submission_id=_submission_id(client.get(page.format(**ids)).text))
    fresh.update(SECOND.get(kind, {}))
    assert fresh["submission_id"] != data["submission_id"]
    assert client.post(url.format(**ids), data=fresh).status_code == 302
    assert _count(app, model) == before + 2


def test_a_form_that_comes_back_with_errors_keeps_its_submission_id(client, people, login, ids):
    login(people["bureau"])
    shown = client.get(f"/care/projects/{ids['project']}/visits/new").get_data(as_text=True)
    submission = _submission_id(shown)
    refused = client.post(
        f"/care/projects/{ids['project']}/visits/new",
        data={"visited_on": "", "visitors": "", "notes": "", "submission_id": submission},
    )
    assert refused.status_code == 200 and _submission_id(refused.text) == submission
