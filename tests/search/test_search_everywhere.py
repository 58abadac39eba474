"""The top bar's search (/search): projects by every field, pinyin, several words, contacts'
names and phones, key projects and events, within the role's scope, and bad input answered."""

from __future__ import annotations

import re

import pytest

from app.projects.models import ProjectContact
from app.search.queries import MAX_LENGTH, TOO_LONG, TOO_SHORT

USCC = "91350100M000100Y43"


@pytest.fixture
def found(make, people):
    """Projects of 城关街道 (unit A) and 北山镇 (unit B), contacts, key projects, an event."""
    huarun = make.project(people["unit_a"], "智能制造产业园", "华润置地（深圳）有限公司", uscc=USCC)
    make.project(people["unit_a"], "冷链物流中心", "杭州顺达物流有限公司")
    longi = make.project(people["unit_b"], "光伏组件项目", "隆基绿能科技股份有限公司")
    make.add(ProjectContact(project_id=huarun.id, name="欧阳明", title="总经理",
                            phone="+8613812345678"))  # fmt: skip
    make.add(ProjectContact(project_id=longi.id, name="李卫东", phone="+8651267881234"))
    make.key_project(people["unit_a"], "城南污水处理厂")
    make.key_project(people["unit_b"], "北山智能制造厂房")
    make.event("2025 深圳招商推介会")
    return {"huarun": huarun, "longi": longi}


