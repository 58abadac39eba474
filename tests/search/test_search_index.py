"""The indexed substring search (app/projects/search.py) answers exactly as LIKE would, on both
databases, and its index follows every write (a later migration must not lose the triggers)."""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest
from sqlalchemy import func, select, text, update

from app.extensions import db
from app.projects.models import Project
from app.projects.names import search_text
from app.projects.queries import search_condition
from app.projects.search import bigrams, fts_phrase, like_pattern, unfolded

INVESTORS = {
    "华润置地智能制造产业园": "华润置地（深圳）有限公司",
    "冷链物流中心": "杭州顺达物流有限公司",
    "医疗器械产业园": "苏州瑞丰生物医药股份有限公司",
    "百分之百_项目": 'ABC "引号" 100% 有限公司',
}


@pytest.fixture
def projects(make, people):
    return {
        name: make.project(people["unit_a"], name, investor) for name, investor in INVESTORS.items()
    }


def _found(app, q: str) -> set[str]:
    with app.app_context():
        return set(
            db.session.scalars(
                select(Project.name).where(search_condition(q), Project.deleted_at.is_(None))
            )
        )


def _like(app, q: str) -> set[str]:
    needle = unicodedata.normalize("NFKC", q).lower().strip()  # as search_condition does
    with app.app_context():
        return set(
            db.session.scalars(
                select(Project.name).where(
                    Project.search_text.like(like_pattern(needle), escape="\\"),
                    Project.deleted_at.is_(None),
                )
            )
        )


QUERIES = ["华", "华润", "华润置", "华润置地", "置地（深圳", "hrzd", "hr", "sd", "物流", "顺达物流",
           "100%", "_项", '"引号"', "abc", "%", "不存在的名字", "yl"]  # fmt: skip


@pytest.mark.parametrize("q", QUERIES)
def test_indexed_search_answers_exactly_as_like(app, projects, q):
    assert _found(app, q) == _like(app, q)


def test_two_chinese_characters_and_pinyin_initials_find_the_investor(app, projects):
    assert _found(app, "华润") == {"华润置地智能制造产业园"}
    assert _found(app, "hrzd") == {"华润置地智能制造产业园"}
    assert _found(app, "华润置地（深圳）") == {"华润置地智能制造产业园"}
    assert _found(app, "瑞丰生物") == {"医疗器械产业园"}


SHORT = "华润a"  # every text of one to three of these characters, each as a search_text


def test_a_pair_of_characters_is_found_wherever_it_stands(app, make, people):
    """Two characters at the start, in the middle, at the end, or the whole text: SQLite finds
    the rows holding a trigram that begins with them, and those ending with them."""
    texts = ["".join(t) for n in (1, 2, 3) for t in itertools.product(SHORT, repeat=n)]
    ids = {make.project(people["unit_a"], f"项目{i:02d}").id: t for i, t in enumerate(texts)}
    with app.app_context():
        for project_id, stored in ids.items():
            db.session.execute(
                update(Project).where(Project.id == project_id).values(search_text=stored)
            )
        db.session.commit()
    for pair in map("".join, itertools.product(SHORT, repeat=2)):
        expected = {f"项目{i:02d}" for i, t in enumerate(texts) if pair in t}
        assert _found(app, pair) == expected == _like(app, pair), pair


def test_the_index_follows_inserts_updates_and_deletes(app, make, people, projects):
    fresh = make.project(people["unit_b"], "新登记的鑫泰项目", "深圳市鑫泰新能源科技有限公司")
    assert _found(app, "鑫泰新能") == {"新登记的鑫泰项目"}
    with app.app_context():
        db.session.execute(
            update(Project)
            .where(Project.id == fresh.id)
            .values(search_text=search_text("改名后的项目", "广州恒润汽车电子有限公司"))
        )
        db.session.commit()
    assert _found(app, "鑫泰新能") == set()
    assert _found(app, "恒润汽车") == {"新登记的鑫泰项目"}
    with app.app_context():
        db.session.execute(text("DELETE FROM projects WHERE id = :id"), {"id": fresh.id})
        db.session.commit()
    assert _found(app, "恒润汽车") == set()


def test_the_search_uses_the_index_the_migration_made(app, projects):
    with app.app_context():
        dialect = db.engine.dialect.name
        sql = str(
            select(Project.id)
            .where(search_condition("华润置地"))
            .compile(db.engine, compile_kwargs={"literal_binds": True})
        )
        if dialect == "sqlite":
            assert "projects_search MATCH" in sql
            # The statistics ANALYZE kept at 100,000 projects: every text ends alike (…gongsi).
            db.session.execute(text("ANALYZE"))
            db.session.execute(
                text("UPDATE sqlite_stat1 SET stat = '100000 100000' WHERE idx = :idx"),
                {"idx": "ix_projects_search_tail"},
            )
            db.session.execute(text("ANALYZE sqlite_schema"))  # the planner reads them again
            pair = select(func.count()).where(search_condition("华润"))
            bound = pair.compile(db.engine)  # with its parameters, as the page sends it
            values = tuple(bound.params[name] for name in bound.positiontup)
            rows = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {bound}", values)
            plan = " ".join(str(row[-1]) for row in rows)
            assert "projects_search VIRTUAL TABLE" in plan and "ix_projects_search_tail" in plan
            triggers = db.session.scalars(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'projects'"
                )
            ).all()
            assert {"projects_search_ai", "projects_search_ad", "projects_search_au"} <= set(
                triggers
            )
        else:
            assert "crm_bigrams(projects.search_text) @>" in sql
            assert db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_projects_search_bigrams'"
                )
            )
            assert db.session.scalar(text("SELECT crm_bigrams('华润置地')")) == [
                "华润",
                "润置",
                "置地",
            ]


def test_the_list_page_searches_through_the_index(client, people, login, projects):
    login(people["bureau"])
    for q, expected in (("华润", 1), ("华润置地", 1), ("hrzd", 1), ("有限公司", 4), ("%", 1)):
        page = client.get("/projects/", query_string={"q": q}).get_data(as_text=True)
        assert int(re.search(r'data-testid="total">(\d+)<', page).group(1)) == expected, q


def test_helpers():
    assert bigrams("华润置地") == ["华润", "润置", "置地"]
    assert bigrams("华") == [] and bigrams("aaa") == ["aa"]
    assert fts_phrase('a"b') == '"a""b"'
    assert like_pattern("100%_\\") == "%100\\%\\_\\\\%"
    assert unfolded("华润") and unfolded("hr") and unfolded("a1")
    assert not unfolded("HR") and not unfolded("é2") and not unfolded("（有")
