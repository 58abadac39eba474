"""Each hostile input of issues 18 and 19 by name: a Chinese message beside the field, a 4xx
or a page, never a 500, and nothing written on refusal (both databases)."""

from __future__ import annotations

import importlib.util
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.care.models import CareVisit
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.models import Project
from app.targets.models import Target
from app.trips.models import Trip, TripLeader
from tests.funds.conftest import entry_form
from tests.projects.conftest import form as project_form

TODAY = date(2026, 11, 19)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _beside(page: str, name: str) -> list[str]:
    """The messages shown beside one field."""
    field = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}".*?(?=<label|</form>)', page,
                      re.S)
    assert field, f"no field {name}"
    return re.findall(r'invalid-feedback[^>]*>([^<]+)<', field.group(0))


@pytest.fixture
def signed(make, people):
    return make.project(
        people["unit_a"], name="新能源电池项目", lead_on=TODAY - timedelta(200),
        signed_on=TODAY - timedelta(100), contract_investment=150_000_000,
    )


@pytest.mark.parametrize("name", ["unit_id", "leader_id", "event_id"])
def test_an_id_beyond_64_bits_is_refused_beside_its_field(app, client, people, login, name):
    login(people["bureau"])
    data = {**project_form(people["unit_a"].id), name: str(2**70)}
    page = client.post("/projects/new", data=data)
    assert page.status_code == 200
    assert _beside(page.text, name) == ["请从列表中选择"]
    assert _count(app, Project) == 0


def test_a_hidden_trip_id_beyond_64_bits_refuses_the_form(app, client, people, login):
    login(people["bureau"])
    page = client.post("/projects/new", data=project_form(people["unit_a"].id, trip_id="²"))
    assert page.status_code == 200 and _count(app, Project) == 0


@pytest.mark.parametrize("amount", [str(2**70), "9" * 400, "1,2,3", "²", "1_000"])
def test_an_unreadable_or_huge_planned_amount_is_refused_beside_it(
    app, client, people, login, amount
):
    login(people["bureau"])
    page = client.post("/projects/new", data=project_form(people["unit_a"].id, planned_wan=amount))
    assert page.status_code == 200 and _beside(page.text, "planned_wan")
    assert _count(app, Project) == 0


def test_a_ten_thousand_character_investor_is_refused_beside_it(app, client, people, login):
    login(people["bureau"])
    page = client.post(
        "/projects/new", data=project_form(people["unit_a"].id, investor_name="长" * 10_000)
    )
    assert _beside(page.text, "investor_name") == ["投资方最多 200 个字，请删减"]
    assert _count(app, Project) == 0


def test_an_over_long_evidence_reference_is_refused_not_cut(app, client, people, login, signed):
    login(people["unit"])
    page = client.post(f"/funds/new?project_id={signed.id}", data=entry_form(
        evidence_ref="Y" * 101))
    assert page.status_code == 200 and _count(app, FundsEntry) == 0
    assert "最多 100 个字，请删减" in page.text


def test_a_400_digit_correction_amount_is_refused(app, client, people, login, make, signed):
    entry = make.funds_entry(signed, status="verified", received_on=TODAY - timedelta(20))
    login(people["bureau"])
    page = client.post(
        f"/funds/{entry.id}/correct", data=entry_form(amount_wan="9" * 400, reason="录错")
    )
    assert page.status_code == 200 and _count(app, FundsEntry) == 1


def test_a_400_digit_target_cell_and_year_are_refused(app, client, people, login, make):
    unit = people["unit_a"]
    login(people["bureau"])
    grid = client.get("/targets/set?year=2026")
    assert grid.status_code == 200
    page = client.post("/targets/set?year=2026", data={
        f"v-{unit.id}": "", f"t-{unit.id}-signed_investment": "9" * 400,
        f"t-{unit.id}-signed_count": "9" * 400})
    assert page.status_code == 200 and _count(app, Target) == 0
    page = client.post("/targets/set?year=2026", data={
        f"v-{unit.id}": "", f"t-{unit.id}-signed_count": "²"})
    assert "“²”不是整数（个数）" in page.text and _count(app, Target) == 0
    page = client.post("/targets/import", data={"year": "9" * 400})
    assert page.status_code == 200 and "数字过大" in page.text


