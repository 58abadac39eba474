"""Imported projects are found by search at once, whether or not their entries in SQLite's
trigram index have been written yet (the import leaves them for after its commit, so that it
holds the one write lock for less time): the search answers the same either way, and the
index, once caught up, matches the table exactly."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from app.core import after_commit
from app.extensions import db
from app.projects import search
from app.projects.models import Project
from app.projects.transfer import HEADERS
from tests.imports.conftest import project_row, token_of, xlsx

NAMES = {
    "鑫泰新能源电池项目": "深圳市鑫泰新能源科技有限公司",
    "恒润汽车电子项目": "广州恒润汽车电子有限公司",
    "瑞丰生物医药项目": "苏州瑞丰生物医药股份有限公司",
}


@pytest.fixture(autouse=True)
def _sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the trigram index and its pending list are SQLite's")


def _import(client, people, login, upload) -> None:
    rows = [list(HEADERS)] + [project_row(项目名称=n, 投资方=i) for n, i in NAMES.items()]
    login(people["bureau"])
    page = upload("projects", xlsx(rows))
    assert client.post(f"/imports/confirm/{token_of(page)}").status_code == 302


def _total(client, q: str) -> int:
    page = client.get("/projects/", query_string={"q": q}).get_data(as_text=True)
    return int(re.search(r'data-testid="total">(\d+)<', page).group(1))


def _pending(app) -> int:
    with app.app_context():
        return db.session.scalar(text("SELECT count(*) FROM projects_search_pending"))


def _in_index(app, q: str) -> int:
    """What the trigram index alone finds."""
    with app.app_context():
        return db.session.scalar(
            text("SELECT count(*) FROM projects_search WHERE projects_search MATCH :q"),
            {"q": search.fts_phrase(q)},
        )


def _index_matches_the_table(app) -> None:
    """FTS5's own check of an external-content index against its table (raises if not)."""
    with app.app_context():
        db.session.execute(
            text("INSERT INTO projects_search(projects_search, rank) VALUES ('integrity-check', 1)")
        )
        db.session.rollback()


def test_an_import_indexes_its_projects_after_its_commit(app, client, people, login, upload):
    _import(client, people, login, upload)
    assert _pending(app) == 0
    assert _in_index(app, "鑫泰新能") == 1
    assert _total(client, "鑫泰新能") == 1 and _total(client, "恒润汽车") == 1
    _index_matches_the_table(app)


def test_projects_not_yet_indexed_are_found_and_the_heartbeat_indexes_them(
    app, client, people, login, upload, monkeypatch
):
    monkeypatch.setattr(search, "catch_up", lambda engine: 0)  # a process killed after commit
    _import(client, people, login, upload)
    assert _pending(app) == 3 and _in_index(app, "鑫泰新能") == 0
    assert _total(client, "鑫泰新能") == 1  # found by LIKE meanwhile
    assert _total(client, "瑞丰生物") == 1 and _total(client, "有限公司") == 3
    with app.app_context():
        ids = dict(list(db.session.execute(select(Project.name, Project.id))))
        # Renamed and deleted before they were indexed: the index must not keep the old text.
        db.session.execute(
            text("UPDATE projects SET search_text = :t WHERE id = :i"),
            {"t": "改名后的华光项目", "i": ids["恒润汽车电子项目"]},
        )
        db.session.execute(
            text("DELETE FROM projects WHERE id = :i"), {"i": ids["瑞丰生物医药项目"]}
        )
        db.session.commit()
    assert _pending(app) == 2
    assert _total(client, "恒润汽车") == 0 and _total(client, "华光项目") == 1
    monkeypatch.undo()
    with app.app_context():
        after_commit.finish_left_over(db.engine)  # the workers' heartbeat
    assert _pending(app) == 0
    assert _in_index(app, "鑫泰新能") == 1 and _in_index(app, "华光项目") == 1
    assert _in_index(app, "恒润汽车") == 0 and _in_index(app, "瑞丰生物") == 0
    assert _total(client, "鑫泰新能") == 1 and _total(client, "华光项目") == 1
    assert _total(client, "有限公司") == 1
    _index_matches_the_table(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Project)) == 2
