"""The completion table through HTTP: the figures at their edges, ranking and the boards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from app.reports.figures import targets as figures
from tests.targets.conftest import rate_text


def test_the_speech_example_two_months_at_4_87_percent_is_11_80_points_behind_and_red(
    people, login, add_target, signed, add_funds, table
):
    # "今年前两个月完成大项目投资落后时间进度11.8个百分点": 16.666… % − 4.87 % = 11.796… points
    # at M = 2, shown to two decimals (FIGURE_DECIMALS) as 11.80.
    add_target(people["unit_a"], 2025, funds_total="10000")
    project = signed(people["unit_a"], date(2025, 1, 20))
    add_funds(project, "487", date(2025, 2, 14))
    add_funds(project, "300", date(2025, 3, 2))  # after the period: not counted
    add_funds(project, "50", date(2025, 2, 20), status="pending")  # not verified: not counted
    login(people["bureau"])
    row = table(2025, 2)["城关街道"]
    assert rate_text(row, "funds_total") == "4.87%"
    assert row["funds_total-lag"] == "落后11.80"
    assert row["funds_total-light"] == "red"
    assert "完成全年目标任务的4.87%，落后时间进度11.80个百分点" in row["funds_total-title"]


@pytest.mark.parametrize("app_config", [{"FIGURE_DECIMALS": 1}])
def test_with_figure_decimals_one_rates_lags_and_time_progress_show_one_decimal(
    people, login, add_target, signed, add_funds, table, client, app_config
):
    # The speech example again: 4.87 % shown 4.9 %, 11.796… points shown 11.8, 16.666… % 16.7 %;
    # 39.96 % at M = 6 is 10.04 points behind, shown 10.0: yellow on the value as shown.
    add_target(people["unit_a"], 2025, funds_total="10000")
    add_funds(signed(people["unit_a"], date(2025, 1, 20)), "487", date(2025, 2, 14))
    add_target(people["unit_b"], 2025, funds_total="2500")
    add_funds(signed(people["unit_b"], date(2025, 1, 5)), "999", date(2025, 2, 5))
    login(people["bureau"])
    rows = table(2025, 2)
    assert rate_text(rows["城关街道"], "funds_total") == "4.9%"
    assert rows["城关街道"]["funds_total-lag"] == "落后11.8"
    title = rows["城关街道"]["funds_total-title"]
    assert "完成全年目标任务的4.9%，落后时间进度11.8个百分点" in title
    assert "时间进度 16.7%" in client.get("/targets/?year=2025&month=2").get_data(as_text=True)
    row = table(2025, 6)["北山镇"]
    assert rate_text(row, "funds_total") == "40.0%"  # 39.96 % half-up to one decimal
    assert row["funds_total-lag"] == "落后10.0"
    assert row["funds_total-light"] == "yellow"


def test_time_progress_is_shown_with_two_decimals(people, login, client):
    login(people["bureau"])
    page = client.get("/targets/?year=2025&month=2").get_data(as_text=True)
    assert "时间进度 16.67%" in page
    page = client.get("/targets/?year=2025&month=10").get_data(as_text=True)
    assert "时间进度 83.33%" in page


def test_ahead_of_time_is_written_as_the_published_reports_do(
    people, login, add_target, signed, add_funds, table
):
    # "完成全年目标任务的125.64%,超进度42.31%" at M = 10: 83.333… − 125.64 = −42.306… points.
    add_target(people["unit_a"], 2025, funds_total="100")
    add_funds(signed(people["unit_a"], date(2025, 3, 1)), "125.64", date(2025, 9, 30))
    login(people["bureau"])
    row = table(2025, 10)["城关街道"]
    assert rate_text(row, "funds_total") == "125.64%"
    assert row["funds_total-lag"] == "超42.31"
    assert row["funds_total-light"] == "green"
    assert "完成全年目标任务的125.64%，超进度42.31个百分点" in row["funds_total-title"]


def test_a_zero_or_missing_target_shows_a_dash_and_no_light(
    people, login, add_target, signed, table
):
    add_target(people["unit_a"], 2025, signed_count=0, funds_total="0")
    signed(people["unit_a"], date(2025, 4, 1))
    login(people["bureau"])
    rows = table(2025, 6)
    for unit in ("城关街道", "北山镇"):  # a zero target, and no target at all
        for key in ("signed_count", "funds_total", "started_count"):
            assert rate_text(rows[unit], key) == "—", (unit, key)
            assert rows[unit][f"{key}-lag"] == "—"
            assert rows[unit][f"{key}-light"] == ""
    assert rows["城关街道"]["rank"] == ""  # no funds target: not ranked


def test_nothing_signed_against_a_target_is_zero_percent_not_an_error(
    people, login, add_target, table
):
    add_target(people["unit_a"], 2025, signed_count=4)
    login(people["bureau"])
    row = table(2025, 6)["城关街道"]
    assert rate_text(row, "signed_count") == "0.00%"
    assert row["signed_count-lag"] == "落后50.00"
    assert row["signed_count-light"] == "red"


def test_a_lag_of_exactly_zero_is_green(people, login, add_target, signed, table):
    add_target(people["unit_a"], 2025, signed_count=4)
    signed(people["unit_a"], date(2025, 2, 1))
    signed(people["unit_a"], date(2025, 6, 30))
    signed(people["unit_a"], date(2025, 7, 1))  # after June: not in 1—6月
    login(people["bureau"])
    row = table(2025, 6)["城关街道"]
    assert rate_text(row, "signed_count") == "50.00%"
    assert row["signed_count-lag"] == "持平"
    assert row["signed_count-light"] == "green"


def test_a_lag_of_exactly_ten_is_yellow_and_more_is_red(
    people, login, add_target, signed, add_funds, table, make
):
    # M = 6, time progress 50 %, LIGHT_YELLOW_MAX_LAG 10.
    third = make.unit("南湖园区")
    add_target(people["unit_a"], 2025, signed_count=10, funds_total="1000")
    for month in (1, 2, 3, 4):
        signed(people["unit_a"], date(2025, month, 10))  # 40 %: exactly 10.00 behind
    add_funds(signed(people["unit_b"], date(2025, 1, 5)), "399", date(2025, 5, 5))
    add_target(people["unit_b"], 2025, funds_total="1000")  # 39.9 %: 10.10 behind
    add_funds(signed(third, date(2025, 1, 5)), "3999", date(2025, 5, 5))
    add_target(third, 2025, funds_total="10000")  # 39.99 %: 10.01 behind
    login(people["bureau"])
    rows = table(2025, 6)
    assert rate_text(rows["城关街道"], "signed_count") == "40.00%"
    assert rows["城关街道"]["signed_count-lag"] == "落后10.00"
    assert rows["城关街道"]["signed_count-light"] == "yellow"
    assert rows["北山镇"]["funds_total-lag"] == "落后10.10"
    assert rows["北山镇"]["funds_total-light"] == "red"
    assert rate_text(rows["南湖园区"], "funds_total") == "39.99%"
    assert rows["南湖园区"]["funds_total-lag"] == "落后10.01"
    assert rows["南湖园区"]["funds_total-light"] == "red"


def test_the_light_follows_the_lag_as_shown(people, login, add_target, signed, add_funds, table):
    # 39.996 % at M = 6 is 10.004 points behind, shown as 10.00: yellow, never a red "10.00";
    # 39.96 % is 10.04 behind, shown as such: red.
    add_target(people["unit_a"], 2025, funds_total="25000")
    add_funds(signed(people["unit_a"], date(2025, 1, 5)), "9999", date(2025, 5, 5))
    add_target(people["unit_b"], 2025, funds_total="2500")
    add_funds(signed(people["unit_b"], date(2025, 1, 5)), "999", date(2025, 5, 5))
    login(people["bureau"])
    rows = table(2025, 6)
    row = rows["城关街道"]
    assert rate_text(row, "funds_total") == "40.00%"
    assert row["funds_total-lag"] == "落后10.00"
    assert row["funds_total-light"] == "yellow"
    assert rate_text(rows["北山镇"], "funds_total") == "39.96%"
    assert rows["北山镇"]["funds_total-lag"] == "落后10.04"
    assert rows["北山镇"]["funds_total-light"] == "red"


def test_rates_and_lags_at_exact_halves_round_half_up_as_shown(
    people, login, add_target, signed, add_funds, table, make
):
    # M = 6 (time progress 50 %): ties at the third decimal. Half-even would show 0.12 %,
    # 落后49.86, 50.24 % and 超0.24.
    third = make.unit("南湖园区")
    for unit, target, funds in (
        (people["unit_a"], "800", "1"),  # 0.125 %: 0.13 %
        (people["unit_b"], "20000", "27"),  # 0.135 %: lag 49.865 points, 落后49.87
        (third, "20000", "10049"),  # 50.245 %: lag −0.245 points, 超0.25
    ):
        add_target(unit, 2025, funds_total=target)
        add_funds(signed(unit, date(2025, 1, 5)), funds, date(2025, 5, 5))
    login(people["bureau"])
    rows = table(2025, 6)
    assert rate_text(rows["城关街道"], "funds_total") == "0.13%"
    assert rate_text(rows["北山镇"], "funds_total") == "0.14%"
    assert rows["北山镇"]["funds_total-lag"] == "落后49.87"
    assert rate_text(rows["南湖园区"], "funds_total") == "50.25%"
    assert rows["南湖园区"]["funds_total-lag"] == "超0.25"
    assert rows["南湖园区"]["funds_total-light"] == "green"


def test_the_thresholds_are_settings(app, people, login, add_target, signed, table):
    app.config["LIGHT_YELLOW_MAX_LAG"] = 5
    add_target(people["unit_a"], 2025, signed_count=10)
    for month in (1, 2, 3, 4):
        signed(people["unit_a"], date(2025, month, 10))
    login(people["bureau"])
    assert table(2025, 6)["城关街道"]["signed_count-light"] == "red"


def test_signed_investment_big_and_started_count_what_the_period_holds(
    people, login, add_target, signed, make, table
):
    add_target(people["unit_a"], 2025, signed_investment="30000", big_count=2, started_count=2)
    signed(people["unit_a"], date(2025, 2, 1), contract="12000", planned="15000")  # 亿元以上
    signed(people["unit_a"], date(2025, 3, 1), contract="8000", planned="9999.99")
    signed(people["unit_a"], date(2025, 3, 5), contract="5000", dropped_on=date(2025, 4, 1))
    signed(people["unit_a"], date(2024, 12, 30), contract="7000", started_on=date(2025, 2, 2))
    login(people["bureau"])
    row = table(2025, 3)["城关街道"]
    assert rate_text(row, "signed_investment") == "83.33%"  # 25,000 / 30,000, dropped included
    assert rate_text(row, "big_count") == "50.00%"
    assert rate_text(row, "started_count") == "50.00%"  # started in 2025, signed in 2024


def test_units_are_ranked_by_funds_rate_then_amount_and_equal_ones_share_a_place(
    make, people, login, add_target, signed, add_funds, table
):
    names = ["甲镇", "乙镇", "丙镇", "丁镇"]
    units = {n: make.unit(n) for n in names}
    # 甲 and 乙 both 50 %, 乙 with more money; 丙 and 丁 equal in rate and amount.
    for name, target, got in (("甲镇", "1000", "500"), ("乙镇", "2000", "1000"),
                              ("丙镇", "1000", "300"), ("丁镇", "1000", "300")):  # fmt: skip
        add_target(units[name], 2025, funds_total=target)
        add_funds(signed(units[name], date(2025, 1, 2)), got, date(2025, 3, 3))
    login(people["bureau"])
    rows = table(2025, 12)
    ranks = {n: rows[n]["rank"].split()[0] for n in names}
    assert ranks == {"乙镇": "1", "甲镇": "2", "丙镇": "3", "丁镇": "3"}


def test_the_red_list_is_the_top_three_and_the_black_list_the_bottom_three(
    make, people, login, add_target, signed, add_funds, client
):
    for i, got in enumerate(["900", "800", "700", "600", "500", "400", "300"]):
        unit = make.unit(f"第{i + 1}镇")
        add_target(unit, 2025, funds_total="1000")
        add_funds(signed(unit, date(2025, 1, 2)), got, date(2025, 3, 3))
    login(people["bureau"])
    page = client.get("/targets/?year=2025&month=12").get_data(as_text=True)
    red = page.split('data-testid="red-board"')[1].split("</div></div></div>")[0]
    black = page.split('data-testid="black-board"')[1].split("</div></div></div>")[0]
    assert [n in red for n in ("第1镇", "第2镇", "第3镇", "第4镇")] == [True, True, True, False]
    assert [n in black for n in ("第4镇", "第5镇", "第6镇", "第7镇")] == [False, True, True, True]
    assert black.index("第7镇") < black.index("第5镇")  # worst first


def test_when_everyone_is_tied_nobody_is_on_either_list(people, login, add_target, client):
    for unit in (people["unit_a"], people["unit_b"]):
        add_target(unit, 2025, funds_total="1000")
    login(people["bureau"])
    page = client.get("/targets/?year=2025&month=12").get_data(as_text=True)
    red = page.split('data-testid="red-board"')[1].split("</div></div></div>")[0]
    assert "城关街道" not in red and "完成率并列" in red


def test_units_holding_a_target_but_reporting_no_project_are_listed_apart(
    make, people, login, add_target, client
):
    third = make.unit("南湖街道")
    for unit in (people["unit_a"], people["unit_b"], third):
        add_target(unit, 2025, signed_count=3)
    make.project(people["unit_a"], "新线索", "某公司", lead_on=date(2025, 5, 1))
    make.project(people["unit_b"], "去年的线索", "另一公司", lead_on=date(2024, 11, 1))
    login(people["bureau"])
    page = client.get("/targets/?year=2025&month=12").get_data(as_text=True)
    silent = page.split('data-testid="silent"')[1].split("</div></div></div>")[0]
    assert "3 个有目标任务的单位仅有 <strong>1</strong> 个提报了项目" in silent
    assert "北山镇" in silent and "南湖街道" in silent and "城关街道" not in silent


def test_each_achieved_figure_links_to_the_records_behind_it(
    people, login, add_target, signed, client
):
    add_target(people["unit_a"], 2025, signed_count=3)
    signed(people["unit_a"], date(2025, 2, 1))
    signed(people["unit_a"], date(2025, 8, 1))  # after the period
    signed(people["unit_b"], date(2025, 2, 1))  # another unit
    login(people["bureau"])
    page = client.get("/targets/?year=2025&month=6").get_data(as_text=True)
    unit_id = people["unit_a"].id
    link = f"/targets/records?unit_id={unit_id}&amp;year=2025&amp;month=6&amp;key=signed"
    assert link in page
    records = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "测试项目1" in records and "测试项目2" not in records and "测试项目3" not in records
    funds = f"/funds/?year=2025&amp;to=6&amp;unit_id={unit_id}&amp;status=verified"
    assert funds in page


def test_rates_are_exact_and_never_floats():
    assert figures.completion_rate(1, 3) == Decimal("33.33")
    assert figures.completion_rate(2, 3) == Decimal("66.67")
    assert figures.completion_rate(1, 8) == Decimal("12.50")
    assert figures.lag(1, 8, 3) == Decimal("12.50")  # 25 − 12.5 exactly
    assert figures.lag(1, 200, 3) == Decimal("24.50")  # 25 − 0.5
    assert figures.lag(1, 3, 1) == Decimal("-25.00")  # 8.333… − 33.333… exactly
    assert figures.lag(0, None, 3) is None and figures.completion_rate(5, 0) is None
    assert figures.time_progress(2) == Decimal("16.67")
    assert figures.round_half_up(Fraction(-1, 20), 1) == Decimal("-0.1")


def test_december_counts_the_first_and_last_day_of_the_year_and_not_a_day_more(
    people, login, add_target, signed, table
):
    add_target(people["unit_a"], 2025, signed_count=4)
    for on in (date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1), date(2024, 12, 31)):
        signed(people["unit_a"], on, lead_on=date(2024, 1, 1))
    login(people["bureau"])
    assert rate_text(table(2025, 12)["城关街道"], "signed_count") == "50.00%"  # 2 of 4


@pytest.mark.parametrize(
    ("month", "end"),
    [(1, date(2025, 2, 1)), (6, date(2025, 7, 1)), (11, date(2025, 12, 1)), (12, date(2026, 1, 1))],
)
def test_the_period_is_from_new_year_to_the_first_day_after_month_m(month, end):
    assert figures.period(2025, month) == (date(2025, 1, 1), end)


@pytest.mark.parametrize(
    ("exact", "places", "shown"),
    [
        (Fraction(1, 8), 2, "0.13"),  # half-even: 0.12
        (Fraction(1, 4), 1, "0.3"),
        (Fraction(-1, 4), 1, "-0.3"),  # away from zero
        (Fraction(5, 2), 0, "3"),
        (Fraction(-5, 2), 0, "-3"),
        (Fraction(249, 100), 1, "2.5"),
        (Fraction(0), 2, "0.00"),
    ],
)
def test_exact_halves_round_away_from_zero(exact, places, shown):
    assert str(figures.round_half_up(exact, places)) == shown
