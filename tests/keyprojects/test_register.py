"""The key-project register (项目库): list, page, create and edit, the 实施方案 file, roles."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.keyprojects.models import KeyProject, KeyTeamMember

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_values(unit_id, **changes):
    values = {
        "year": "2026",
        "name": "城南污水处理厂二期",
        "programme": "基础设施工程",
        "category": "续建",
        "level": "区重点",
        "total_wan": "20000",
        "plan_wan": "6000",
        "unit_id": str(unit_id),
        "funding_channel": "专项债",
        "planned_start_on": "2026-03-01",
        "started_on": "2026-03-15",
        "goal": "主体完工",
        "team_name": ["李四", "王五"],
        "team_post": ["副镇长", "站长"],
        "submission_id": "5b0c2ad4-4b6b-4a59-9f0b-7f3c1a2d9e10",
    }
    values.update(changes)
    return values


def count_key_projects(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(KeyProject.id))).scalar_one()


def test_the_bureau_lists_a_key_project_with_its_team_and_plan_file(app, client, people, login):
    login(people["bureau"])
    data = form_values(people["unit_a"].id)
    data["plan_file"] = (io.BytesIO(PDF), "实施方案.pdf")
    response = client.post("/key-projects/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "城南污水处理厂二期" in page
    assert "李四（副镇长）" in page and "王五（站长）" in page
    assert "实施方案.pdf" in page and "20,000.00 万元" in page
    with app.app_context():
        kp = db.session.execute(select(KeyProject)).scalar_one()
        assert kp.total_investment == 200_000_000 and kp.annual_plan == 60_000_000
        kp_id = kp.id
    download = client.get(f"/key-projects/{kp_id}/plan")
    assert download.status_code == 200 and download.data == PDF
    # A retried post finds the project the first one made.
    again = client.post("/key-projects/new", data=form_values(people["unit_a"].id))
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/key-projects/{kp_id}")
    assert count_key_projects(app) == 1


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"plan_wan": "30000"}, "年度计划投资不能大于总投资"),
        ({"completed_on": "2026-03-01"}, "竣工日期不能早于开工日期"),
        ({"started_on": "2026-12-01"}, "实际开工日期不能晚于今天"),
        ({"total_wan": "-5"}, "总投资不能为负数"),
        ({"plan_wan": "1,2,3"}, "逗号位置不对"),
        ({"name": ""}, "请输入项目名称"),
        ({"started_on": "2026-02-30"}, "2026-02-30"),
    ],
)
def test_bad_input_is_refused_beside_the_field_keeping_what_was_typed(
    app, client, people, login, changes, field_message
):
    login(people["bureau"])
    response = client.post("/key-projects/new", data=form_values(people["unit_a"].id, **changes))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_message in page
    assert 'invalid-feedback d-block">' in page
    assert "基础设施工程" in page and 'value="李四"' in page and 'value="站长"' in page
    assert count_key_projects(app) == 0


def test_a_team_member_without_a_name_is_refused_on_its_row(app, client, people, login):
    login(people["bureau"])
    data = form_values(people["unit_a"].id, team_name=["李四", ""], team_post=["副镇长", "会计"])
    page = client.post("/key-projects/new", data=data).get_data(as_text=True)
    assert "工作班子成员须填写姓名" in page and 'value="会计"' in page
    assert count_key_projects(app) == 0


def test_a_plan_file_that_is_not_pdf_or_image_is_refused(app, client, people, login):
    login(people["bureau"])
    data = form_values(people["unit_a"].id)
    data["plan_file"] = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "方案.pdf")
    response = client.post("/key-projects/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "实施方案文件只能是 PDF、JPG 或 PNG" in page
    assert count_key_projects(app) == 0


def test_a_unit_lists_only_for_its_own_unit(app, client, people, login):
    login(people["unit"])
    page = client.post("/key-projects/new", data=form_values(people["unit_b"].id)).get_data(
        as_text=True
    )
    assert "只能登记本单位的重点项目" in page
    assert count_key_projects(app) == 0
    ok = client.post("/key-projects/new", data=form_values(people["unit_a"].id))
    assert ok.status_code == 302
    assert count_key_projects(app) == 1


def test_a_stale_edit_is_refused_with_409_showing_the_current_values(
    app, client, people, login, make
):
    kp = make.key_project(people["unit_a"], name="老城管网改造")
    login(people["bureau"])
    form = client.get(f"/key-projects/{kp.id}/edit").get_data(as_text=True)
    assert "老城管网改造" in form and 'value="20000.00"' in form
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    first = form_values(people["unit_a"].id, name="老城管网改造（一期）", version=version)
    assert client.post(f"/key-projects/{kp.id}/edit", data=first).status_code == 302
    second = form_values(people["unit_a"].id, name="我的过期修改", version=version)
    response = client.post(f"/key-projects/{kp.id}/edit", data=second)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "老城管网改造（一期）" in page and "我的过期修改" in page
    with app.app_context():
        assert db.session.get(KeyProject, kp.id).name == "老城管网改造（一期）"


def test_editing_replaces_the_team(app, client, people, login, make):
    kp = make.key_project(people["unit_a"])
    login(people["unit"])
    data = form_values(people["unit_a"].id, version="1", team_name=["赵六"], team_post=["主任"])
    assert client.post(f"/key-projects/{kp.id}/edit", data=data).status_code == 302
    with app.app_context():
        team = db.session.execute(select(KeyTeamMember.name)).scalars().all()
    assert team == ["赵六"]


def test_the_list_shows_the_filtered_count_and_sums_in_yi_and_keeps_the_filters(
    client, people, login, make
):
    make.key_project(people["unit_a"], name="甲项目", total_wan="20000", plan_wan="6000")
    make.key_project(
        people["unit_a"],
        name="乙项目",
        total_wan="5000",
        plan_wan="1000",
        category="新建",
        programme="产业升级工程",
    )
    make.key_project(people["unit_b"], name="丙项目", total_wan="30000", plan_wan="9000")
    make.key_project(people["unit_a"], name="去年项目", year=2025)
    login(people["bureau"])
    page = client.get("/key-projects/").get_data(as_text=True)
    assert "共3项，总投资5.50亿元，年度计划1.60亿元" in page
    assert "去年项目" not in page
    filtered = client.get("/key-projects/?category=新建&q=乙").get_data(as_text=True)
    assert "共1项，总投资0.50亿元，年度计划0.10亿元" in filtered
    assert "类别：新建" in filtered and "搜索：乙" in filtered
    assert '<option value="新建" selected>' in filtered
    last_year = client.get("/key-projects/?year=2025").get_data(as_text=True)
    assert "去年项目" in last_year and "共1项" in last_year


def test_a_unit_sees_only_its_own_key_projects_and_another_units_are_404(
    client, people, login, make
):
    own = make.key_project(people["unit_a"], name="本单位项目", total_wan="100", plan_wan="10")
    other = make.key_project(
        people["unit_b"],
        name="别人的项目",
        plan_path="x/y.pdf",
        plan_name="y.pdf",
        plan_type="application/pdf",
    )
    login(people["unit"])
    page = client.get("/key-projects/").get_data(as_text=True)
    assert "本单位项目" in page and "别人的项目" not in page
    assert "共1项，总投资0.01亿元" in page
    assert "别人的项目" not in client.get(f"/key-projects/?unit_id={people['unit_b'].id}").get_data(
        as_text=True
    )
    assert client.get(f"/key-projects/{own.id}").status_code == 200
    for url in (
        f"/key-projects/{other.id}",
        f"/key-projects/{other.id}/edit",
        f"/key-projects/{other.id}/plan",
        f"/key-projects/{other.id}/procedures",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/key-projects/{other.id}/edit", data=form_values(people["unit_b"].id))
    assert response.status_code == 404


def test_the_page_shows_the_six_ones_procedures_and_monthly_reports(client, people, login, make):
    leader = make.leader("周区长", "副区长")
    kp = make.key_project(
        people["unit_a"],
        leader_id=leader.id,
        goal="年底主体封顶",
        liaison_unit_id=people["unit_b"].id,
    )
    make.key_report(kp, 3, invested_wan="512.5", progress="桩基完成")
    make.key_procedure(kp, "环评", status="done")
    login(people["leader"])
    page = client.get(f"/key-projects/{kp.id}").get_data(as_text=True)
    assert "周区长（副区长）" in page and "北山镇" in page and "年底主体封顶" in page
    assert "2026年3月" in page and "512.50" in page and "桩基完成" in page and "2026-04-05" in page
    assert "已办结" in page and "2026-01-10" in page


@pytest.mark.parametrize("role", ["leader", "admin", "auditor"])
def test_leaders_admins_and_auditors_cannot_write(app, client, people, login, make, role):
    kp = make.key_project(people["unit_a"])
    login(people[role])
    posts = [
        ("/key-projects/new", form_values(people["unit_a"].id)),
        (f"/key-projects/{kp.id}/edit", form_values(people["unit_a"].id, version="1")),
        (f"/key-projects/{kp.id}/start", {"started_on": "2026-11-01"}),
        (f"/key-projects/{kp.id}/procedures", {"status-0": "done", "done_on-0": "2026-01-01"}),
        ("/key-projects/carry-over", {"year": "2027"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code in (403, 404), url
    assert count_key_projects(app) == 1
    with app.app_context():
        stored = db.session.get(KeyProject, kp.id)
        assert stored.version == 1 and stored.started_on is None
        assert stored.procedures == []
    if role == "auditor":
        assert client.get("/key-projects/").status_code == 403
    else:
        assert client.get("/key-projects/").status_code == 200


def test_the_navigation_offers_the_register_to_readers_and_the_create_form_to_writers(
    client, people, login
):
    login(people["unit"])
    home = client.get("/").get_data(as_text=True)
    assert "重点项目库" in home and "列入重点项目" in home


ODD = ("²", "9" * 5000, "-1", "0", "abc", "2026-10", "a\x00b")


@pytest.mark.parametrize("role", ["bureau", "unit", "leader"])
def test_odd_query_strings_never_give_a_server_error(app, client, people, login, make, role):
    make.key_project(people["unit_a"], category="新建")
    login(people[role])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    names = ("year", "category", "programme", "unit_id", "leader_id", "q", "blocked", "page")
    for url in ("/key-projects/", "/key-projects/blocked", "/key-projects/carry-over"):
        for value in ODD:
            status = client.get(url, query_string=dict.fromkeys(names, value)).status_code
            assert status in (200, 403), (url, value, status)


def test_unknown_ids_are_404_for_every_register_route(client, people, login):
    login(people["bureau"])
    for url in (
        "/key-projects/999999",
        "/key-projects/999999/edit",
        "/key-projects/999999/plan",
        "/key-projects/999999/procedures",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/key-projects/999999/start", "/key-projects/from-project/999999"):
        assert client.post(url).status_code == 404, url


HOSTILE = (
    str(2**70),
    "9" * 400,
    "²",
    "a\0b",
    "长" * 10_000,
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "1,2,3",
)
FIELDS = (
    "year",
    "name",
    "programme",
    "category",
    "level",
    "total_wan",
    "plan_wan",
    "unit_id",
    "liaison_unit_id",
    "leader_id",
    "funding_channel",
    "planned_start_on",
    "started_on",
    "completed_on",
    "in_statistics",
    "goal",
    "notes",
    "team_name",
    "team_post",
    "version",
    "project_id",
    "submission_id",
)


def test_hostile_values_in_the_register_forms_never_give_a_server_error(
    app, client, people, login, make
):
    kp = make.key_project(people["unit_a"], category="新建")
    login(people["bureau"])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for value in HOSTILE:
        for name in FIELDS:
            data = {**form_values(people["unit_a"].id, version="1"), name: value}
            for url in ("/key-projects/new", f"/key-projects/{kp.id}/edit"):
                status = client.post(url, data=data).status_code
                assert status < 500, (url, name, value[:20], status)
        for index in (0, 10):
            for name in ("status", "applied_on", "done_on", "handling_unit_id", "notes"):
                data = {f"{name}-{index}": value}
                status = client.post(f"/key-projects/{kp.id}/procedures", data=data).status_code
                assert status < 500, ("procedures", name, value[:20], status)
        for url, name in (
            (f"/key-projects/{kp.id}/start", "started_on"),
            ("/key-projects/carry-over", "year"),
        ):
            assert client.post(url, data={name: value}).status_code < 500, (url, value[:20])
