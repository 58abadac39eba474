"""The to-do page and the navigation badge issue as many queries for a user owning 300
follow-ups as for one owning none (issue 15: the badge costs the same for every user)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.core import history
from app.extensions import db
from app.projects.models import FollowUp, Project
from app.projects.names import normalise_investor, search_text
from tests.factories import PASSWORD

DAY = date(2026, 11, 19)  # the pinned clock


@contextmanager
def counted(app):
    """Count every SQL statement the engine runs inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _busy(app, owner, unit, projects: int = 100, each: int = 3) -> None:
    """`projects` projects of the unit with `each` follow-ups of the owner, the latest due."""
    with app.app_context():
        history.set_actor(db.session, None)
        rows = [
            Project(name=f"项目{i}", investor_name=f"投资方{i}", investor_key=normalise_investor(
                f"投资方{i}"), unit_id=unit.id, source="其他", industry="工业",
                lead_on=DAY - timedelta(days=300), search_text=search_text(f"项目{i}", "", None))
            for i in range(projects)
        ]  # fmt: skip
        db.session.add_all(rows)
        db.session.flush()
        db.session.add_all(
            FollowUp(project_id=p.id, user_id=owner.id, kind="电话", summary="电话沟通",
                     happened_on=DAY - timedelta(days=30 - k), next_step=f"第{k}步",
                     next_due_on=DAY - timedelta(days=10 - k))
            for p in rows
            for k in range(each)
        )  # fmt: skip
        db.session.commit()


