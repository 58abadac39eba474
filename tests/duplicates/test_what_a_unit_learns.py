"""Of another unit's duplicate a unit user learns its unit's name and nothing else: decided in
the service, the same on the project form and in the import's messages."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core import history
from app.extensions import db
from app.projects.duplicates import find_duplicates
from app.projects.names import normalise_investor
from app.projects.transfer import HEADERS
from tests.imports.conftest import project_row, row_errors, xlsx
from tests.projects.conftest import form

USCC = "91350100M000100Y43"


@pytest.fixture
def theirs(make, people):
    """北山镇's project, with a name and a USCC a unit user of 城关街道 must not learn."""
    return make.project(
        people["unit_b"], name="北山秘密光伏项目", investor="宁德示例新能源科技有限公司", uscc=USCC
    )


def _matches(app, username: str):
    with app.app_context():
        actor = db.session.execute(select(User).where(User.username == username)).scalar_one()
        history.set_actor(db.session, actor)
        return find_duplicates(normalise_investor("宁德示例新能源科技有限公司"), USCC, actor)


def test_the_service_tells_a_unit_user_only_the_other_units_name(app, people, theirs):
    [match] = _matches(app, "unita")
    assert match.unit_name == "北山镇"
    assert match.redacted
    assert (match.project_id, match.name, match.investor_name, match.same_uscc) == (
        None, "", "", False,
    )  # fmt: skip
    assert "北山秘密光伏项目" not in match.note


def test_the_service_shows_the_bureau_and_the_owning_unit_everything(app, people, theirs):
    for username in ("bureau1", "unitb"):
        [match] = _matches(app, username)
        assert (match.project_id, match.name, match.same_uscc) == (
            theirs.id, "北山秘密光伏项目", True,
        )  # fmt: skip


def test_several_projects_of_one_other_unit_are_one_line(app, make, people, theirs):
    make.project(people["unit_b"], name="北山二期", investor="宁德示例新能源科技有限公司")
    assert [m.unit_name for m in _matches(app, "unita")] == ["北山镇"]
    assert len(_matches(app, "bureau1")) == 2


def test_an_unknown_role_learns_no_more_than_a_unit(app, people, theirs):
    with app.app_context():
        stranger = db.session.get(User, people["auditor"].id)
        history.set_actor(db.session, stranger)
        [match] = find_duplicates(normalise_investor("宁德示例新能源科技有限公司"), USCC, stranger)
    assert match.redacted and match.unit_name == "北山镇"


def test_the_project_form_shows_a_unit_user_only_the_other_units_name(
    client, login, people, theirs
):
    login(people["unit"])
    data = form(people["unit_a"].id, investor_name="宁德示例新能源科技有限公司", uscc=USCC)
    page = client.post("/projects/new", data=data).get_data(as_text=True)
    assert 'data-testid="duplicates"' in page
    assert "北山镇已有同一投资方的项目" in page
    assert "北山秘密光伏项目" not in page
    assert f"/projects/{theirs.id}" not in page
    assert "信用代码相同" not in page


def test_the_project_form_links_the_bureau_to_the_duplicate(client, login, people, theirs):
    login(people["bureau"])
    data = form(people["unit_a"].id, investor_name="宁德示例新能源科技有限公司", uscc=USCC)
    page = client.post("/projects/new", data=data).get_data(as_text=True)
    assert "北山秘密光伏项目" in page and f"/projects/{theirs.id}" in page


def _check(client, rows) -> str:
    data = {"file": (io.BytesIO(xlsx([list(HEADERS), *rows])), "台账.xlsx")}
    response = client.post(
        "/imports/projects/check", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_import_refuses_another_units_project_naming_only_its_unit(
    client, login, people, theirs
):
    login(people["unit"])
    page = _check(client, [project_row(项目名称="北山秘密光伏项目", 责任单位="")])
    [(_row, column, reason)] = row_errors(page)
    assert column == "项目名称"
    assert reason.startswith("北山镇已有同一投资方的项目")
    assert "系统中已有该项目" not in reason and "同名" not in reason


def test_the_import_warns_of_another_units_investor_by_its_unit_only(
    client, login, people, theirs
):
    login(people["unit"])
    page = _check(client, [project_row(项目名称="城关项目", 责任单位="")])
    assert "疑似重复：北山镇 已登记同一投资方的项目" in page
    assert "北山秘密光伏项目" not in page


def test_the_import_tells_the_bureau_the_project_is_already_recorded(
    client, login, people, theirs
):
    login(people["bureau"])
    page = _check(client, [project_row(项目名称="北山秘密光伏项目", 责任单位="北山镇")])
    [(_row, _column, reason)] = row_errors(page)
    assert reason == "系统中已有该项目（同名同投资方，北山镇），不能重复导入"