def test_a_planned_trip_ending_9999_12_31_is_refused(app, client, people, login, make):
    leader = make.leader("杨书记", "城关街道党工委书记", unit=people["unit_a"])
    login(people["unit"])
    page = client.post("/trips/new", data={
        "leader_ids": str(leader.id), "status": "planned", "started_on": "9999-12-25",
        "ended_on": "9999-12-31", "province": "广东省", "city": "深圳市"})
    assert page.status_code == 200 and _count(app, Trip) == 0
    assert any("不能晚于" in m for m in _beside(page.text, "ended_on"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-02-30", "不存在：2026年2月只有 28 天"),
        ("2026-13-01", "月份应为 1—12"),
        ("0001-01-01", "不能早于 2000-01-01"),
        ("9999-12-31", "不能晚于"),
        ("2026年3月", "无法识别"),
    ],
)
def test_impossible_dates_are_refused_in_chinese(app, client, people, login, signed, typed,
                                                 message):
    login(people["unit"])
    page = client.post(f"/care/projects/{signed.id}/visits/new", data={
        "visited_on": typed, "visitors": "李主任", "notes": "走访"})
    assert page.status_code == 200 and _count(app, CareVisit) == 0
    assert any(message in m for m in _beside(page.text, "visited_on")), _beside(
        page.text, "visited_on")


def test_a_nul_in_text_is_removed_before_it_is_stored(app, client, people, login, signed):
    login(people["unit"])
    typed = {"visited_on": "2026-11-18", "visitors": "李\x00主任",
             "notes": "用工\x00紧张\x07\r\n下一步"}
    response = client.post(f"/care/projects/{signed.id}/visits/new", data=typed)
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.execute(select(CareVisit)).scalar_one()
        assert (visit.visitors, visit.notes) == ("李主任", "用工紧张\r\n下一步")


@pytest.mark.parametrize(
    "url",
    [
        "/projects/?q=%00",
        "/projects/board?q=a%00b",
        "/funds/?q=%00",
        "/trips/?q=%00",
        "/leaders/?unit=²",
        "/leaders/?q=%00",
        "/projects/?page=²",
    ],
)
def test_odd_query_strings_answer_a_page(client, people, login, url):
    login(people["bureau"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=2026-02-30"])
@pytest.mark.parametrize("page", ["/audit/history", "/audit/security"])
def test_audit_dates_at_the_ends_of_the_calendar_answer_a_page(client, people, login, page,
                                                               query):
    login(people["auditor"])
    assert client.get(f"{page}?{query}").status_code == 200


def test_a_nul_in_the_login_form_is_a_refused_login_not_a_500(client, people):
    response = client.post("/login", data={"username": "a\x00b", "password": "x\x00y"})
    assert response.status_code in (200, 401, 429)


def _migration(name: str):
    path = next(Path("migrations/versions").glob(f"*_{name}.py"))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_lists_a_stored_trip_ending_9999_12_31(app, make, people):
    leader = make.leader()
    trip = Trip(status="planned", started_on=date(9999, 12, 25), ended_on=date(9999, 12, 31),
                province="广东省", city="深圳市")
    trip.leader_links = [TripLeader(leader_id=leader.id)]
    trip = make.add(trip)
    make.project(people["unit_a"], lead_on=date(1, 1, 1))
    listing = _migration("list_out_of_range_dates")
    with app.app_context(), db.engine.connect() as connection:
        found = listing.out_of_range(connection, date(2000, 1, 1), date(2031, 11, 19))
    assert ("trips", "started_on", [trip.id]) in found and ("trips", "ended_on", [trip.id]) in found
    assert any(table == "projects" and column == "lead_on" for table, column, _ in found)
