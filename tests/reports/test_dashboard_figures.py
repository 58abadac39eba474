"""The dashboard's funds and attention figures agree with the lists behind them: entries of a
merged-away project count nowhere, per-origin achievement counts its origin only, and the
stalled and overdue counts are the lengths of their lists."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import lxml.html
import pytest
from sqlalchemy import update

from app.care.models import Commitment, Problem
from app.core.pagination import count as count_rows
from app.extensions import db
from app.funds.queries import LedgerFilters
from app.projects.models import Project
from app.reports.dashboard import build
from app.reports.figures import attention, cohort, funds, targets
from app.reports.figures.period import Period
from tests.reports.conftest import BUREAU

W = 10_000  # 元 per 万元
ON = date(2026, 11, 22)


def _merged_away(app, project) -> None:
    """Soft-delete a project as a merge does (its entries stay in the ledger)."""
    with app.app_context():
        db.session.execute(
            update(Project).where(Project.id == project.id).values(deleted_at=datetime(2026, 6, 1))
        )
        db.session.commit()


def test_entries_of_a_merged_away_project_count_in_no_funds_figure(app, make, people, in_request):
    a, b = people["unit_a"], people["unit_b"]
    live = make.project(a, "甲项目", "甲公司", signed_on=date(2026, 2, 1))
    gone = make.project(b, "乙项目", "乙公司", signed_on=date(2026, 2, 1))
    make.funds_entry(live, "300", received_on=date(2026, 3, 5))
    make.funds_entry(live, "40", received_on=date(2025, 7, 9))
    make.funds_entry(gone, "500", received_on=date(2026, 3, 5))
    make.funds_entry(gone, "60", received_on=date(2025, 7, 9))
    make.target(a, 2026, funds_total="1000")
    make.target(b, 2026, funds_total="1000")
    _merged_away(app, gone)

    board = in_request(build, BUREAU, Period(2026, 10), ON)
    assert board.funds_months[2] == 300 * W and board.funds_received == 300 * W
    assert board.funds_months_previous[6] == 40 * W
    by_unit = {r.unit_id: r.funds.achieved for r in board.table.rows}
    assert by_unit[a.id] == 300 * W and by_unit[b.id] == 0
    report = in_request(funds.by_unit, BUREAU, LedgerFilters(year=2026, month_from=1, month_to=10))
    ledger = {int(line.key): line.amount for line in report if line.amount}
    assert ledger == {unit_id: amount for unit_id, amount in by_unit.items() if amount}


def test_an_origin_target_counts_the_funds_of_that_origin_only(make, people, in_request):
    a, b = people["unit_a"], people["unit_b"]
    p = make.project(a, "甲项目", "甲公司", signed_on=date(2026, 2, 1))
    q = make.project(b, "乙项目", "乙公司", signed_on=date(2026, 2, 1))
    make.funds_entry(p, "300", received_on=date(2026, 3, 5), origin="国内省外")
    make.funds_entry(p, "200", received_on=date(2026, 4, 5), origin="省内市外")
    make.funds_entry(p, "900", received_on=date(2026, 11, 5), origin="国内省外")  # after M
    make.funds_entry(q, "100", received_on=date(2026, 4, 5), origin="省内市外")
    make.target(a, 2026, funds_total="1000", funds_out_of_province="600")
    make.target(b, 2026, funds_total="1000")

    table = in_request(targets.target_table, BUREAU, 2026, 10)
    rows = {r.unit_id: r.figures for r in table.rows}
    assert rows[a.id]["funds_total"].achieved == 500 * W
    assert rows[a.id]["funds_out_of_province"].achieved == 300 * W
    assert rows[a.id]["funds_out_of_province"].rate == 50
    assert rows[b.id]["funds_out_of_province"].achieved == 0
    assert rows[b.id]["funds_total"].achieved == 100 * W


def test_the_stalled_count_is_the_length_of_the_stalled_list(make, people, in_request):
    a = people["unit_a"]
    old = ON - timedelta(days=400)
    make.project(a, "老线索", "甲公司", lead_on=old)
    make.project(a, "新线索", "乙公司", lead_on=ON - timedelta(days=3))
    make.project(a, "老洽谈", "丙公司", lead_on=old, negotiating_on=old)
    make.project(a, "老签约", "丁公司", lead_on=old, signed_on=old)
    make.project(a, "老开工", "戊公司", lead_on=old, signed_on=old, started_on=old)
    make.project(a, "投产", "己公司", lead_on=old, signed_on=old, operating_on=old)
    make.project(a, "终止", "庚公司", lead_on=old, dropped_on=old, drop_reason="撤回")

    def names():
        return {row.project.name for row in attention.stalled_projects(BUREAU, ON)}

    listed = in_request(names)
    assert listed == {"老线索", "老洽谈", "老签约", "老开工"}
    assert in_request(attention.count_stalled, BUREAU, ON) == len(listed)


def test_a_disabled_units_achievements_stay_in_the_district_total(app, make, people, in_request):
    """A unit disabled mid-year (merged into another) keeps its row while it has figures of
    the year, so 全区合计 equals the funds received the dashboard states."""
    gone = make.unit("原东关镇", active=False)
    p = make.project(people["unit_a"], "甲项目", "甲公司", signed_on=date(2026, 2, 1))
    q = make.project(gone, "乙项目", "乙公司", signed_on=date(2026, 3, 1))
    make.funds_entry(p, "300", received_on=date(2026, 3, 5))
    make.funds_entry(q, "200", received_on=date(2026, 4, 5))
    make.target(people["unit_a"], 2026, funds_total="1000")

    board = in_request(build, BUREAU, Period(2026, 10), ON)
    rows = {r.unit_name: r for r in board.table.rows}
    assert rows["原东关镇"].funds.achieved == 200 * W and rows["原东关镇"].target is None
    assert board.table.total.funds.achieved == board.funds_received == 500 * W
    assert board.table.total.figures["signed_count"].achieved == 2
    empty = in_request(build, BUREAU, Period(2024, 10), ON)  # no figures that year: no row
    assert "原东关镇" not in {r.unit_name for r in empty.table.rows}


def test_the_overdue_counts_are_the_lengths_of_the_overdue_lists(app, make, people, in_request):
    a, b = people["unit_a"], people["unit_b"]
    live = make.project(a, "甲项目", "甲公司", signed_on=date(2026, 2, 1))
    other = make.project(b, "乙项目", "乙公司", signed_on=date(2026, 2, 1))
    dropped = make.project(a, "丙项目", "丙公司", signed_on=date(2026, 2, 1),
                           dropped_on=date(2026, 5, 1), drop_reason="撤回")  # fmt: skip
    gone = make.project(a, "丁项目", "丁公司", signed_on=date(2026, 2, 1))
    past, due = ON - timedelta(days=5), ON
    owner = {live.id: a, other.id: b, dropped.id: a, gone.id: a}  # deadlines need a unit

    def problem(project, deadline, status="open", handling=None):
        make.add(Problem(project_id=project.id, category="水电气", description="供电未接入",
                         raised_on=date(2026, 1, 1), deadline=deadline, level=0, status=status,
                         handling_unit_id=(handling or owner[project.id]).id,
                         resolved_on=date(2026, 2, 1) if status == "resolved" else None,
                         resolution="已接入" if status == "resolved" else None))  # fmt: skip

    def commitment(project, due_on, fulfilled_on=None):
        make.add(Commitment(project_id=project.id, promise="道路硬化", delivering_unit_id=a.id,
                            due_on=due_on, fulfilled_on=fulfilled_on))  # fmt: skip

    for project in (live, other, dropped, gone):
        problem(project, past)
        commitment(project, past)
    problem(live, due)  # a deadline of today is not overdue
    problem(live, None)
    problem(live, past, status="resolved")
    problem(other, past, handling=a)  # handed to unit A: in its scope
    commitment(live, due)
    commitment(live, past, fulfilled_on=date(2026, 6, 1))
    _merged_away(app, gone)

    unit_a = SimpleNamespace(role="unit", unit_id=a.id, is_authenticated=True, id=None)
    unit_b = SimpleNamespace(role="unit", unit_id=b.id, is_authenticated=True, id=None)
    for actor, problems, commitments in ((BUREAU, 3, 2), (unit_a, 2, 1), (unit_b, 2, 1)):
        listed = in_request(lambda who: count_rows(attention.overdue_problems(who, ON)), actor)
        assert listed == problems
        assert in_request(attention.count_overdue_problems, actor, ON) == listed
        listed = in_request(lambda who: count_rows(attention.overdue_commitments(who, ON)), actor)
        assert listed == commitments
        assert in_request(attention.count_overdue_commitments, actor, ON) == listed
    board = in_request(build, BUREAU, Period(2026, 10), ON)
    assert (board.attention.overdue_problems, board.attention.overdue_commitments) == (3, 2)


def _testid_text(html: str, testid: str) -> str:
    node = lxml.html.fromstring(html).xpath(f'//*[@data-testid="{testid}"]')[0]
    return " ".join(" ".join(node.itertext()).split())


def test_cohort_rates_at_exact_halves_round_half_up(client, people, login, make):
    """Sixteen signed, 625 万元 each: 1/16 landed = 6.25 %, 5/16 registered = 31.25 %, funds
    125 万元 of 10,000 = 1.25 %; half-even would show 6.2, 31.2 and 1.2."""
    signed = {"signed_on": date(2026, 2, 1), "contract_investment": 625 * W}
    landed = make.project(people["unit_a"], "落地项目", "甲公司", **signed,
                          registered_on=date(2026, 3, 1), started_on=date(2026, 4, 1))  # fmt: skip
    for i in range(15):
        registered = {"registered_on": date(2026, 3, 1)} if i < 4 else {}
        make.project(people["unit_a"], f"签约项目{i}", f"乙公司{i}", **signed, **registered)
    make.funds_entry(landed, "125", received_on=date(2026, 5, 1))
    login(people["bureau"])
    html = client.get("/dashboard?year=2026&month=10").get_data(as_text=True)
    kpi = _testid_text(html, "kpi-landed")
    assert kpi.startswith("签约落地率") and "6.3%" in kpi and "按金额 6.3%" in kpi
    assert _testid_text(html, "rate-registered") == "31.3%"
    assert _testid_text(html, "rate-started") == "6.3%"
    assert _testid_text(html, "rate-funds") == "1.3%"


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(1, 16, "6.3"), (5, 16, "31.3"), (1, 80, "1.3"), (1, 400, "0.3"), (1, 2000, "0.1"),
     (3, 16, "18.8"), (1, 3, "33.3"), (2, 3, "66.7"), (0, 7, "0.0"), (7, 7, "100.0")],
)  # fmt: skip
def test_the_cohort_rate_rounds_exact_halves_up(part, whole, shown):
    assert cohort.rate(part, whole) == Decimal(shown)
    assert str(cohort.rate(part, whole)) == shown  # one decimal, always


def test_the_cohort_rate_of_nothing_signed_is_none():
    assert cohort.rate(0, 0) is None and cohort.rate(3, 0) is None


def test_the_landed_stage_is_a_setting_and_an_unknown_one_means_started(
    app, client, people, login, make
):
    signed = {"signed_on": date(2026, 2, 1), "contract_investment": 100 * W}
    make.project(people["unit_a"], "注册项目", "甲公司", **signed, registered_on=date(2026, 3, 1))
    make.project(people["unit_a"], "签约项目", "乙公司", **signed)
    login(people["bureau"])
    shown = {}
    for setting in ("registered", "started", "bogus", None):
        if setting is None:
            app.config.pop("LANDED_STAGE", None)
        else:
            app.config["LANDED_STAGE"] = setting
        html = client.get("/dashboard?year=2026&month=10").get_data(as_text=True)
        shown[setting] = _testid_text(html, "kpi-landed")
    assert "以注册为落地" in shown["registered"] and "50.0%" in shown["registered"]
    for setting in ("started", "bogus", None):
        assert "以开工为落地" in shown[setting] and "0.0%" in shown[setting], setting
