"""The dashboard is computed once while nothing changes and afresh after every committed change
of any kind (app/reports/reuse.py): what a reused page shows is what a fresh one shows."""

from __future__ import annotations

from datetime import date

import lxml.html
import pytest
from sqlalchemy import select, update

from app.core import generation, scoping
from app.core.db import utcnow
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects import duplicates
from app.projects.models import Project
from tests.factories import PASSWORD
from tests.perf.test_query_counts import counted

W = 10_000  # 元 per 万元
PAGE = "/dashboard?year=2026&month=10"


def _figure(html: str, testid: str) -> str:
    node = lxml.html.fromstring(html).xpath(f'//*[@data-testid="{testid}"]')[0]
    return " ".join(" ".join(node.itertext()).split())


def _body(html: str) -> str:
    """The page's figures and charts (the layout around them carries a per-request token)."""
    start = html.index("招商引资驾驶舱 <span")
    return html[start : html.index("</script>", html.index('id="dashboard-data"'))]


def _fresh(app, client) -> str:
    app.extensions.pop("crm_kept", None)  # forget every kept value
    return client.get(PAGE).get_data(as_text=True)


def test_a_second_view_reads_one_number_and_shows_the_same_page(app, client, district, people,
                                                                 login):  # fmt: skip
    login(people["bureau"])
    with counted(app) as first_statements:
        first = client.get(PAGE).get_data(as_text=True)
    with counted(app) as second_statements:
        second = client.get(PAGE).get_data(as_text=True)
    assert _body(second) == _body(first)
    assert len(second_statements) * 3 < len(first_statements), (
        len(first_statements), len(second_statements))  # fmt: skip


def _signed_project(app, district):
    with app.app_context():
        project = db.session.get(Project, district.p4.id)
        project.signed_on = date(2026, 10, 20)  # a milestone corrected into October
        db.session.commit()


def _new_funds(app, district):
    with app.app_context():
        entry = db.session.execute(
            select(FundsEntry).where(FundsEntry.status == "pending")
        ).scalar_one()
        entry.status = "verified"  # the pending 999 万元 verified
        db.session.commit()


def _deleted(app, district):
    with app.app_context():
        db.session.get(Project, district.p3.id).deleted_at = utcnow()
        db.session.commit()


def _bulk_update(app, district):
    with app.app_context():
        db.session.execute(
            update(Project).where(Project.id == district.p2.id).values(signed_on=None)
        )
        db.session.commit()


WRITES = {
    "a milestone corrected": _signed_project,
    "a funds entry verified": _new_funds,
    "a project deleted": _deleted,
    "a bulk update through the session": _bulk_update,
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_kind_of_write_shows_on_the_next_view(app, client, district, people, login, write):
    login(people["bureau"])
    before = client.get(PAGE).get_data(as_text=True)
    WRITES[write](app, district)
    after = client.get(PAGE).get_data(as_text=True)
    assert _body(after) != _body(before), write
    assert _body(after) == _body(_fresh(app, client)), write


def test_a_new_project_and_a_merge_show_on_the_next_view(app, client, district, people, login,
                                                         make):  # fmt: skip
    login(people["bureau"])
    before = _figure(client.get(PAGE).get_data(as_text=True), "kpi-signed")
    twin = make.project(district.b, "文旅综合体二期", "北山文旅集团有限公司",
                        lead_on=date(2026, 1, 5), signed_on=date(2026, 6, 21),
                        contract_investment=1_000 * W)  # fmt: skip
    added = client.get(PAGE).get_data(as_text=True)
    assert _figure(added, "kpi-signed") != before
    with app.app_context():
        from app.auth.models import User

        with scoping.district_wide("the test acts as the bureau"):
            bureau = db.session.get(User, people["bureau"].id)
        scoping.set_actor(db.session, bureau)
        keep = db.session.get(Project, district.p3.id)
        gone = db.session.get(Project, twin.id)
        duplicates.merge(keep, gone, "同一投资方的同一项目", bureau)
        db.session.commit()
    merged = client.get(PAGE).get_data(as_text=True)
    assert _figure(merged, "kpi-signed") == before
    assert _body(merged) == _body(_fresh(app, client))


def test_a_unit_never_sees_the_districts_kept_page(app, client, district, people, login):
    login(people["bureau"])
    district_page = client.get(PAGE).get_data(as_text=True)
    other = app.test_client()
    other.post("/login", data={"username": people["unit"].username, "password": PASSWORD})
    own = other.get(PAGE).get_data(as_text=True)
    assert "城关街道" in _body(own) and _body(own) != _body(district_page)
    third = app.test_client()
    third.post("/login", data={"username": people["other_unit"].username, "password": PASSWORD})
    theirs = third.get(PAGE).get_data(as_text=True)
    assert "北山镇" in _body(theirs) and _body(theirs) != _body(own)


def test_a_login_does_not_count_as_a_change_but_a_record_does(app, people, login, make):
    with app.app_context():
        start = generation.current(db.session)
    login(people["bureau"])  # the user's login counters change, no business record
    with app.app_context():
        assert generation.current(db.session) == start
    make.project(people["unit_a"], "新项目", "某某有限公司")
    with app.app_context():
        assert generation.current(db.session) == start + 1
