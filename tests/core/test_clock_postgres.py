"""On a PostgreSQL server whose session TimeZone is China time, timestamps are still stored in
UTC and shown in Shanghai time (docs/pitfalls.md, "Time")."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.funds.models import FundsEntry
from tests.conftest import PG_URL

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (TEST_DATABASE_URL)"),
    pytest.mark.clock("2026-11-19T10:00:00+08:00"),
]


@pytest.fixture
def app_config() -> dict:
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c TimeZone=Asia/Shanghai"},
        }
    }


def test_a_funds_entry_entered_at_ten_in_shanghai_shows_ten(app, client, people, login, make):
    with app.app_context():
        assert db.session.execute(text("SHOW TimeZone")).scalar_one() == "Asia/Shanghai"
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 1),
                           contract_investment=100_000_000)  # fmt: skip
    login(people["unit"])
    response = client.post(
        f"/funds/new?project_id={project.id}",
        data={
            "received_on": "2026-11-18",
            "amount_wan": "100",
            "origin": "国内省外",
            "use": "固定资产投资",
            "evidence_ref": "PZ-TZ-1",
            "notes": "",
            "submission_id": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        entry = db.session.scalars(select(FundsEntry)).one()
        stored = entry.created_at
    assert stored.replace(second=0, microsecond=0) == datetime(2026, 11, 19, 2, 0)
    page = client.get(f"/funds/{entry.id}").get_data(as_text=True)
    assert "2026-11-19 10:00" in page
