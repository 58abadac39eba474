"""The one scoping mechanism: a unit user only ever reaches its own unit's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.auth.models import User
from app.core.pagination import count
from app.core.scoping import get_or_404, scoped_select
from app.core.security_log import SecurityEvent
from app.extensions import db
from app.units.models import Unit


def _user(username):
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


@pytest.mark.parametrize(
    ("username", "visible"),
    [
        ("unita", 1),
        ("admin1", 2),
        ("bureau1", 2),
        ("leader1", 2),
        ("auditor1", 0),
    ],
)
def test_scoped_select_limits_lists_and_counts_by_role(app, people, username, visible):
    with app.test_request_context():
        actor = _user(username)
        assert count(scoped_select(Unit, actor)) == visible
        names = set(db.session.execute(scoped_select(Unit, actor)).scalars())
        if username == "unita":
            assert {u.name for u in names} == {"城关街道"}


def test_get_or_404_loads_in_scope_and_refuses_out_of_scope(app, people):
    with app.test_request_context():
        actor = _user("unita")
        assert get_or_404(Unit, people["unit_a"].id, actor).name == "城关街道"
        with pytest.raises(NotFound):
            get_or_404(Unit, people["unit_b"].id, actor)
        with pytest.raises(NotFound):
            get_or_404(Unit, "abc", actor)


def test_another_units_record_by_id_is_404_and_the_refusal_is_logged(app, people):
    from flask import Blueprint
    from flask_login import current_user

    from app.core.permissions import IsUnit, requires

    probe_bp = Blueprint("probe", __name__)

    @probe_bp.route("/probe/<int:unit_id>")
    @requires(IsUnit)
    def probe(unit_id):
        return get_or_404(Unit, unit_id, current_user).name

    app.register_blueprint(probe_bp)
    client = app.test_client()
    client.post("/login", data={"username": "unita", "password": "Test@1234pw"})
    assert client.get(f"/probe/{people['unit_a'].id}").status_code == 200
    assert client.get(f"/probe/{people['unit_b'].id}").status_code == 404
    assert client.get("/probe/999999").status_code == 404
    with app.app_context():
        refused = list(
            db.session.execute(
                select(SecurityEvent).where(SecurityEvent.event == "refused")
            ).scalars()
        )
        assert len(refused) == 1  # the other unit's record, not the missing one
        assert refused[0].detail["record_id"] == people["unit_b"].id
