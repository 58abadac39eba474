"""Trip yields as of the chosen period's end: projects recorded, signings and verified funds
dated by that day (default: the last month that has ended), on the screen and in the export."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from app.core.money import wan_to_yuan
from app.funds.models import FundsEntry, evidence_key


@pytest.fixture
def yielded(make, people, heads, add_trip):
    """A September trip with one project signed in November and funds of 25 Nov and 1 Dec,
    one project recorded and signed on 1 December, and a trip that started on 1 December."""
    trip = add_trip([heads["party"]], date(2026, 9, 5), city="深圳市")
    add_trip([heads["government"]], date(2026, 12, 1), city="宁波市", province="浙江省")
    november = make.project(
        people["unit_a"], "电池项目", "某电池公司", source="领导外出招商", trip_id=trip.id,
        lead_on=date(2026, 9, 10), negotiating_on=date(2026, 9, 20), signed_on=date(2026, 11, 20),
        contract_investment=wan_to_yuan(Decimal("15000")),
    )  # fmt: skip
    make.project(
        people["unit_a"], "隔膜项目", "某隔膜公司", source="领导外出招商", trip_id=trip.id,
        lead_on=date(2026, 12, 1), negotiating_on=date(2026, 12, 1), signed_on=date(2026, 12, 1),
        contract_investment=wan_to_yuan(Decimal("5000")),
    )  # fmt: skip
    for amount, day, status in (
        ("3000", date(2026, 11, 25), "verified"),
        ("2000", date(2026, 12, 1), "verified"),
        ("700", date(2026, 11, 26), "pending"),  # never counted: not verified
    ):
        make.add(
            FundsEntry(project_id=november.id, received_on=day, amount=wan_to_yuan(Decimal(amount)),
                       origin="国内省外", use="固定资产投资", evidence_ref=f"T{amount}",
                       evidence_key=evidence_key(f"T{amount}"), status=status)
        )  # fmt: skip
    return trip


def _row(page: str, city: str) -> list[str]:
    row = page.split(city)[1].split("</tr>")[0]
    return [cell.split("<")[0] for cell in row.split('<td class="text-end">')[1:]]


@pytest.mark.clock("2026-12-02 10:00")
def test_the_default_period_counts_what_was_true_on_30_november(client, people, login, yielded):
    login(people["bureau"])
    page = client.get("/trips/yields").get_data(as_text=True)
    assert "2026年1—11月外出招商成效" in page
    assert "数据截至 2026年11月30日" in page
    assert _row(page, "深圳市") == ["1", "1", "15,000.00", "3,000.00"]
    assert "宁波市" not in page  # started in December: not a trip of 1—11月
    assert client.get("/trips/yields?year=2026").get_data(as_text=True).count("深圳市") >= 1


@pytest.mark.clock("2026-12-02 10:00")
def test_an_earlier_period_is_unchanged_by_later_signings_and_funds(client, people, login, yielded):
    login(people["bureau"])
    page = client.get("/trips/yields?year=2026&month=10").get_data(as_text=True)
    assert "数据截至 2026年10月31日" in page
    assert _row(page, "深圳市") == ["1", "0", "0.00", "0.00"]


@pytest.mark.clock("2026-12-02 10:00")
def test_the_current_month_to_date_counts_everything_so_far(client, people, login, yielded):
    login(people["bureau"])
    page = client.get("/trips/yields?year=2026&month=12").get_data(as_text=True)
    assert "数据截至 2026年12月2日（本月至今）" in page
    assert _row(page, "深圳市") == ["2", "2", "20,000.00", "5,000.00"]
    assert "宁波市" in page


@pytest.mark.clock("2026-12-02 10:00")
def test_a_future_or_unreadable_period_shows_a_message_and_the_default(
    client, people, login, yielded
):
    login(people["bureau"])
    for query in ("year=2027&month=1", "year=1999&month=3", "year=2026&month=13", "month=x"):
        response = client.get(f"/trips/yields?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert "已显示2026年1—11月" in page and "数据截至 2026年11月30日" in page, query


@pytest.mark.clock("2026-12-02 10:00")
def test_the_export_counts_as_of_the_same_day_as_the_screen(client, people, login, yielded):
    login(people["bureau"])
    response = client.get("/exports/trips?year=2026&month=10")
    assert response.status_code == 200
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None, header=None,
                           dtype=object, engine="calamine")  # fmt: skip
    yields = sheets["外出成效"]
    assert "数据截至 2026-10-31" in str(yields.iloc[1, 0])
    trip_row = yields.iloc[3].tolist()
    assert trip_row[4] == "广东省 深圳市"
    assert [int(trip_row[6]), int(trip_row[7]), float(trip_row[8]), float(trip_row[9])] == [
        1, 0, 0.0, 0.0
    ]  # fmt: skip
    november = client.get("/exports/trips?year=2026&month=11")
    row = pd.read_excel(io.BytesIO(november.data), sheet_name="外出成效", header=None,
                        dtype=object, engine="calamine").iloc[3].tolist()  # fmt: skip
    assert [int(row[6]), int(row[7]), float(row[8]), float(row[9])] == [1, 1, 15000.0, 3000.0]


@pytest.mark.clock("2026-12-02 10:00")
def test_another_units_user_sees_no_yield_from_projects_of_other_units(
    client, people, login, yielded
):
    login(people["other_unit"])
    page = client.get("/trips/yields").get_data(as_text=True)
    assert "15,000.00" not in page and "3,000.00" not in page and "数据截至 2026年11月30日" in page


@pytest.mark.clock("2026-12-02 10:00")
def test_a_leader_reads_the_same_yields(client, people, login, yielded):
    login(people["leader"])
    page = client.get("/trips/yields").get_data(as_text=True)
    assert _row(page, "深圳市") == ["1", "1", "15,000.00", "3,000.00"]