def _queries(app, client, path: str) -> int:
    client.get(path)  # warm: the session's first request loads what later ones find cached
    app.extensions.pop("crm_kept", None)  # the badge is counted, not read from the last page
    with counted(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def _signed_in(app, user):
    """A client of its own for the user (a second login on one client keeps the first)."""
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("path", ["/", "/projects/", "/account/password"])
@pytest.mark.parametrize("role", ["bureau", "unit"])
def test_a_busy_user_costs_the_same_queries_as_an_idle_one(app, make, people, path, role):
    """A user owning 300 follow-ups (100 due) costs the queries of one with a single page
    more than the to-do section shows (SHOWN + 1 due); on the to-do page, one with none
    costs two fewer: with nothing due there is nothing to load and nothing to count."""
    from app.todo.registry import SHOWN

    unit = people["unit_a"] if role == "unit" else None
    idle, few = people[role], make.user(f"few_{role}", role, unit=unit)
    busy = make.user(f"busy_{role}", role, unit=unit)
    _busy(app, few, people["unit_a"], projects=SHOWN + 1, each=1)
    _busy(app, busy, people["unit_a"])
    quiet = _queries(app, _signed_in(app, idle), path)
    just_full = _queries(app, _signed_in(app, few), path)
    busy_client = _signed_in(app, busy)
    loaded = _queries(app, busy_client, path)
    assert loaded == just_full
    assert quiet == (loaded - 2 if path == "/" else loaded)
    page = busy_client.get(path).get_data(as_text=True)
    assert 'data-testid="nav-badge"' in page
    if path == "/":  # the latest step of each of the 100 projects is due, no earlier one
        assert "第2步" in page and "第1步" not in page and "第0步" not in page


def _duplicate_groups(app, units, groups: int, start: int = 0) -> None:
    """`groups` pairs of projects of one investor in two units, in one commit."""
    with app.app_context():
        history.set_actor(db.session, None)
        db.session.add_all(
            Project(name=f"{unit.name}{i}", investor_name=name, investor_key=normalise_investor(
                name), unit_id=unit.id, source="其他", industry="工业", lead_on=DAY,
                search_text="")
            for i in range(start, start + groups)
            for unit, name in zip(units, (f"重复投资方{i}集团", f"重复投资方{i}集团有限公司"),
                                  strict=True)
        )  # fmt: skip
        db.session.commit()


def test_the_bureau_to_do_costs_the_same_queries_with_few_or_many_duplicate_groups(app, people):
    units = [people["unit_a"], people["unit_b"]]
    _duplicate_groups(app, units, 11)  # more than the section lists: the count is run
    client = _signed_in(app, people["bureau"])
    few = _queries(app, client, "/")
    _duplicate_groups(app, units, 30, start=11)
    assert _queries(app, client, "/") == few
    assert 'data-testid="todo-count">41<' in client.get("/").get_data(as_text=True)


def _filled_sections(make, people) -> None:
    """One unit's projects, with a leader and an event, in every section of its to-do page:
    a due follow-up, stalled, signed and not started, funds sent back, a commitment overdue;
    and, for the bureau, an entry waiting for verification."""
    from datetime import datetime

    from app.care.models import Commitment

    unit = people["unit_a"]
    refs = {"leader_id": make.leader(unit=unit).id, "event_id": make.event(host_unit=unit).id}
    old = make.project(unit, "久未推进的线索", lead_on=DAY - timedelta(days=300), **refs)
    late = make.project(unit, "签约未开工的项目", lead_on=DAY - timedelta(days=400),
                        signed_on=DAY - timedelta(days=300), **refs)  # fmt: skip
    make.follow_up(old, people["unit"], DAY - timedelta(days=20), next_step="约见投资方",
                   next_due_on=DAY - timedelta(days=2))  # fmt: skip
    make.funds_entry(late, status="rejected", verified_at=datetime(2026, 11, 10, 9),
                     verification_note="凭证不清")  # fmt: skip
    make.funds_entry(late, status="pending", amount_wan="321")
    make.add(Commitment(project_id=late.id, promise="协调用电增容", delivering_unit_id=unit.id,
                        due_on=DAY - timedelta(days=5)))  # fmt: skip


@pytest.mark.parametrize("role", ["unit", "bureau"])
def test_the_to_do_joins_no_leader_or_event_its_items_do_not_show(app, make, people, role):
    """Each section loads its projects' name and unit only: the leader and event every load
    of a project joins (with their units) were half of each statement's planning on
    PostgreSQL (app/projects/queries.py, `mentioned`)."""
    _filled_sections(make, people)
    client = _signed_in(app, people[role])
    client.get("/")
    app.extensions.pop("crm_kept", None)  # built afresh: a kept page runs no section at all
    with counted(app) as statements:
        page = client.get("/").get_data(as_text=True)
    assert any("FROM follow_ups" in s for s in statements)  # the sections ran
    shown = ["约见投资方", "凭证不清", "协调用电增容", "久未推进的线索", "签约未开工的项目"]
    if role == "bureau":  # the entry waiting for verification, with its project's unit
        shown = ["321.00 万元 · 城关街道"]
    assert all(text in page for text in shown), [t for t in shown if t not in page]
    joined = [s for s in statements if "JOIN leaders" in s or "JOIN events" in s]
    assert joined == []


@pytest.mark.parametrize("role", ["bureau", "unit"])
def test_a_page_reads_the_logged_in_user_once_and_logs_who_asked(app, people, role, caplog):
    """Loading the user asked the scope who is logged in, which loaded the user again from
    inside the first load, and the access log read the id of the user the request's commit
    had expired, loading it a third time: three reads of one row on every page."""
    import logging

    user = people[role]
    client = _signed_in(app, user)
    client.get("/projects/")
    caplog.set_level(logging.INFO, logger="crm.access")
    with app.app_context():
        db.session.expunge_all()  # as a worker's request begins: nothing loaded yet
    with counted(app) as statements:
        assert client.get("/projects/").status_code == 200
    assert sum("FROM users " in s or s.endswith("FROM users") for s in statements) == 1
    logged = [r for r in caplog.records if r.name == "crm.access"]
    assert [r.user_id for r in logged] == [user.id]


def test_postgresql_plans_every_statement_for_its_own_values(app):
    """A prepared statement is not planned once for any values (docs/pitfalls.md): the heavy
    user's to-do page went from 50 to 140 ms after a worker's tenth view of it."""
    from sqlalchemy import text

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite plans every statement as it runs")
        for _ in range(2):  # a second connection from the pool too
            with db.engine.connect() as connection:
                mode = connection.execute(text("SHOW plan_cache_mode")).scalar_one()
                assert mode == "force_custom_plan"


def test_options_given_in_the_database_url_are_kept_beside_the_plan_mode():
    """`DATABASE_URL=…?options=-c TimeZone=…` still sets the time zone (connect_args' options
    replace the URL's, so ours are added to them)."""
    from urllib.parse import quote

    from flask import Flask
    from sqlalchemy import create_engine, text

    from app import _pool_options
    from tests.conftest import PG_URL

    if not PG_URL:
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    url = f"{PG_URL}?options={quote('-c TimeZone=Asia/Shanghai')}"
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=url, DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0,
                      DB_POOL_TIMEOUT=5, DB_POOL_RECYCLE=60)  # fmt: skip
    _pool_options(app)
    connect_args = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            shown = [connection.execute(text(f"SHOW {name}")).scalar_one()
                     for name in ("TimeZone", "plan_cache_mode")]  # fmt: skip
    finally:
        engine.dispose()
    assert shown == ["Asia/Shanghai", "force_custom_plan"]
