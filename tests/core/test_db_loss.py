"""A lost database connection: a read is retried once, anything else is a Chinese 503 page (or
the JSON error) with a security-log entry when it can be written, never a bare 500."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine

from app.core.security_log import SecurityEvent
from app.extensions import db
from app.projects.models import FollowUp
from tests.conftest import PG_URL

UNAVAILABLE = "数据库暂时不可用，请稍后重试"


@contextlib.contextmanager
def connection_lost(times: int, when: str = "FROM projects"):
    """The next `times` statements containing `when` find their connection gone (simulated):
    the driver raises OperationalError and SQLAlchemy takes it for a disconnect."""
    lost: list[str] = []

    def drop(conn, cursor, statement, parameters, context, executemany):
        if when in statement and len(lost) < times:
            lost.append(statement)
            raise conn.dialect.dbapi.OperationalError("连接已断开")

    def as_disconnect(context):
        if str(context.original_exception) == "连接已断开":
            context.is_disconnect = True

    event.listen(Engine, "before_cursor_execute", drop)
    event.listen(Engine, "handle_error", as_disconnect)
    try:
        yield lost
    finally:
        event.remove(Engine, "before_cursor_execute", drop)
        event.remove(Engine, "handle_error", as_disconnect)


@contextlib.contextmanager
def backend_terminated(when: str):
    """PostgreSQL: the app's connection is killed by pg_terminate_backend just before the first
    statement containing `when` runs on it."""
    killer = create_engine(PG_URL)
    killed: list[int] = []

    def terminate(conn, cursor, statement, parameters, context, executemany):
        if when in statement and not killed:
            pid = conn.connection.dbapi_connection.info.backend_pid
            killed.append(pid)
            with killer.begin() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(Engine, "before_cursor_execute", terminate)
    try:
        yield killed
    finally:
        event.remove(Engine, "before_cursor_execute", terminate)
        killer.dispose()


def _logged(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(SecurityEvent)
            .where(SecurityEvent.event == "db_unavailable")
        )


def _follow_ups(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FollowUp))


@pytest.fixture
def project(make, people):
    return make.project(people["unit_a"], "智能制造产业园", "华润置地（深圳）有限公司")


def test_a_read_that_lost_its_connection_is_retried_once(client, people, login, project):
    login(people["bureau"])
    with connection_lost(times=1) as lost:
        response = client.get("/projects/")
    assert lost and response.status_code == 200
    assert "智能制造产业园" in response.get_data(as_text=True)


def test_a_read_that_loses_it_again_is_a_503_page_and_logged(app, client, people, login, project):
    login(people["bureau"])
    with connection_lost(times=2) as lost:
        response = client.get("/projects/")
    assert len(lost) == 2  # retried once, not more
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert UNAVAILABLE in response.get_data(as_text=True)
    assert _logged(app) == 1


def test_a_json_client_gets_the_503_error_shape(client, people, login, project):
    login(people["bureau"])
    with connection_lost(times=2):
        response = client.get("/projects/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json() == {"error": {"code": "503", "message": UNAVAILABLE}}


def test_a_write_that_lost_its_connection_is_not_retried(app, client, people, login, project):
    login(people["unit"])
    form = {"happened_on": date(2026, 11, 18).isoformat(), "kind": "电话", "summary": "电话沟通"}
    with connection_lost(times=1, when="INSERT INTO follow_ups") as lost:
        response = client.post(f"/projects/{project.id}/follow-ups", data=form)
    assert len(lost) == 1
    assert response.status_code == 503 and UNAVAILABLE in response.get_data(as_text=True)
    assert _follow_ups(app) == 0


postgres_only = pytest.mark.skipif(not PG_URL, reason="pg_terminate_backend needs PostgreSQL")


@postgres_only
def test_postgres_a_read_whose_backend_was_terminated_is_answered(client, people, login, project):
    login(people["bureau"])
    with backend_terminated("FROM projects") as killed:
        response = client.get("/projects/")
    assert killed and response.status_code == 200
    assert "智能制造产业园" in response.get_data(as_text=True)


@postgres_only
def test_postgres_a_write_whose_backend_was_terminated_is_a_503(
    app, client, people, login, project
):
    login(people["unit"])
    form = {"happened_on": date(2026, 11, 18).isoformat(), "kind": "电话", "summary": "电话沟通"}
    with backend_terminated("INSERT INTO follow_ups") as killed:
        response = client.post(f"/projects/{project.id}/follow-ups", data=form)
    assert killed
    assert response.status_code == 503 and UNAVAILABLE in response.get_data(as_text=True)
    assert _follow_ups(app) == 0
    assert client.get(f"/projects/{project.id}").status_code == 200  # the pool recovered
