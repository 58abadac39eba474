"""PostgreSQL out of reach (new connections refused and the app's backends terminated): pages
answer 503 with a Chinese explanation, never a 500, a save is not half-written; once the
database is back, the same app answers again without a restart."""

from __future__ import annotations

import time
from datetime import date

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.extensions import db
from app.projects.models import FollowUp
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has no server")


def _admin():
    url = make_url(PG_URL)
    admin = url.set(drivername="postgresql", database="postgres")
    return psycopg.connect(
        admin.render_as_string(hide_password=False), autocommit=True
    ), url.database


def _cut(conn, name: str, allow: bool) -> None:
    conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"true" if allow else "false"}')
    if not allow:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))  # fmt: skip


def test_pages_answer_503_while_the_database_is_gone_and_recover_by_themselves(
    app, client, make, people, login
):
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 1))
    login(people["unit"])
    assert client.get("/projects/").status_code == 200
    app.config["PROPAGATE_EXCEPTIONS"] = False
    conn, name = _admin()
    try:
        _cut(conn, name, allow=False)
        deadline = time.monotonic() + 3
        answers = []
        while time.monotonic() < deadline:
            for response in (
                client.get("/projects/"),
                client.post(
                    f"/projects/{project.id}/follow-ups",
                    data={"happened_on": "2026-11-18", "kind": "电话", "summary": "断库时的跟进"},
                ),  # fmt: skip
            ):
                answers.append(response.status_code)
                if response.status_code == 503:
                    assert "数据库暂时不可用" in response.get_data(as_text=True)
        assert set(answers) == {503}, answers
    finally:
        _cut(conn, name, allow=True)
        conn.close()
    assert client.get("/projects/").status_code == 200  # no restart needed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0
