"""The key-project figures: completion, lag and light, the roll call, 亿元以上 and 已开工未入库,
counted as of the period's end and shown on the 台账 (docs/domain.md, "The key-project figures")."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.reports.figures import keyprojects as kf
from app.reports.figures.period import Period
from app.reports.figures.targets import GREEN, RED, YELLOW

BUREAU = SimpleNamespace(role="bureau", unit_id=None, is_authenticated=True, id=None)


def ledger_of(app, period: Period, actor=BUREAU) -> kf.KeyLedger:
    with app.app_context():
        return kf.key_ledger(actor, period)


def row_named(ledger: kf.KeyLedger, name: str) -> kf.KeyRow:
    return next(r for r in ledger.rows if r.key_project.name == name)


def test_two_months_at_four_point_eight_seven_percent_lag_eleven_point_eight_points(
    app, make, people, login
):
    kp = make.key_project(people["unit_a"], "城南污水处理厂", total_wan="20000",
                          plan_wan="10000")
    make.key_report(kp, 1, invested_wan="200")
    make.key_report(kp, 2, invested_wan="287")
    ledger = ledger_of(app, Period(2026, 2))
    row = row_named(ledger, "城南污水处理厂")
    assert row.completed == 487 * 10_000
    assert row.rate == Decimal("4.87")
    assert row.lag == Decimal("11.80")
    assert row.light == RED
    sentence = "前两个月完成投资落后时间进度11.80个百分点"
    assert kf.lag_sentence(ledger.total, ledger.period) == sentence
    page = login(people["bureau"]).get("/key-projects/figures/ledger?year=2026&month=2")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert sentence in text


def test_ahead_of_time_progress_is_written_as_over_progress(app, make, people):
    kp = make.key_project(people["unit_a"], total_wan="20000", plan_wan="12000")
    make.key_report(kp, 1, invested_wan="2000")
    make.key_report(kp, 2, invested_wan="1000")
    ledger = ledger_of(app, Period(2026, 2))
    assert ledger.total.rate == Decimal("25.00")
    assert kf.lag_sentence(ledger.total, ledger.period) == "前两个月完成投资超进度8.33个百分点"


@pytest.mark.parametrize(
    ("completed_wan", "lag", "light"),
    [
        ("5000", "0.00", GREEN),  # exactly on time progress
        ("4999", "0.01", YELLOW),  # just behind
        ("4000", "10.00", YELLOW),  # exactly the yellow maximum
        ("3999", "10.01", RED),  # beyond it
        ("6000", "-10.00", GREEN),  # ahead
    ],
)
def test_lag_and_light_at_the_boundaries(app, make, people, login, completed_wan, lag, light):
    kp = make.key_project(people["unit_a"], "边界项目", total_wan="20000", plan_wan="10000")
    make.key_report(kp, 6, invested_wan=completed_wan)  # M = 6: time progress 50 %
    row = row_named(ledger_of(app, Period(2026, 6)), "边界项目")
    assert row.lag == Decimal(lag)
    assert row.light == light
    assert ("slow" in row.flags) == (light == RED)
    text = login(people["bureau"]).get("/key-projects/figures/ledger?year=2026&month=6")
    row_html = text.get_data(as_text=True).split(f'data-key-project="{kp.id}"')[1].split("</tr>")[0]
    assert f'data-light="{light}"' in row_html


def test_a_project_without_an_annual_plan_has_no_rate_and_no_light(app, make, people):
    make.key_project(people["unit_a"], "前期项目", total_wan="5000", plan_wan="0",
                     category="前期")
    row = row_named(ledger_of(app, Period(2026, 10)), "前期项目")
    assert (row.rate, row.lag, row.light) == (None, None, None)
    assert "slow" not in row.flags


@pytest.fixture
def roll_call_district(make, people):
    """1—10月 (period end 31 October): 26 续建, 17 started; 18 新建, 5 started, 7 planned to start
    within 30 days after 31 October (1—30 November), 3 planned on 1 December (31 days: not
    soon), 3 without a planned date; 2 拟开工, 1 started; 1 前期. One 续建 started on 1 November
    is not started as of 31 October."""
    unit = people["unit_a"]
    end = date(2026, 10, 31)
    for i in range(26):
        started = date(2025, 6, 1) if i < 17 else (date(2026, 11, 1) if i == 17 else None)
        make.key_project(unit, f"续建{i}", category="续建", started_on=started,
                         programme="城中村改造工程" if i % 2 else "基础设施工程")
    for i in range(18):
        fields = {}
        if i < 5:
            fields = {"started_on": date(2026, 4, 1), "planned_start_on": date(2026, 3, 1)}
        elif i < 12:
            fields = {"planned_start_on": end + timedelta(days=1 + 4 * (i - 5))}  # up to +25
            if i == 11:
                fields = {"planned_start_on": end + timedelta(days=30)}
        elif i < 15:
            fields = {"planned_start_on": end + timedelta(days=31)}
        make.key_project(unit, f"新建{i}", category="新建", programme="产业项目工程", **fields)
    make.key_project(unit, "拟开工0", category="拟开工", started_on=date(2026, 9, 1))
    make.key_project(unit, "拟开工1", category="拟开工")
    make.key_project(unit, "前期0", category="前期")


def test_the_roll_call_is_counted_as_the_speeches_say_it(app, roll_call_district, people, login):
    ledger = ledger_of(app, Period(2026, 10))
    lines = {line.category: line for line in ledger.roll_call}
    assert (lines["续建"].count, lines["续建"].started, lines["续建"].not_started) == (26, 17, 9)
    assert (lines["新建"].count, lines["新建"].started, lines["新建"].soon) == (18, 5, 7)
    assert kf.roll_call_sentence(ledger) == (
        "去年结转的26个项目，17个已开工建设；18个新开工项目，5个已开始地基施工，7个将于近期开工；"
        "2个拟开工项目，1个已开工；1个前期项目"
    )
    assert kf.headline(ledger).startswith(
        "计划实施重点项目47项，其中续建26项、新建18项、拟开工2项、前期1项，总投资94亿元"
    )
    programme = {g.label: g for g in ledger.programmes}["产业项目工程"]
    assert programme.count == 18
    assert kf.programme_roll_call_sentence(ledger.programme_roll_call["产业项目工程"]) == (
        "18个新开工项目，5个已开始地基施工，7个将于近期开工"
    )
    page = login(people["bureau"]).get("/key-projects/figures/ledger?year=2026&month=10")
    spoken = ("去年结转的26个项目，17个已开工建设；"
              "18个新开工项目，5个已开始地基施工，7个将于近期开工")
    assert spoken in page.get_data(as_text=True)


def test_the_roll_call_sentence_leaves_out_the_categories_without_projects(app, make, people):
    make.key_project(people["unit_a"], "续建甲", category="续建", started_on=date(2025, 3, 1))
    make.key_project(people["unit_a"], "续建乙", category="续建")
    ledger = ledger_of(app, Period(2026, 10))
    assert kf.roll_call_sentence(ledger) == "去年结转的2个项目，1个已开工建设"
    assert kf.headline(ledger) == (
        "计划实施重点项目2项，其中续建2项，总投资4亿元，当年计划完成投资1.2亿元"
    )


def test_big_projects_and_started_but_not_in_statistics(app, make, people):
    unit = people["unit_a"]
    make.key_project(unit, "亿元项目", total_wan="10000", plan_wan="100",
                     started_on=date(2026, 3, 1), in_statistics=True)
    make.key_project(unit, "差一分", total_wan="9999.99", plan_wan="100",
                     started_on=date(2026, 3, 1))
    make.key_project(unit, "未开工", total_wan="30000", plan_wan="100")
    make.key_project(unit, "十一月开工", total_wan="100", plan_wan="10",
                     started_on=date(2026, 11, 2))
    ledger = ledger_of(app, Period(2026, 10))
    assert ledger.big_count == 2
    assert ledger.big_total == 40_000 * 10_000
    assert [r.key_project.name for r in ledger.unlisted] == ["差一分"]
    assert [r.key_project.name for r in kf.records(ledger, "big")] == ["亿元项目", "未开工"]


def test_figures_are_counted_as_of_the_period_end(app, make, people, login):
    """A report of month M + 1 changes none of the 1..M figures; other years never count."""
    kp = make.key_project(people["unit_a"], "城南污水处理厂", plan_wan="1200")
    make.key_report(kp, 9, invested_wan="100", progress="基础施工")
    make.key_report(kp, 10, invested_wan="200", progress="主体施工")
    make.key_report(kp, 12, invested_wan="999", progress="去年", year=2025)
    before = row_named(ledger_of(app, Period(2026, 10)), "城南污水处理厂")
    make.key_report(kp, 11, invested_wan="900", progress="主体封顶")
    after = row_named(ledger_of(app, Period(2026, 10)), "城南污水处理厂")
    assert (before.completed, before.month_invested, before.progress, before.rate, before.lag) == (
        after.completed, after.month_invested, after.progress, after.rate, after.lag)
    assert after.completed == 300 * 10_000
    assert after.month_invested == 200 * 10_000
    assert after.progress == "主体施工"
    november = row_named(ledger_of(app, Period(2026, 11)), "城南污水处理厂")
    assert november.completed == 1200 * 10_000
    assert november.progress == "主体封顶"
    assert november.light == GREEN


def test_groups_by_programme_unit_and_leader_add_up_to_the_total(app, make, people, login):
    leader = make.leader("王区长", "区长", head_kind="government")
    a, b = people["unit_a"], people["unit_b"]
    k1 = make.key_project(a, "甲", programme="工程一", plan_wan="1000", leader_id=leader.id)
    k2 = make.key_project(b, "乙", programme="工程一", plan_wan="3000", leader_id=leader.id)
    k3 = make.key_project(b, "丙", programme="工程二", plan_wan="2000")
    for kp, wan in ((k1, "500"), (k2, "1000"), (k3, "100")):
        make.key_report(kp, 10, invested_wan=wan)
    ledger = ledger_of(app, Period(2026, 10))
    assert ledger.total.count == 3
    assert ledger.total.completed == 1600 * 10_000
    assert ledger.total.rate == Decimal("26.67")
    programmes = {g.label: g for g in ledger.programmes}
    assert programmes["工程一"].completed == 1500 * 10_000
    assert programmes["工程一"].rate == Decimal("37.50")
    assert {g.label: g.count for g in ledger.units} == {"城关街道": 1, "北山镇": 2}
    assert {g.label: g.count for g in ledger.leaders} == {"王区长": 2, kf.NO_LEADER: 1}
    page = login(people["bureau"]).get("/key-projects/figures/ledger?year=2026&month=10")
    text = page.get_data(as_text=True)
    assert 'data-subtotal="工程一"' in text and 'data-subtotal="工程二"' in text
    assert "王区长" in text and "北山镇" in text


def test_a_bad_period_shows_the_default_with_a_message_not_an_error(make, people, login):
    client = login(people["bureau"])
    for query in ("year=abc&month=2", "year=2026&month=13", "year=2999&month=1",
                  "year=99999999999999999999999&month=1"):
        page = client.get(f"/key-projects/figures/ledger?{query}")
        assert page.status_code == 200
        assert "2026年1—10月重点项目台账" in page.get_data(as_text=True)


def test_the_default_period_is_the_last_ended_month(make, people, login):
    text = login(people["bureau"]).get("/key-projects/figures/ledger").get_data(as_text=True)
    assert "2026年1—10月重点项目台账" in text
    assert "数据截至 2026年10月31日" in text
