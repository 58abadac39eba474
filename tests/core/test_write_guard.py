"""Leaders, auditors and admins write no business data, whichever service they call."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Blueprint
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.auth.services import UserData, create_user
from app.core import history
from app.core.permissions import Authenticated, requires
from app.core.security_log import SecurityEvent
from app.core.write_guard import WriteRefused
from app.extensions import db
from app.projects import contacts, services
from app.projects.models import FollowUp, Project
from app.trips.models import Trip
from app.trips.services import TripData, create_trip, update_trip
from app.units.models import Unit
from tests.factories import PASSWORD


def _as(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one()
    history.set_actor(db.session, user)
    return user


def _project_data(unit_id: int) -> services.ProjectData:
    return services.ProjectData(
        name="新能源项目", investor_name="某某新能源有限公司", unit_id=unit_id,
        source="招商推介会", industry="工业",
    )  # fmt: skip


@pytest.fixture
def project(make, people):
    return make.project(people["unit_a"], name="甲项目", investor="甲公司")


@pytest.mark.parametrize("role", ["admin", "auditor", "leader"])
def test_creating_a_project_is_refused_for_roles_that_write_no_business_data(
    app, people, role
):
    with app.app_context():
        actor = _as(people[role].username)
        with pytest.raises(WriteRefused) as refused:
            services.create_project(_project_data(people["unit_a"].id), actor)
        db.session.rollback()
        assert refused.value.table == "projects"
        assert refused.value.action == "create"
        assert db.session.scalar(select(Project.id)) is None


@pytest.mark.parametrize("role", ["admin", "auditor", "leader"])
def test_a_follow_up_and_a_changed_project_are_refused_too(app, people, project, role):
    with app.app_context():
        row = db.session.get(Project, project.id)  # loaded by the system: the auditor sees none
        actor = _as(people[role].username)
        with pytest.raises(WriteRefused):
            contacts.add_follow_up(
                row, contacts.FollowUpData(date(2026, 11, 1), "电话", "电话沟通"), actor
            )
        db.session.rollback()
        row.notes = "改一下"
        with pytest.raises(WriteRefused) as refused:
            db.session.flush()
        assert refused.value.action == "update"
        db.session.rollback()
        history.set_actor(db.session, None)
        assert db.session.scalar(select(FollowUp.id)) is None
        assert db.session.get(Project, project.id).notes is None


@pytest.mark.parametrize("role", ["bureau", "unit"])
def test_the_bureau_and_units_write_business_data(app, people, role):
    with app.app_context():
        actor = _as(people[role].username)
        services.create_project(_project_data(people["unit_a"].id), actor)
        db.session.commit()
        assert db.session.scalar(select(Project.name)) == "新能源项目"


def test_the_admin_writes_users_and_units(app, people):
    with app.app_context():
        actor = _as("admin1")
        db.session.add(Unit(name="新设园区", kind="园区"))
        create_user(UserData("newbie", "新人", "bureau", None), PASSWORD, actor)
        db.session.commit()
        assert db.session.scalar(select(User.id).where(User.username == "newbie"))


@pytest.mark.parametrize("role", ["auditor", "leader"])
def test_other_guarded_roles_may_not_write_accounts_or_units(app, people, role):
    with app.app_context():
        _as(people[role].username)
        db.session.get(Unit, people["unit_a"].id).name = "改名"
        with pytest.raises(WriteRefused):
            db.session.flush()
        db.session.rollback()


def test_a_guarded_user_may_write_only_the_login_bookkeeping_of_their_own_row(app, people):
    with app.app_context():
        auditor = _as("auditor1")
        auditor.failed_logins = 0
        auditor.last_login_at = auditor.created_at
        db.session.flush()  # allowed
        auditor.name = "改名"
        with pytest.raises(WriteRefused):
            db.session.flush()
        db.session.rollback()
        other = db.session.get(User, people["bureau"].id)
        other.failed_logins = 3
        with pytest.raises(WriteRefused):
            db.session.flush()
        db.session.rollback()


def test_guarded_users_still_log_in_and_change_their_password(client, login, people):
    for role in ("auditor", "leader", "admin"):
        client.post("/logout")
        login(people[role])
    new = "Neu@2026pass"
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"username": "admin1", "password": new}).status_code == 302


def _trip_data(leader_id: int, **changes) -> TripData:
    values = {"leader_ids": [leader_id], "status": "done", "started_on": date(2026, 11, 2),
              "ended_on": date(2026, 11, 4), "province": "广东省", "city": "深圳市"}  # fmt: skip
    return TripData(**{**values, **changes})


def test_a_leader_records_their_own_trip_but_cannot_touch_anothers(app, make, people):
    own = make.leader("李区长", post="区长", head_kind="government", user=people["leader"])
    other = make.leader("王书记", post="区委书记")
    with app.app_context():
        bureau = _as("bureau1")
        theirs = create_trip(_trip_data(other.id), bureau)
        db.session.commit()
        theirs_id = theirs.id
        leader = _as("leader1")
        mine = create_trip(_trip_data(own.id), leader)
        db.session.commit()
        update_trip(mine, _trip_data(own.id, city="广州市"), leader, mine.version)
        db.session.commit()
        trip = db.session.get(Trip, theirs_id)
        trip.city = "珠海市"  # past the service's own check: the guard still refuses
        with pytest.raises(WriteRefused):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Trip, theirs_id).city == "深圳市"
        assert db.session.get(Trip, mine.id).city == "广州市"


@pytest.fixture
def writing_probe(app):
    bp = Blueprint("write_probe", __name__)

    @bp.route("/probe/write", methods=["POST"])
    @requires(Authenticated)
    def write():
        services.create_project(_project_data(current_user.unit_id or 1), current_user)
        return "written"

    app.register_blueprint(bp)
    return app


def test_a_refused_write_in_a_request_is_a_403_page_and_a_security_log_entry(
    writing_probe, client, login, people, app
):
    login(people["leader"])
    response = client.post("/probe/write")
    assert response.status_code == 403
    assert "不能修改业务数据" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Project.id)) is None
        refusal = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "refused")
        ).scalar_one()
        assert refusal.detail["table"] == "projects"
        assert refusal.detail["write"] == "create"
