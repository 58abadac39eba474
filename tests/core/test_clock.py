"""The one clock: the bureau's date at the midnight edges, at month and year ends, and
timestamps written by the application in UTC."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.core.dates import today
from app.core.security_log import SecurityEvent
from app.extensions import db
from app.projects.models import Project
from app.reports import closing


def _advance(client, pid, stage, **data):
    return client.post(f"/projects/{pid}/advance/{stage}", data=data)


def _stage_of(app, pid) -> str:
    with app.app_context():
        return db.session.get(Project, pid).stage.key


@pytest.mark.clock("2026-12-31T16:30:00+00:00")
def test_half_past_midnight_in_shanghai_is_new_years_day_though_utc_is_still_in_december(
    app, client, people, login, make
):
    with app.app_context():
        assert today() == date(2027, 1, 1)
    project = make.project(people["unit_a"], lead_on=date(2026, 12, 1))
    login(people["unit"])
    assert _advance(client, project.id, "negotiating", on="2027-01-01").status_code == 302
    assert _stage_of(app, project.id) == "negotiating"


@pytest.mark.clock("2026-12-31T15:59:00+00:00")
def test_a_minute_before_midnight_in_shanghai_new_years_day_is_still_the_future(
    app, client, people, login, make
):
    project = make.project(people["unit_a"], lead_on=date(2026, 12, 1))
    login(people["unit"])
    page = _advance(client, project.id, "negotiating", on="2027-01-01").get_data(as_text=True)
    assert "不能晚于今天" in page or "未来" in page
    assert _stage_of(app, project.id) == "lead"
    assert _advance(client, project.id, "negotiating", on="2026-12-31").status_code == 302


@pytest.mark.clock("2026-11-30T23:30:00+08:00")
def test_on_the_last_evening_of_a_month_a_step_due_that_day_is_due_and_the_next_days_is_not(
    client, people, login, make
):
    project = make.project(people["unit_a"], name="月末到期项目")
    other = make.project(people["unit_a"], name="次月到期项目", investor="北山文旅集团有限公司")
    make.follow_up(project, people["unit"], date(2026, 11, 20), next_step="回访月末",
                   next_due_on=date(2026, 11, 30))  # fmt: skip
    make.follow_up(other, people["unit"], date(2026, 11, 20), next_step="回访次月",
                   next_due_on=date(2026, 12, 1))  # fmt: skip
    login(people["unit"])
    page = client.get("/projects/follow-ups/due").get_data(as_text=True)
    assert "回访月末" in page
    assert "回访次月" not in page


@pytest.mark.clock("2027-01-01T09:00:00+08:00")
def test_on_new_years_day_the_bureau_closes_december_but_not_january(
    app, client, people, login, worker
):
    login(people["bureau"])
    january = client.post(
        "/bulletins/close", data={"year": "2027", "month": "1", "confirm": "y"},
        follow_redirects=True,
    )  # fmt: skip
    assert january.status_code == 200
    with app.app_context():
        assert closing.month_close(2027, 1) is None
    december = client.post(
        "/bulletins/close", data={"year": "2026", "month": "12", "confirm": "y"}
    )
    assert december.status_code == 302
    worker()
    with app.app_context():
        close = closing.month_close(2026, 12)
        assert close is not None
        assert close.snapshot["paragraphs"][0].startswith("2026年1—12月")


@pytest.mark.clock("2026-11-19T10:00:00+08:00")
def test_a_login_is_stored_in_utc_and_shown_in_shanghai_time(app, client, people, login):
    login(people["bureau"])
    with app.app_context():
        moment = db.session.scalars(
            select(SecurityEvent.at).where(SecurityEvent.event == "login")
        ).first()
    assert moment.replace(second=0, microsecond=0) == datetime(2026, 11, 19, 2, 0)
    client.post("/logout")
    login(people["auditor"])
    page = client.get("/audit/security").get_data(as_text=True)
    assert "2026-11-19 10:00" in page
