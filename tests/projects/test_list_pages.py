"""Any page of the project list, under any filter the live-board index answers and any sort it
holds, shows exactly the projects and the count the records give (app/core/pagination.py
finds a page by its keys first; app/projects/queries.py gives SQLite a range on the index)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.projects.models import BIG_PROJECT_YUAN, INDUSTRIES, SOURCES, Project
from app.projects.stages import STAGES
from tests.factories import PASSWORD

PER_PAGE = 4
START = date(2025, 1, 6)
SORTABLE = {"id": "id", "stage": "stage_order", "since": "stage_since",
            "planned": "planned_investment"}  # fmt: skip


@pytest.fixture
def varied(app, make, people):
    """23 projects of two units over every stage, industry and source, with tied amounts, some
    dropped and one deleted."""
    app.config["PER_PAGE"] = PER_PAGE
    dated = [s.date_field for s in STAGES if s.date_field]
    for i in range(23):
        milestones = {field: START + timedelta(days=10 * (k + 1) + i)
                      for k, field in enumerate(dated[: i % (len(dated) + 1)])}  # fmt: skip
        make.project(
            people["unit_a"] if i % 3 else people["unit_b"], f"列表项目{i:02d}", f"投资方{i:02d}",
            industry=INDUSTRIES[i % len(INDUSTRIES)], source=SOURCES[i % len(SOURCES)],
            planned_investment=(i % 5) * BIG_PROJECT_YUAN // 2, lead_on=START,
            dropped_on=START + timedelta(days=300) if i % 7 == 6 else None,
            drop_reason="投资方撤回" if i % 7 == 6 else None,
            deleted_at=utcnow() if i == 11 else None, **milestones,
        )  # fmt: skip
    with app.app_context():
        return [
            {"id": p.id, "name": p.name, "unit_id": p.unit_id, "industry": p.industry,
             "source": p.source, "planned_investment": p.planned_investment,
             "stage_order": p.stage_order, "stage_since": p.stage_since,
             "dropped": p.dropped_on is not None, "deleted": p.deleted_at is not None}
            for p in db.session.scalars(select(Project))
        ]  # fmt: skip


def _expected(rows, unit_id, industry, source, big, stage, dropped, sort, page):
    shown = [
        r for r in rows
        if not r["deleted"]
        and (unit_id is None or r["unit_id"] == unit_id)
        and {"": not r["dropped"], "only": r["dropped"], "all": True}[dropped]
        and (not industry or r["industry"] == industry)
        and (not source or r["source"] == source)
        and (not big or r["planned_investment"] >= BIG_PROJECT_YUAN)
        and (stage is None or r["stage_order"] == stage.order)
    ]  # fmt: skip
    shown.sort(key=lambda r: r["id"], reverse=True)  # the tiebreak: newest first
    shown.sort(key=lambda r: r[SORTABLE[sort.lstrip("-")]], reverse=sort.startswith("-"))
    last = max(1, -(-len(shown) // PER_PAGE))
    page = min(page, last)
    return len(shown), [r["name"] for r in shown[(page - 1) * PER_PAGE : page * PER_PAGE]]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    role=st.sampled_from(["bureau", "unit"]),
    industry=st.sampled_from(["", *INDUSTRIES]),
    source=st.sampled_from(["", *SOURCES[:3]]),
    big=st.booleans(),
    stage=st.one_of(st.none(), st.sampled_from(STAGES)),
    dropped=st.sampled_from(["", "", "only", "all"]),
    sort=st.sampled_from([*SORTABLE, *(f"-{key}" for key in SORTABLE)]),
    page=st.integers(1, 8),
)
def test_any_page_shows_exactly_what_the_records_give(
    app, people, varied, role, industry, source, big, stage, dropped, sort, page
):
    client = app.test_client()
    client.post("/login", data={"username": people[role].username, "password": PASSWORD})
    args = {"industry": industry, "source": source, "big": "1" if big else "",
            "stage": stage.key if stage else "", "dropped": dropped, "sort": sort,
            "page": str(page)}  # fmt: skip
    html = client.get("/projects/", query_string={k: v for k, v in args.items() if v}).get_data(
        as_text=True
    )
    unit_id = people["unit_a"].id if role == "unit" else None
    total, names = _expected(varied, unit_id, industry, source, big, stage, dropped, sort, page)
    assert int(re.search(r'data-testid="total">(\d+)<', html).group(1)) == total
    assert re.findall(r'<a href="/projects/\d+">([^<]+)</a>', html) == names
