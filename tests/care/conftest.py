"""Aftercare test helpers: today's date, rows written straight to the tables, reading back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.care.models import CareVisit, Commitment, Problem
from app.core.dates import today
from app.extensions import db
from tests.factories import Record


class CareFactory:
    """Visits, commitments and problems in any state, written without the services' checks."""

    def __init__(self, make):
        self.make = make
        with make.app.app_context():
            self.today = today()

    def days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    def problem(
        self,
        project: Record,
        description: str = "厂区供电线路迟迟未接入",
        *,
        category: str = "水电气",
        raised_on: date | None = None,
        handling_unit: Record | None = None,
        deadline: date | None = None,
        level: int = 0,
        status: str = "open",
        resolved_on: date | None = None,
        resolution: str | None = None,
    ) -> Record:
        if status == "resolved":
            resolved_on = resolved_on or self.today
            resolution = resolution or "已协调供电公司接入"
        return self.make.add(
            Problem(
                project_id=project.id,
                category=category,
                description=description,
                raised_on=raised_on or self.days_ago(30),
                handling_unit_id=handling_unit.id if handling_unit else None,
                deadline=deadline,
                level=level,
                status=status,
                resolved_on=resolved_on,
                resolution=resolution,
            )
        )

    def commitment(
        self,
        project: Record,
        unit: Record,
        promise: str = "2026 年 6 月底前完成厂区道路硬化",
        *,
        due_on: date | None = None,
        fulfilled_on: date | None = None,
    ) -> Record:
        return self.make.add(
            Commitment(
                project_id=project.id,
                promise=promise,
                delivering_unit_id=unit.id,
                due_on=due_on or self.days_ago(-30),
                fulfilled_on=fulfilled_on,
            )
        )

    def visit(self, project: Record, visited_on: date | None = None) -> Record:
        return self.make.add(
            CareVisit(
                project_id=project.id,
                visited_on=visited_on or self.days_ago(3),
                visitors="城关街道 李主任",
                notes="企业反映用工紧张",
            )
        )


@pytest.fixture
def care(make) -> CareFactory:
    return CareFactory(make)


@pytest.fixture
def signed(make, people, care):
    """A project of unit A (城关街道), signed 100 days ago, registered since."""
    return make.project(
        people["unit_a"],
        name="新能源电池项目",
        lead_on=care.days_ago(200),
        signed_on=care.days_ago(100),
        registered_on=care.days_ago(40),
        contract_investment=150_000_000,
    )


@pytest.fixture
def load_problem(app):
    """Read a problem's current row."""

    def do(problem_id: int) -> Problem:
        with app.app_context():
            problem = db.session.execute(
                select(Problem).where(Problem.id == problem_id)
            ).scalar_one()
            db.session.expunge(problem)
            return problem

    return do


@pytest.fixture
def become(client, login):
    """Log out whoever is logged in, then log in as this user."""

    def do(user: Record):
        client.post("/logout")
        return login(user)

    return do
