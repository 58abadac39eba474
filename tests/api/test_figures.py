"""Every figure endpoint answers what the dashboard shows for the same fixture and period."""

from __future__ import annotations

from datetime import date

import pytest

from app.auth.models import User
from app.core import scoping
from app.extensions import db
from app.reports import dashboard
from app.reports.figures.period import Period

W = 10_000  # 元 per 万元


@pytest.fixture
def fixture(make, people):
    """Year 2026, month 6 (as tests/reports/test_dashboard.py): signed in 1—6月 p1, p2, p4."""
    a, b = people["unit_a"], people["unit_b"]
    p1 = make.project(a, name="甲项目", investor="甲公司", signed_on=date(2026, 2, 10),
                      contract_investment=1000 * W, registered_on=date(2026, 3, 1),
                      started_on=date(2026, 5, 1), planned_investment=20_000 * W)  # fmt: skip
    p2 = make.project(a, name="乙项目", investor="乙公司", signed_on=date(2026, 3, 5),
                      contract_investment=3000 * W, registered_on=date(2026, 4, 1))  # fmt: skip
    p4 = make.project(b, name="丁项目", investor="丁公司", signed_on=date(2026, 1, 20),
                      contract_investment=2000 * W, dropped_on=date(2026, 4, 1),
                      drop_reason="投资方撤回", started_on=date(2025, 12, 1))  # fmt: skip
    make.project(a, name="线索项目", investor="庚公司", lead_on=date(2025, 1, 2))
    make.funds_entry(p1, "500", received_on=date(2026, 3, 15))
    make.funds_entry(p2, "200", received_on=date(2026, 7, 1))
    make.funds_entry(p4, "100", status="pending", received_on=date(2026, 2, 1))
    make.target(a, 2026, funds_total="2000")
    return {"p1": p1, "p2": p2, "p4": p4}


def _board(app, user_record, year=2026, month=6):
    with app.app_context():
        user = db.session.get(User, user_record.id)
        scoping.set_actor(db.session, user)
        return dashboard.build(user, Period(year, month))


@pytest.mark.parametrize("role", ["bureau", "leader", "admin", "unit"])
def test_landed_rate_and_funnel_equal_the_dashboard(app, api_as, people, fixture, role):
    board = _board(app, people[role])
    api = api_as(people[role])
    landed = api.get("/figures/landed-rate?year=2026&month=6").get_json()
    cohort = board.cohort
    assert landed["signed"] == cohort.signed
    assert landed["landed"] == cohort.landed
    assert landed["landed_rate"] == (
        str(cohort.landed_rate) if cohort.landed_rate is not None else None
    )
    assert landed["registered_rate"] == str(cohort.stage_rate("registered"))
    assert landed["funds_rate"] == str(cohort.funds_rate)
    funnel = api.get("/figures/funnel?year=2026&month=6").get_json()
    assert [s["reached"] for s in funnel["stages"]] == [s.reached for s in cohort.funnel.stages]
    assert funnel["dropped"] == cohort.funnel.dropped


def test_the_bureaus_figures_are_the_hand_computed_ones(api_as, people, fixture):
    api = api_as(people["bureau"])
    landed = api.get("/figures/landed-rate?year=2026&month=6").get_json()
    assert (landed["signed"], landed["landed"], landed["landed_rate"]) == (3, 2, "66.7")
    assert landed["signed_contract"] == "6000.00"
    funds = api.get("/figures/funds?year=2026&month=6").get_json()
    assert funds["funds_received"] == "500.00"  # pending and July excluded
    assert funds["months"][2] == "500.00"


def test_funds_and_targets_equal_the_dashboard(app, api_as, people, fixture):
    board = _board(app, people["bureau"])
    api = api_as(people["bureau"])
    funds = api.get("/figures/funds?year=2026&month=6").get_json()
    assert funds["funds_received"] == f"{board.funds_received / W:.2f}"
    assert funds["target"]["rate"] == str(board.funds_figure.rate)
    assert funds["target"]["light"] == board.funds_figure.light
    table = api.get("/figures/targets?year=2026&month=6").get_json()
    assert [r["unit_id"] for r in table["rows"]] == [r.unit_id for r in board.table.rows]
    assert [r["rank"] for r in table["rows"]] == [r.rank for r in board.table.rows]
    assert table["time_progress"] == str(board.table.time_progress)


def test_trips_and_stalled_equal_the_dashboard(app, api_as, people, fixture):
    board = _board(app, people["bureau"])
    api = api_as(people["bureau"])
    trips = api.get("/figures/trips?year=2026&month=6").get_json()
    assert len(trips["leaders"]) == len(board.compliance)
    stalled = api.get("/figures/stalled").get_json()
    assert stalled["stalled"] == _board(app, people["bureau"], 2026, 10).attention.stalled
    assert stalled["not_started"] == board.attention.not_started


def test_a_unit_user_gets_only_their_unit(api_as, people, fixture):
    own = api_as(people["unit"])
    landed = own.get("/figures/landed-rate?year=2026&month=6").get_json()
    assert landed["signed"] == 2  # p1 and p2; p4 belongs to 北山镇
    assert (
        own.get(f"/figures/funnel?year=2026&month=6&unit_id={people['unit_b'].id}").status_code
        == 404
    )
    other = api_as(people["other_unit"]).get("/figures/landed-rate?year=2026&month=6").get_json()
    assert other["signed"] == 1


def test_the_bureau_can_cut_a_figure_to_one_unit(api_as, people, fixture):
    cut = api_as(people["bureau"]).get(
        f"/figures/landed-rate?year=2026&month=6&unit_id={people['unit_b'].id}"
    )
    assert cut.get_json()["signed"] == 1


@pytest.mark.parametrize("query", ["year=2027&month=1", "month=13", "year=abc", "colour=1"])
def test_impossible_periods_are_refused(api_as, people, query):
    response = api_as(people["bureau"]).get(f"/figures/landed-rate?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["message"]


def test_the_default_period_is_the_last_month_that_ended(api_as, people):
    body = api_as(people["bureau"]).get("/figures/funds").get_json()
    assert (body["period"]["year"], body["period"]["month"]) == (2026, 10)


def test_the_auditor_gets_no_figures(api_as, people):
    assert api_as(people["auditor"]).get("/figures/funds").status_code == 403
