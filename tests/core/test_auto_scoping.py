"""Scoping that cannot be forgotten: a query written with no thought for scoping is scoped."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import Blueprint, jsonify
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.core import scoping
from app.core.permissions import Authenticated, requires
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.models import FollowUp, Project, ProjectContact


def _naive_reads() -> dict:
    """Reads a careless developer might write: no scoping anywhere."""
    projects = db.session.scalars(select(Project).order_by(Project.id)).all()
    alias = aliased(Project)
    return {
        "projects": sorted(p.name for p in projects),
        "count": db.session.scalar(select(func.count(Project.id))),
        "count_from": db.session.scalar(select(func.count()).select_from(Project)),
        "ids": sorted(db.session.scalars(select(Project.id))),
        "aliased": sorted(db.session.scalars(select(alias.name))),
        "join": sorted(
            db.session.scalars(
                select(Project.name).join(FollowUp, FollowUp.project_id == Project.id)
            )
        ),
        "follow_ups": sorted(db.session.scalars(select(FollowUp.summary))),
        "subquery": sorted(
            db.session.scalars(
                select(FollowUp.summary).where(
                    FollowUp.project_id.in_(select(Project.id).where(Project.name.like("%")))
                )
            )
        ),
        "funds": int(db.session.scalar(select(func.coalesce(func.sum(FundsEntry.amount), 0)))),
        "contacts_by_relationship": sorted(
            c.name for p in projects for c in p.contacts  # a lazy load
        ),
    }


@pytest.fixture
def district(make, people):
    """Two units' projects, each with a follow-up, a contact and a funds entry."""
    a = make.project(people["unit_a"], name="甲项目", investor="甲公司")
    b = make.project(people["unit_b"], name="乙项目", investor="乙公司")
    for project, who in ((a, "甲"), (b, "乙")):
        make.follow_up(project, people["bureau"], date(2026, 3, 1), summary=f"{who}跟进")
        make.add(ProjectContact(project_id=project.id, name=f"{who}联系人", phone="+8613812345678"))
        make.funds_entry(project, "100")
    return {"a": a, "b": b}


@pytest.fixture
def probe(app):
    """A route that runs the careless reads for whoever is logged in."""
    bp = Blueprint("scoping_probe", __name__)

    @bp.route("/probe/naive")
    @requires(Authenticated)
    def naive():
        return jsonify(_naive_reads())

    @bp.route("/probe/get/<int:project_id>")
    @requires(Authenticated)
    def get(project_id):
        with scoping.district_wide("the test loads every project first"):
            db.session.scalars(select(Project)).all()  # now in the identity map
        found = db.session.get(Project, project_id)
        return jsonify({"found": found.name if found else None})

    @bp.route("/probe/district")
    @requires(Authenticated)
    def district_wide():
        with scoping.district_wide("the test's whole-district figure"):
            total = db.session.scalar(select(func.count(Project.id)))
        option = select(func.count(Project.id)).execution_options(district_wide="the test")
        return jsonify({"block": total, "option": db.session.scalar(option)})

    app.register_blueprint(bp)
    return app


ALL = {
    "projects": ["乙项目", "甲项目"],
    "count": 2,
    "count_from": 2,
    "aliased": ["乙项目", "甲项目"],
    "join": ["乙项目", "甲项目"],
    "follow_ups": ["乙跟进", "甲跟进"],
    "subquery": ["乙跟进", "甲跟进"],
    "funds": 2_000_000,
    "contacts_by_relationship": ["乙联系人", "甲联系人"],
}
OWN = {
    "projects": ["甲项目"],
    "count": 1,
    "count_from": 1,
    "aliased": ["甲项目"],
    "join": ["甲项目"],
    "follow_ups": ["甲跟进"],
    "subquery": ["甲跟进"],
    "funds": 1_000_000,
    "contacts_by_relationship": ["甲联系人"],
}
NOTHING = {
    "projects": [],
    "count": 0,
    "count_from": 0,
    "aliased": [],
    "join": [],
    "follow_ups": [],
    "subquery": [],
    "funds": 0,
    "contacts_by_relationship": [],
}


def _without_ids(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "ids"}


def test_a_unit_user_sees_only_its_own_rows_in_queries_written_without_scoping(
    probe, client, login, people, district
):
    login(people["unit"])
    body = client.get("/probe/naive").get_json()
    assert _without_ids(body) == OWN
    assert body["ids"] == [district["a"].id]


def test_the_other_unit_sees_only_its_own_rows_too(probe, client, login, people, district):
    login(people["other_unit"])
    body = client.get("/probe/naive").get_json()
    assert body["projects"] == ["乙项目"]
    assert body["ids"] == [district["b"].id]


@pytest.mark.parametrize("role", ["bureau", "leader", "admin"])
def test_district_roles_see_every_unit(probe, client, login, people, district, role):
    login(people[role])
    assert _without_ids(client.get("/probe/naive").get_json()) == ALL


def test_a_role_the_scoping_does_not_know_sees_nothing(probe, client, login, people, district):
    login(people["auditor"])
    assert _without_ids(client.get("/probe/naive").get_json()) == NOTHING


@pytest.mark.parametrize("role", ["visitor", "", None, "Bureau"])
def test_an_unknown_role_sees_nothing(app, people, district, role):
    stranger = SimpleNamespace(id=999, role=role, unit_id=people["unit_a"].id, username="x")
    with app.app_context(), scoping.acting_as(db.session, stranger):
        assert _without_ids(_naive_reads()) == NOTHING


def test_anonymous_sees_nothing(app, people, district):
    with app.test_request_context():
        assert _without_ids(_naive_reads()) == NOTHING


def test_session_get_of_an_identity_map_row_out_of_scope_is_none(
    probe, client, login, people, district
):
    login(people["unit"])
    assert client.get(f"/probe/get/{district['b'].id}").get_json() == {"found": None}
    assert client.get(f"/probe/get/{district['a'].id}").get_json() == {"found": "甲项目"}


def test_the_named_opt_out_is_needed_to_see_the_whole_district(
    probe, client, login, people, district
):
    login(people["unit"])
    assert client.get("/probe/district").get_json() == {"block": 2, "option": 2}
    assert client.get("/probe/naive").get_json()["count"] == 1  # and only inside it


def test_an_actor_named_for_a_job_is_scoped_and_restored(app, people, district):
    with app.app_context():
        unit_user = db.session.get(User, people["unit"].id)
        with scoping.acting_as(db.session, unit_user):
            assert _without_ids(_naive_reads()) == OWN
        assert _without_ids(_naive_reads()) == ALL  # outside a request: the system


def test_a_bulk_update_by_a_unit_user_touches_only_its_rows(app, people, district):
    with app.app_context():
        unit_user = db.session.get(User, people["unit"].id)
        with scoping.acting_as(db.session, unit_user):
            db.session.execute(update(Project).values(notes="批量修改"))
        db.session.commit()
        notes = dict(db.session.execute(select(Project.name, Project.notes)).all())
    assert notes == {"甲项目": "批量修改", "乙项目": None}


def test_the_scoped_statement_binds_each_units_own_id(app, make, people, district):
    """The loader criteria are cached per unit; one unit's id never serves another."""
    with app.app_context():
        for user, name in ((people["unit"], "甲项目"), (people["other_unit"], "乙项目")):
            actor = db.session.get(User, user.id)
            for _ in range(2):
                with scoping.acting_as(db.session, actor):
                    assert db.session.scalars(select(Project.name)).all() == [name]


def test_district_wide_needs_a_reason():
    with pytest.raises(ValueError, match="reason"), scoping.district_wide(""):
        pass
