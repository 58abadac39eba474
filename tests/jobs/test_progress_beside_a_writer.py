"""On SQLite a long import holds the write lock until it commits; the job's page and its
progress panel still answer at once (they read the last committed state beside the writer),
where a page that takes the write lock waits for it (app/core/db.py `reads_only`)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite only: PostgreSQL readers never wait")


@pytest.fixture
def app_config():
    return {"EXPORT_INLINE_ROWS": 3, "SQLITE_BUSY_TIMEOUT_MS": 300}


def test_a_jobs_page_answers_while_another_transaction_writes(app, client, people, login, make):
    for n in range(5):
        make.leader(f"领导{n}", post="副区长")
    login(people["bureau"])
    started = client.get("/exports/leaders?active=1")
    job_id = int(re.search(r"/jobs/(\d+)$", started.headers["Location"]).group(1))
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an import's transaction, not yet committed
    writer.execute("UPDATE leaders SET post = '区长' WHERE name = '领导0'")
    try:
        page = client.get(f"/jobs/{job_id}")
        panel = client.get(f"/jobs/{job_id}/panel")
        script = client.get("/static/app.js")  # the page's scripts (htmx polls the panel)
        waiting = client.get("/leaders/")  # an ordinary page waits for the lock, and says so
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert page.status_code == 200 and "排队中" in page.get_data(as_text=True)
    assert panel.status_code == 200 and 'data-testid="job-panel"' in panel.get_data(as_text=True)
    assert script.status_code == 200
    assert waiting.status_code == 503
