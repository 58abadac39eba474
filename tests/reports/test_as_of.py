"""Every figure as of its period's end (docs/domain.md, "As of the period's end"): a 1—10月
figure does not move when a milestone or a funds entry dated 1 November arrives; each
funnel step's link lists exactly its count; the default period is the last month ended."""

from __future__ import annotations

import json
import re
from datetime import date

import lxml.html
import pytest

from app.extensions import db
from app.projects.models import Project
from app.reports import bulletin, snapshot
from app.reports.dashboard import build
from app.reports.figures.period import Period, last_ended, read_period
from tests.reports.conftest import BUREAU, OCTOBER


def _october(in_request) -> dict:
    def run():
        board = build(BUREAU, OCTOBER)
        return {
            "figures": {f.key: f.value for f in snapshot.key_figures(board)},
            "funnel": [(s.stage.key, s.reached, s.current) for s in board.cohort.funnel.stages],
            "table": [(r.unit_name, {k: f.achieved for k, f in r.figures.items()})
                      for r in board.table.rows],  # fmt: skip
            "paragraphs": bulletin.make_bulletin(BUREAU, OCTOBER).paragraphs[:2],
        }

    return in_request(run)


def test_november_changes_leave_every_october_figure_alone(app, make, district, in_request):
    before = _october(in_request)
    with app.app_context():  # p3 (signed 20 June) registers and starts on 1 November
        project = db.session.get(Project, district.p3.id)
        project.registered_on = date(2026, 11, 1)
        project.started_on = date(2026, 11, 1)
        db.session.commit()
    make.funds_entry(district.p3, "800", received_on=date(2026, 11, 1))
    make.funds_entry(district.p1, "300", received_on=date(2026, 11, 1))
    assert _october(in_request) == before
    november = in_request(lambda: build(BUREAU, Period(2026, 11)))
    assert november.cohort.landed == 2  # p1 and, from 1 November, p3
    assert november.cohort.funnel.reached("registered") == 3


def test_the_same_change_dated_in_october_moves_the_october_figures(
    app, make, district, in_request
):
    before = _october(in_request)
    with app.app_context():
        db.session.get(Project, district.p3.id).started_on = date(2026, 10, 31)
        db.session.commit()
    after = _october(in_request)
    assert after["figures"]["landed"] == before["figures"]["landed"] + 1


def _funnel_links(html: str) -> list[dict]:
    node = lxml.html.fromstring(html).xpath('//script[@id="dashboard-data"]')
    return json.loads(node[0].text)["funnel"]


def _total(client, url: str) -> int:
    page = client.get(url).get_data(as_text=True)
    return int(re.search(r'data-testid="total">(\d+)<', page).group(1))


def test_every_funnel_step_links_to_a_list_of_exactly_its_count(
    app, client, people, login, make, district
):
    with app.app_context():  # the ledger's milestones (the fixture writes entries directly)
        db.session.get(Project, district.p1.id).funded_on = date(2026, 3, 5)
        db.session.get(Project, district.p3.id).funded_on = date(2026, 7, 1)
        db.session.get(Project, district.p2.id).funded_on = date(2026, 11, 3)  # after October
        db.session.commit()
    # started without any funds: reached 开工 but not 资金到位 (stage_order >= 4 would count it)
    make.project(people["unit_a"], "未到位先开工", "先开工公司", signed_on=date(2026, 4, 1),
                 contract_investment=100_000_000, started_on=date(2026, 6, 1))  # fmt: skip
    login(people["bureau"])
    html = client.get("/dashboard?year=2026&month=10").get_data(as_text=True)
    steps = _funnel_links(html)
    assert {s["name"]: s["value"] for s in steps}["资金到位"] == 2  # p1 and p3, not p2 yet
    for step in steps:
        assert _total(client, step["url"]) == step["value"], step


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-12-02T09:00:00+08:00", (2026, 11)),
        ("2027-01-01T09:00:00+08:00", (2026, 12)),
        ("2026-12-31T23:30:00+08:00", (2026, 11)),
        ("2026-12-31T16:30:00+00:00", (2026, 12)),  # already 1 January in Shanghai
    ],
)
def test_the_default_period_is_the_last_month_that_has_ended(
    app, client, people, login, pinned_clock, moment, expected
):
    pinned_clock.move_to(moment)
    with app.app_context():
        assert (last_ended().year, last_ended().month) == expected
    login(people["bureau"])
    year, month = expected
    label = f"{year}年1—{month}月"
    assert label in client.get("/dashboard").get_data(as_text=True)
    assert label in client.get("/targets/").get_data(as_text=True)
    assert label in client.get("/bulletins/").get_data(as_text=True)


def test_the_current_month_is_one_click_away_and_labelled(client, people, login):
    login(people["bureau"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert "数据截至 2026年10月31日" in page
    link = lxml.html.fromstring(page).xpath('//a[@data-testid="to-date"]/@href')[0]
    current = client.get(link).get_data(as_text=True)
    assert "2026年1—11月" in current and "（本月至今）" in current
    assert "数据截至 2026年11月19日" in current


@pytest.mark.parametrize("query", ["year=2026&month=12", "year=2027&month=1", "year=1999&month=5"])
def test_a_future_or_too_early_period_gives_a_message_and_the_default(
    app, client, people, login, query
):
    with app.test_request_context():
        period, message = read_period(dict(p.split("=") for p in query.split("&")))
    assert (period.year, period.month) == (2026, 10) and "已显示2026年1—10月" in message
    login(people["bureau"])
    page = client.get(f"/dashboard?{query}").get_data(as_text=True)
    assert "已显示2026年1—10月" in page
