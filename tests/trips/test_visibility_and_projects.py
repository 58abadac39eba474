"""Who sees which trips, and the projects a trip produced or advanced."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.core.money import wan_to_yuan
from app.extensions import db
from app.funds.models import FundsEntry, evidence_key
from app.projects.models import Project
from app.trips.models import TripProject


def _project(app, project_id: int) -> Project:
    with app.app_context():
        project = db.session.get(Project, project_id)
        db.session.expunge(project)
        return project


def test_a_unit_user_cannot_see_other_units_trips(client, people, login, heads, add_trip):
    theirs = add_trip([heads["b_party"]], date(2025, 5, 6), city="杭州市", province="浙江省")
    ours = add_trip([heads["a_party"]], date(2025, 6, 6), city="苏州市", province="江苏省")
    district = add_trip([heads["party"]], date(2025, 7, 6), city="上海市", province="上海市")
    login(people["unit"])
    page = client.get("/trips/?year=2025").get_data(as_text=True)
    listed = page.split('data-testid="trip-table"')[1].split("</table>")[0]
    assert "苏州市" in listed and "杭州市" not in listed and "上海市" not in listed
    assert client.get(f"/trips/{ours.id}").status_code == 200
    for trip in (theirs, district):
        assert client.get(f"/trips/{trip.id}").status_code == 404
        assert client.get(f"/trips/{trip.id}/edit").status_code == 404
    grid = client.get("/trips/compliance?year=2025").get_data(as_text=True)
    assert "杨书记" in grid and "孙书记" not in grid and "张书记" not in grid
    yields = client.get("/trips/yields?year=2025").get_data(as_text=True)
    assert "杭州市" not in yields and "苏州市" in yields
    assert client.get("/exports/trips?year=2025").status_code == 200


def test_a_district_trip_that_produced_a_units_project_is_visible_to_that_unit_only(
    app, client, people, login, heads, add_trip, make
):
    trip = add_trip([heads["party"]], date(2025, 3, 3))
    made = make.project(people["unit_a"], "深圳来的项目", "深圳某科技有限公司",
                        source="领导外出招商", trip_id=trip.id)  # fmt: skip
    login(people["unit"])
    page = client.get(f"/trips/{trip.id}").get_data(as_text=True)
    assert "深圳来的项目" in page
    assert client.get(f"/projects/{made.id}").status_code == 200
    client.post("/logout")
    login(people["other_unit"])
    assert client.get(f"/trips/{trip.id}").status_code == 404


def test_the_bureau_creates_a_project_from_the_trip_page(
    app, client, people, login, heads, add_trip
):
    trip = add_trip([heads["party"]], date(2025, 3, 3))
    login(people["bureau"])
    detail = client.get(f"/trips/{trip.id}").get_data(as_text=True)
    assert f"/projects/new?trip_id={trip.id}" in detail
    form = client.get(f"/projects/new?trip_id={trip.id}").get_data(as_text=True)
    assert f'name="trip_id" type="hidden" value="{trip.id}"' in form
    assert '<option selected value="领导外出招商">' in form
    response = client.post(
        "/projects/new",
        data={
            "name": "新能源电池项目",
            "investor_name": "深圳市某新能源科技有限公司",
            "unit_id": str(people["unit_a"].id),
            "source": "领导外出招商",
            "industry": "工业",
            "planned_wan": "20000",
            "trip_id": str(trip.id),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        project = db.session.execute(select(Project)).scalar_one()
        assert (project.trip_id, project.source) == (trip.id, "领导外出招商")
    page = client.get(f"/trips/{trip.id}").get_data(as_text=True)
    assert "新能源电池项目" in page and "促成" in page
    tab = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/trips/{trip.id}" in tab


def test_a_unit_cannot_attach_its_project_to_a_trip_it_cannot_see(
    app, client, people, login, heads, add_trip
):
    trip = add_trip([heads["b_party"]], date(2025, 3, 3))
    login(people["unit"])
    page = client.post(
        "/projects/new",
        data={
            "name": "偷偷关联的项目",
            "investor_name": "某公司",
            "unit_id": str(people["unit_a"].id),
            "source": "领导外出招商",
            "industry": "工业",
            "trip_id": str(trip.id),
        },
    ).get_data(as_text=True)
    assert "所关联的外出招商记录不存在或无权查看" in page
    with app.app_context():
        assert db.session.execute(select(Project)).first() is None


def test_linking_existing_projects_as_produced_or_advanced(
    app, client, people, login, heads, add_trip, make
):
    trip = add_trip([heads["party"]], date(2025, 3, 3))
    lead = make.project(people["unit_a"], "已有线索", "甲公司")
    other = make.project(people["unit_b"], "在谈项目", "乙公司")
    login(people["leader"])  # a leader on the trip: may note what it advanced, not rewrite projects
    client.post(f"/trips/{trip.id}/projects", data={"project_id": lead.id, "relation": "produced"})
    assert _project(app, lead.id).trip_id is None
    client.post(
        f"/trips/{trip.id}/projects",
        data={"project_id": other.id, "relation": "advanced", "note": "推动签约"},
    )
    client.post("/logout")
    login(people["bureau"])
    client.post(f"/trips/{trip.id}/projects", data={"project_id": lead.id, "relation": "produced"})
    assert _project(app, lead.id).trip_id == trip.id
    page = client.get(f"/trips/{trip.id}").get_data(as_text=True)
    assert "已有线索" in page and "在谈项目" in page and "推动签约" in page
    client.post(f"/trips/{trip.id}/projects/{other.id}/unlink")
    with app.app_context():
        assert db.session.execute(select(TripProject)).first() is None


def test_a_trips_yield_and_the_mark_after_ninety_days(
    app, client, people, login, heads, add_trip, make
):
    fruitful = add_trip([heads["party"]], date(2025, 2, 3), city="深圳市")
    add_trip([heads["government"]], date(2025, 2, 17), city="宁波市", province="浙江省")
    project = make.project(
        people["unit_a"],
        "电池项目",
        "某电池公司",
        source="领导外出招商",
        trip_id=fruitful.id,
        lead_on=date(2025, 2, 10),
        signed_on=date(2025, 4, 1),
        contract_investment=wan_to_yuan(Decimal("15000")),
    )
    for amount, status in (("3000", "verified"), ("500", "pending")):
        make.add(
            FundsEntry(project_id=project.id, received_on=date(2025, 5, 1),
                       amount=wan_to_yuan(Decimal(amount)), origin="国内省外",
                       use="固定资产投资", evidence_ref=f"Y{amount}",
                       evidence_key=evidence_key(f"Y{amount}"), status=status)
        )  # fmt: skip
    login(people["bureau"])
    page = client.get("/trips/yields?year=2025").get_data(as_text=True)
    row = page.split("深圳市")[1].split("</tr>")[0]
    assert ">1<" in row and "15,000.00" in row and "3,000.00" in row and "有成果" in row
    barren = page.split("宁波市")[1].split("</tr>")[0]
    assert "90天内无成果" in barren
    only = client.get("/trips/yields?year=2025&barren=1").get_data(as_text=True)
    assert "宁波市" in only and "深圳市" not in only


def test_a_recent_trip_without_projects_is_still_waiting(
    app, client, people, login, heads, add_trip
):
    with app.app_context():
        from app.core.dates import today

        start = today() - timedelta(days=30)
    add_trip([heads["party"]], start, city="厦门市", province="福建省")
    login(people["bureau"])
    page = client.get(f"/trips/yields?year={start.year}").get_data(as_text=True)
    assert "待观察" in page.split("厦门市")[1].split("</tr>")[0]
