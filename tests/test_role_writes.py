"""Leaders, auditors and admins are refused every business write at the route (三员分立), found
from the url_map so a new POST route is covered the day it is added; no row changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.leaders.models import Leader
from app.trips.models import Trip, TripLeader
from tests.care.conftest import CareFactory

# POST routes that are not business writes, or that the role may make by design.
NOT_BUSINESS = {
    "auth.login",
    "auth.logout",
    "auth.change_password",
    "auth.keep_alive",  # extends the caller's own session, writes no business data
    "jobs.retry",  # queues one's own job again; the job's work checks the role as the screen did
    "auth.profile",  # makes one's own API token (every role may have one: tests/api)
    "auth.revoke_token",  # revokes one's own token
    "projects.contact_reveal",  # a logged read of a phone number
    "audit.history_reveal",  # the same, in the history
}
ADMIN_OWNS = ("users.", "units.")  # accounts and units; the leaders' register is the bureau's
UNCOUNTED = {"security_events"}  # refusals are logged: that is the point
ARGUMENTS = {"stage_key": "negotiating", "key": "projects", "name": "projects", "token": "0" * 32}


def _post_rules():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods),
        key=lambda r: r.endpoint,
    )


def _refused_to(role: str) -> list:
    rules = []
    for rule in _post_rules():
        if rule.endpoint in NOT_BUSINESS or rule.endpoint.startswith("api_"):
            continue  # the API's writes answer tokens, per role, in tests/api
        if role == "admin" and rule.endpoint.startswith(ADMIN_OWNS):
            continue
        if role == "leader" and rule.endpoint == "trips.create":
            continue  # a leader records their own trips (the service refuses anyone else's)
        rules.append(pytest.param(rule.rule, role, id=f"{role}-{rule.endpoint}"))
    return rules


@pytest.fixture
def records(make, people):
    """One row of every kind a write could touch, with id 1, none of them the leader's."""
    project = make.project(people["unit_a"], signed_on=date(2025, 3, 1), contract_investment=10**9)
    make.funds_entry(project, "100", status="pending")
    make.target(people["unit_a"], 2026, signed_count=3)
    make.event(host_unit=people["unit_a"])
    care = CareFactory(make)
    care.problem(project)
    care.commitment(project, people["unit_a"])
    other = make.leader("杨书记", "城关街道党工委书记", unit=people["unit_a"])
    trip = Trip(status="done", started_on=date(2026, 10, 8), ended_on=date(2026, 10, 9),
                province="广东省", city="深圳市", enterprises="比亚迪", report="座谈")  # fmt: skip
    trip.leader_links = [TripLeader(leader_id=other.id)]
    make.add(trip)
    make.leader("张书记", "区委书记", user=people["leader"])
    return project


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables
            if t.name not in UNCOUNTED
        }


@pytest.mark.parametrize(
    ("rule", "role"),
    [*_refused_to("leader"), *_refused_to("auditor"), *_refused_to("admin")],
)
def test_a_business_write_is_refused_to_leaders_auditors_and_admins(
    app, client, people, login, records, rule, role
):
    login(people[role])
    url = _built(rule)
    before = _counts(app)
    data = {"reason": "越权", "on": "2026-11-01", "note": "越权", "name": "越权", "a": "1"}
    response = client.post(url, data=data)
    assert response.status_code in (403, 404), (url, response.status_code)
    assert _counts(app) == before


def _built(rule: str) -> str:
    """The rule's path with every argument filled in (ids are 1: the records above)."""
    parts = []
    for piece in rule.split("/"):
        if piece.startswith("<") and piece.endswith(">"):
            name = piece.strip("<>").split(":")[-1]
            piece = ARGUMENTS.get(name, "1")
        parts.append(piece)
    return "/".join(parts)


def test_a_leader_may_still_delete_their_own_trip(app, client, people, login, make, records):
    with app.app_context():
        mine = db.session.execute(select(Leader.id).where(Leader.name == "张书记")).scalar_one()
    trip = Trip(status="done", started_on=date(2026, 10, 12), ended_on=date(2026, 10, 13),
                province="广东省", city="广州市", enterprises="广汽", report="座谈")  # fmt: skip
    trip.leader_links = [TripLeader(leader_id=mine)]
    own = make.add(trip)
    login(people["leader"])
    assert client.post(f"/trips/{own.id}/delete", data={"reason": "录错"}).status_code == 302
    with app.app_context():
        assert db.session.get(Trip, own.id).deleted_at is not None