def _search(client, q: str):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page: str, kind: str) -> str:
    match = re.search(rf'data-testid="search-{kind}".*?</section>', page, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize(
    "q",
    ["智能制造", "华润置地", "深圳", USCC, USCC.lower()[:10], "欧阳明", "欧阳",
     "13812345678", "138 1234 5678", "138-1234-5678", "5678",
     "hrzd", "HR", "znzz", "huarun", "HuaRun", "zhinengzhizao", "huarunzhidi"],
)  # fmt: skip
def test_the_bureau_finds_a_project_by_every_field_and_pinyin(client, people, login, found, q):
    login(people["bureau"])
    projects = _section(_search(client, q), "projects")
    assert "智能制造产业园" in projects
    assert "冷链物流中心" not in projects


def test_several_words_must_all_match_in_any_order(client, people, login, found):
    login(people["bureau"])
    for q in ("华润 智能", "智能 华润", "huarun 欧阳明", "hr 13812345678"):
        projects = _section(_search(client, q), "projects")
        assert "智能制造产业园" in projects, q
    page = _search(client, "华润 物流")
    assert _section(page, "projects") == ""
    assert 'data-testid="search-empty"' in page


def test_results_are_grouped_by_kind(client, people, login, found):
    login(people["bureau"])
    page = _search(client, "智能制造")
    assert "智能制造产业园" in _section(page, "projects")
    assert "北山智能制造厂房" in _section(page, "key_projects")
    assert "招商推介会" not in page
    assert "2025 深圳招商推介会" in _section(_search(client, "推介会 深圳"), "events")
    assert "城南污水处理厂" in _section(_search(client, "污水"), "key_projects")


def test_a_contacts_phone_finds_the_project_for_the_bureau_not_for_another_unit(
    client, people, login, found
):
    login(people["bureau"])
    assert "智能制造产业园" in _section(_search(client, "13812345678"), "projects")
    assert "光伏组件项目" in _section(_search(client, "0512-6788 1234"), "projects")
    client.post("/logout")
    login(people["other_unit"])
    for q in ("13812345678", "欧阳明", "华润", "huarun"):
        page = _search(client, q)
        assert "智能制造产业园" not in page, q
        assert 'data-testid="search-empty"' in page
    assert "光伏组件项目" in _section(_search(client, "李卫东"), "projects")


def test_a_unit_user_finds_only_their_own_projects_and_key_projects(client, people, login, found):
    login(people["unit"])
    assert "智能制造产业园" in _section(_search(client, "13812345678"), "projects")
    page = _search(client, "智能制造")
    assert "北山智能制造厂房" not in page
    assert "光伏组件项目" not in _search(client, "0512-67881234")
    assert "光伏组件项目" not in _search(client, "隆基")
    assert "2025 深圳招商推介会" in _search(client, "推介会")  # events are the district's


def test_a_removed_contact_no_longer_finds_the_project(client, people, login, found, app):
    from app.core.db import utcnow
    from app.extensions import db

    with app.app_context():
        contact = db.session.query(ProjectContact).filter_by(name="欧阳明").one()
        contact.deleted_at = utcnow()
        db.session.commit()
    login(people["bureau"])
    assert 'data-testid="search-empty"' in _search(client, "欧阳明")


@pytest.mark.parametrize("q", ["%", "_", "%%", "__", "智能%", "_制造"])
def test_percent_and_underscore_are_literal(client, people, login, found, q):
    login(people["bureau"])
    page = _search(client, q)
    assert "智能制造产业园" not in page and "冷链物流中心" not in page


def test_a_percent_in_a_name_is_found_literally(client, people, login, make):
    make.project(people["unit_a"], "百分之百_项目", "ABC 100% 有限公司")
    make.project(people["unit_a"], "百分之百X项目", "ABC 1000 有限公司")
    login(people["bureau"])
    assert "百分之百_项目" in _search(client, "100%")
    assert "百分之百X项目" not in _search(client, "100%")
    assert "百分之百X项目" not in _search(client, "百_项")


def test_one_character_asks_for_two_unless_it_is_chinese(client, people, login, found):
    login(people["bureau"])
    for q in ("a", "1", "%"):
        page = _search(client, q)
        assert TOO_SHORT in page
        assert "智能制造产业园" not in page
    page = _search(client, "华")
    assert TOO_SHORT not in page
    assert "智能制造产业园" in _section(page, "projects")


def test_500_characters_are_cut_with_a_message(client, people, login, found):
    login(people["bureau"])
    page = _search(client, "智能制造" + "华" * 496)
    assert TOO_LONG in page
    assert f'value="{"智能制造" + "华" * (MAX_LENGTH - 4)}"' in page
    page = _search(client, "智能制造 " + "x" * 495)
    assert TOO_LONG in page and 'data-testid="search-empty"' in page


@pytest.mark.parametrize(
    "q",
    ["' OR 1=1 --", "'; DROP TABLE projects; --", '" OR ""="', "<script>alert(1)</script>",
     "<b>华润</b>", "\\", "\\%", "a\x00b", "１３８１２３４５６７８", "😀😀", "   ", ""],
)  # fmt: skip
def test_sql_html_and_odd_input_answer_a_page_never_a_500(client, people, login, found, q):
    login(people["bureau"])
    page = _search(client, q)
    assert "<script>alert(1)</script>" not in page
    assert "<b>华润</b>" not in page


def test_full_width_digits_find_the_phone(client, people, login, found):
    login(people["bureau"])
    assert "智能制造产业园" in _section(_search(client, "１３８１２３４５６７８"), "projects")


def test_the_top_bar_has_the_search_box_for_readers_not_the_auditor(client, people, login):
    for role in ("bureau", "unit", "leader", "admin"):
        login(people[role])
        assert 'data-testid="top-search"' in client.get("/").get_data(as_text=True), role
        client.post("/logout")
    login(people["auditor"])
    assert 'data-testid="top-search"' not in client.get("/").get_data(as_text=True)
    assert client.get("/search?q=华润").status_code == 403


def test_full_pinyin_follows_the_bureaus_readings_of_place_names():
    from app.projects.names import full_pinyin, search_text

    assert full_pinyin("华润置地") == "huarunzhidi"
    assert full_pinyin("单县物流园") == "shanxianwuliuyuan"
    assert "shanxian" in search_text("单县物流园")
    assert search_text(USCC) == f"{USCC.lower()} | {USCC.lower()}"  # no third copy
