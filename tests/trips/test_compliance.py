"""Trip compliance: misses, this month's missing, the overlap rule, export, reminders."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import lxml.html
import pandas as pd
import pytest
from sqlalchemy import select

from app.core.dates import today
from app.core.security_log import SecurityEvent
from app.extensions import db
from app.leaders.models import Leader


@pytest.fixture
def now(app) -> date:
    with app.app_context():
        return today()


def _states(client, year: int) -> dict[str, list[str]]:
    page = client.get(f"/trips/compliance?year={year}").get_data(as_text=True)
    doc = lxml.html.fromstring(page)
    return {
        tr.get("data-leader"): [td.get("data-state") for td in tr.xpath("./td[@data-state]")]
        for tr in doc.xpath('//table[@data-testid="compliance-grid"]//tr[@data-leader]')
    }


def _overlaps(client, year: int) -> str:
    page = client.get(f"/trips/compliance?year={year}").get_data(as_text=True)
    return page.split('data-testid="overlap-count"')[1].split("</div></div>")[0]


def test_a_heads_month_without_a_trip_is_a_miss_and_others_are_not_judged(
    client, people, login, heads, add_trip, now
):
    year = now.year - 1
    add_trip([heads["party"], heads["deputy"]], date(year, 1, 30), days=4)  # counts in January
    add_trip([heads["party"]], date(year, 3, 5))
    login(people["bureau"])
    states = _states(client, year)
    assert states["张书记"][:4] == ["ok", "miss", "ok", "miss"]
    assert states["张书记"].count("miss") == 10
    assert "miss" not in states["王副区长"] and states["王副区长"][0] == "ok"
    assert states["黄区长"] == ["miss"] * 12


def test_months_before_taking_office_and_inactive_heads_are_not_judged(
    app, client, people, login, heads, now
):
    year = now.year - 1
    with app.app_context():
        db.session.get(Leader, heads["government"].id).took_office_on = date(year, 6, 15)
        db.session.get(Leader, heads["b_party"].id).active = False
        db.session.commit()
    login(people["bureau"])
    states = _states(client, year)
    assert states["黄区长"] == ["not_judged"] * 5 + ["miss"] * 7
    assert "孙书记" not in states  # inactive and no trips: not listed


def test_this_months_missing_heads_and_the_reminder_to_log_one(
    client, people, login, heads, add_trip, now
):
    login(people["leader"])
    home = client.get("/").get_data(as_text=True)
    assert f"{now.month}月尚未登记外出招商" in home
    grid = client.get("/trips/compliance").get_data(as_text=True)
    missing = grid.split('data-testid="missing-this-month"')[1].split("</div></div>")[0]
    assert "张书记" in missing and "王副区长" not in missing
    assert _states(client, now.year)["张书记"][now.month - 1] == "current"
    add_trip([heads["party"]], now - timedelta(days=min(now.day - 1, 3)), days=1)
    home = client.get("/").get_data(as_text=True)
    assert f"{now.month}月已登记外出招商" in home
    grid = client.get("/trips/compliance").get_data(as_text=True)
    missing = grid.split('data-testid="missing-this-month"')[1].split("</div></div>")[0]
    assert "张书记" not in missing


def test_party_and_government_heads_away_on_overlapping_days_are_flagged(
    client, people, login, heads, add_trip
):
    add_trip([heads["party"]], date(2025, 3, 10), days=4)  # 10—13
    add_trip([heads["government"]], date(2025, 3, 13), days=2)  # 13—14: one day together
    add_trip([heads["party"]], date(2025, 5, 1), days=3)  # 1—3
    add_trip([heads["government"]], date(2025, 5, 4), days=3)  # 4—6: one after the other
    add_trip([heads["b_party"]], date(2025, 6, 2), days=3)  # another jurisdiction's head
    add_trip([heads["government"]], date(2025, 6, 3), days=3)
    login(people["bureau"])
    flagged = _overlaps(client, 2025)
    assert flagged.startswith(">1</span>")
    assert "2025-03-13 至 2025-03-13" in flagged and "2025-05" not in flagged
    assert "2025-06" not in flagged


def test_both_heads_on_one_trip_is_flagged_and_warned_on_saving(client, people, login, heads):
    login(people["bureau"])
    response = client.post(
        "/trips/new",
        data={
            "leader_ids": [str(heads["party"].id), str(heads["government"].id)],
            "status": "done",
            "started_on": "2025-09-01",
            "ended_on": "2025-09-03",
            "province": "广东省",
            "city": "广州市",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "不符合“一个在家主持、一个外出招商”的要求" in page
    assert "同一次外出" in _overlaps(client, 2025)


def test_a_towns_heads_are_checked_within_their_town(client, people, login, heads, add_trip):
    add_trip([heads["b_party"]], date(2025, 8, 4), days=3)
    add_trip([heads["b_government"]], date(2025, 8, 5), days=3)
    login(people["other_unit"])
    assert "北山镇" in _overlaps(client, 2025)
    client.post("/logout")
    login(people["unit"])  # another unit does not see 北山镇's trips or flags
    assert "北山镇" not in _overlaps(client, 2025)


def test_the_export_has_the_grid_the_overlaps_and_the_yields(
    app, client, people, login, heads, add_trip, now
):
    year = now.year - 1
    add_trip([heads["party"]], date(year, 2, 3))
    add_trip([heads["government"]], date(year, 2, 4))
    login(people["bureau"])
    response = client.get(f"/exports/trips?year={year}")
    assert response.status_code == 200
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None, header=None,
                           engine="calamine")  # fmt: skip
    assert list(sheets) == ["月度外出情况", "党政一把手同时外出", "外出成效"]
    grid = sheets["月度外出情况"]
    assert grid.iloc[0, 0] == f"{year}年领导外出招商情况"
    assert "各月外出招商次数" in grid.iloc[2].tolist()
    party = grid[grid[0] == "张书记"].iloc[0].tolist()
    assert party[4:6] == [0, 1] and party[-1] == 11  # January missed; 11 months missed
    assert len(sheets["党政一把手同时外出"]) == 4  # title, note, header, one overlap
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        assert "F4B6B6" in book.read("xl/styles.xml").decode()
    with app.app_context():
        event = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "export")
        ).scalar_one()
        assert event.detail["export"] == "trips" and event.detail["what"] == "领导外出招商情况"
        assert event.detail["filter"] == {"year": str(year)} and event.detail["rows"] >= 3
