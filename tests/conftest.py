"""Fixtures: a migrated database per test (SQLite copy or truncated PostgreSQL), clients, users."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from flask.testing import FlaskClient
from hypothesis import settings
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests import factories

# No per-example deadline: Hypothesis's 200 ms is a timing inside a unit test, and on a loaded
# two-core machine one slow example failed a property that holds (speed is measured in bench/).
settings.register_profile("crm", deadline=None)
settings.load_profile("crm")

PG_URL = os.environ.get("TEST_DATABASE_URL")
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "PASSWORD_HASH_FAST": True,
    "SERVER_NAME": None,
    "JOB_QUEUE_URL": "memory://",  # each test's own queue; tests run its jobs (tests/jobs)
}


# The day every test runs on unless it travels elsewhere itself: a Thursday in mid-November,
# far from month and year ends, so that no test depends on the day the suite happens to run.
PINNED_NOW = datetime(2026, 11, 19, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def pinned_clock(request):
    """Pin the clock for the test (time moves on from there); `@pytest.mark.clock(...)` moves it."""
    marker = request.node.get_closest_marker("clock")
    moment = marker.args[0] if marker else PINNED_NOW
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True) as traveller:
        yield traveller


class CRMClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form POST, as a browser would."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", os.urandom(20).hex())
        signer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return signer.dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and kwargs.get("json") is None:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


def _migrate(uri: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def migrated_afresh(uri: str) -> str:
    """A PostgreSQL database emptied (its schema dropped) and migrated; its URI."""
    engine = create_engine(uri)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    _migrate(uri)
    return uri


def database_beside(suffix: str) -> str:
    """The URI of a PostgreSQL database beside the suite's (`<db>_<suffix>`), made if missing:
    for tests whose subprocesses drop or fill a schema of their own."""
    url = make_url(PG_URL)
    name = f"{url.database}_{suffix}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Run every migration once: into a template SQLite file, or into the PostgreSQL database."""
    if PG_URL:
        return migrated_afresh(PG_URL)
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return str(path)


def _truncate_all(app) -> None:
    with app.app_context():
        names = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_config() -> dict:
    """Extra settings for one test (override in a test module)."""
    return {}


@pytest.fixture
def app(database_template, tmp_path, app_config):
    """A fresh application on an empty, fully migrated database."""
    if PG_URL:
        uri = PG_URL
    else:
        db_file = Path(tmp_path) / "test.sqlite3"
        shutil.copyfile(database_template, db_file)
        uri = f"sqlite:///{db_file}"
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri, **app_config})
    application.test_client_class = CRMClient
    application.instance_path = str(tmp_path / "instance")
    Path(application.instance_path).mkdir(exist_ok=True)
    yield application
    if PG_URL:
        _truncate_all(application)
    with application.app_context():
        db.engine.dispose()


def run_queued(app) -> int:
    """Run every job waiting in the app's queue, in order, each in its own app context."""
    queue = app.extensions["jobs"]
    ran = 0
    while (task := queue.huey.dequeue()) is not None:
        queue.huey.execute(task)
        ran += 1
    return ran


@pytest.fixture
def worker(app):
    """Call to run the queued jobs (what `flask jobs-worker` does on a real host)."""
    return lambda: run_queued(app)


@pytest.fixture
def client(app) -> CRMClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app) -> factories.Factory:
    """Factories bound to this test's application."""
    return factories.Factory(app)


@pytest.fixture
def people(make) -> dict[str, factories.Record]:
    """One user of every role, plus a unit user of a second unit (the bad actor)."""
    unit_a = make.unit("城关街道")
    unit_b = make.unit("北山镇")
    return {
        "admin": make.user("admin1", "admin"),
        "auditor": make.user("auditor1", "auditor"),
        "bureau": make.user("bureau1", "bureau"),
        "unit": make.user("unita", "unit", unit=unit_a),
        "other_unit": make.user("unitb", "unit", unit=unit_b),
        "leader": make.user("leader1", "leader"),
        "unit_a": unit_a,
        "unit_b": unit_b,
    }


@pytest.fixture
def login(client):
    """Log the test client in as a user record made by the factories."""

    def do(user: factories.Record, password: str = factories.PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do
