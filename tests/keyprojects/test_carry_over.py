"""Where key projects come from besides the form: last year's list, and signed 招商 projects."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.keyprojects.models import KeyMonthlyReport, KeyProcedure, KeyProject, KeyTeamMember


def key_projects_of_year(app, year: int) -> list[KeyProject]:
    with app.app_context():
        rows = (
            db.session.execute(
                select(KeyProject).where(KeyProject.year == year).order_by(KeyProject.id)
            )
            .scalars()
            .all()
        )
        return [
            (
                kp.name,
                kp.category,
                kp.carried_from_id,
                kp.annual_plan,
                kp.started_on,
                [(m.name, m.post) for m in kp.team],
                sorted((p.kind, p.status) for p in kp.procedures),
                len(kp.reports),
            )
            for kp in rows
        ]


def last_year(make, people):
    unfinished = make.key_project(
        people["unit_a"],
        name="跨年道路",
        year=2025,
        category="新建",
        plan_wan="3000",
        started_on=date(2025, 6, 1),
    )
    finished = make.key_project(
        people["unit_b"],
        name="已竣工学校",
        year=2025,
        started_on=date(2025, 3, 1),
        completed_on=date(2025, 11, 30),
    )
    make.add(KeyTeamMember(key_project_id=unfinished.id, name="李四", post="副镇长"))
    make.key_procedure(unfinished, "环评", status="done")
    make.key_procedure(unfinished, "施工许可", status="na")
    make.key_report(unfinished, 5, invested_wan="800")
    return unfinished, finished


def test_carry_over_copies_unfinished_projects_with_team_and_procedures_not_reports(
    app, client, people, login, make
):
    unfinished, _finished = last_year(make, people)
    login(people["bureau"])
    confirm = client.get("/key-projects/carry-over?year=2026").get_data(as_text=True)
    assert "跨年道路" in confirm and "已竣工学校" not in confirm
    response = client.post("/key-projects/carry-over", data={"year": "2026"})
    assert response.status_code == 302
    assert key_projects_of_year(app, 2026) == [
        (
            "跨年道路",
            "续建",
            unfinished.id,
            30_000_000,
            date(2025, 6, 1),
            [("李四", "副镇长")],
            [("施工许可", "na"), ("环评", "done")],
            0,
        )
    ]
    with app.app_context():
        assert db.session.execute(select(func.count(KeyMonthlyReport.id))).scalar_one() == 1
        assert db.session.execute(select(func.count(KeyProcedure.id))).scalar_one() == 4
    page = client.get("/key-projects/?year=2026").get_data(as_text=True)
    assert "跨年道路" in page and "已竣工学校" not in page


def test_a_second_carry_over_does_nothing_and_says_so(app, client, people, login, make):
    last_year(make, people)
    login(people["bureau"])
    assert client.post("/key-projects/carry-over", data={"year": "2026"}).status_code == 302
    again = client.post("/key-projects/carry-over", data={"year": "2026"})
    assert again.status_code == 200
    assert "已结转过：1个项目已在2026年名录中" in again.get_data(as_text=True)
    assert len(key_projects_of_year(app, 2026)) == 1


def test_only_the_bureau_carries_over(app, client, people, login, make):
    last_year(make, people)
    for role in ("unit", "leader", "admin"):
        login(people[role])
        assert client.get("/key-projects/carry-over").status_code == 403
        assert client.post("/key-projects/carry-over", data={"year": "2026"}).status_code == 403
        client.post("/logout")
    assert key_projects_of_year(app, 2026) == []


def test_a_signed_project_is_listed_and_linked_both_ways(app, client, people, login, make):
    leader = make.leader("周区长", "副区长")
    project = make.project(
        people["unit_a"],
        name="新能源电池项目",
        signed_on=date(2026, 5, 6),
        planned_investment=1_500_000_000,
        contract_investment=1_200_000_000,
        leader_id=leader.id,
    )
    login(people["bureau"])
    project_page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "列为重点项目" in project_page
    form = client.post(f"/key-projects/from-project/{project.id}")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'value="新能源电池项目"' in page and 'value="150000.00"' in page
    assert f'<option selected value="{people["unit_a"].id}">' in page
    assert f'<option selected value="{leader.id}">' in page
    saved = client.post(
        f"/key-projects/from-project/{project.id}",
        data={
            "year": "2026",
            "name": "新能源电池项目",
            "programme": "产业升级工程",
            "category": "新建",
            "level": "市重点",
            "total_wan": "150000",
            "plan_wan": "30000",
            "unit_id": str(people["unit_a"].id),
            "leader_id": str(leader.id),
            "funding_channel": "社会投资",
            "project_id": str(project.id),
            "submission_id": "0d6f3c1e-0b8a-4a39-9d43-2b8f8f0a1c55",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    with app.app_context():
        kp = db.session.execute(select(KeyProject)).scalar_one()
        assert kp.project_id == project.id
        kp_id = kp.id
    detail = client.get(f"/key-projects/{kp_id}").get_data(as_text=True)
    assert f'href="/projects/{project.id}"' in detail
    project_page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "已列入2026年重点项目：" in project_page and f"/key-projects/{kp_id}" in project_page
    assert "列为重点项目</button>" not in project_page
    # Not twice in one year.
    again = client.post(f"/key-projects/from-project/{project.id}", follow_redirects=True)
    assert "该招商项目已列入2026年重点项目" in again.get_data(as_text=True)


def test_an_unsigned_project_cannot_be_listed(app, client, people, login, make):
    project = make.project(people["unit_a"], name="洽谈中的项目")
    login(people["bureau"])
    assert "列为重点项目" not in client.get(f"/projects/{project.id}").get_data(as_text=True)
    response = client.post(f"/key-projects/from-project/{project.id}", follow_redirects=True)
    assert "该招商项目尚未签约，不能列为重点项目" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(KeyProject.id))).scalar_one() == 0


def test_a_unit_cannot_list_a_project_through_the_bureaus_route(app, client, people, login, make):
    project = make.project(people["unit_a"], signed_on=date(2026, 5, 6))
    login(people["unit"])
    assert client.post(f"/key-projects/from-project/{project.id}").status_code == 403
