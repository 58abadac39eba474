"""Project test helpers: create a project through the screens, read a project back."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.projects.models import Project


def form(unit_id: int, **overrides) -> dict:
    return {
        "name": "新能源电池项目",
        "investor_name": "华润置地（深圳）有限公司",
        "uscc": "",
        "origin_province": "广东省",
        "origin_city": "深圳市",
        "industry": "工业",
        "chain_tag": "新能源",
        "planned_wan": "12000.50",
        "unit_id": str(unit_id),
        "leader_id": "",
        "source": "招商推介会",
        "event_id": "",
        "notes": "",
        "submission_id": "",
        **overrides,
    }


@pytest.fixture
def create_via_form(client):
    """POST the create form; return the new project's id (or the response on refusal)."""

    def do(unit_id: int, **overrides):
        response = client.post("/projects/new", data=form(unit_id, **overrides))
        if response.status_code != 302:
            return response
        return int(re.search(r"/projects/(\d+)", response.location).group(1))

    return do


@pytest.fixture
def load(app):
    """Read a project's current row."""

    def do(project_id: int) -> Project:
        with app.app_context():
            project = db.session.execute(
                select(Project).where(Project.id == project_id)
            ).scalar_one()
            db.session.expunge(project)
            return project

    return do
