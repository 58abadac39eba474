"""The trip workbook through the export registry: scope, file name, log, bad parameters."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from app.core.dates import today
from tests.downloads import download_name, export_event


def _sheets(response) -> dict[str, pd.DataFrame]:
    assert response.status_code == 200
    return pd.read_excel(
        io.BytesIO(response.data), sheet_name=None, header=None, dtype=object, engine="calamine"
    )


def test_a_unit_users_export_holds_only_its_own_leaders_and_trips(
    app, client, people, login, heads, add_trip
):
    add_trip([heads["b_party"]], date(2025, 5, 6), city="杭州市", province="浙江省")
    add_trip([heads["b_party"]], date(2025, 8, 4), days=3)
    add_trip([heads["b_government"]], date(2025, 8, 5), days=3)  # 北山镇's overlap
    add_trip([heads["a_party"]], date(2025, 6, 6), city="苏州市", province="江苏省")
    add_trip([heads["party"]], date(2025, 7, 6), city="上海市", province="上海市")
    login(people["unit"])
    response = client.get("/exports/trips?year=2025")
    sheets = _sheets(response)
    everything = {str(v) for s in sheets.values() for v in s.to_numpy().ravel()}
    for theirs in ("孙书记", "马镇长", "张书记", "北山镇", "杭州市", "上海市"):
        assert not any(theirs in v for v in everything), theirs
    grid = sheets["月度外出情况"]
    assert grid.iloc[4:, 0].tolist() == ["杨书记", "合计"]
    mine = grid.iloc[4].tolist()
    assert mine[4:16] == [0] * 5 + [1] + [0] * 6 and mine[16:] == [1, 11]
    assert len(sheets["党政一把手同时外出"]) == 3  # title, note, header: no overlap of theirs
    yields = sheets["外出成效"]
    assert yields.iloc[3:-1, 4].tolist() == ["江苏省 苏州市"] and yields.iloc[-1, 0] == "合计"
    with app.app_context():
        on = today()
    assert download_name(response) == f"领导外出招商情况_2025年_{on:%Y%m%d}.xlsx"
    event = export_event(app)
    assert event.username == "unita" and event.detail["export"] == "trips"
    assert event.detail["what"] == "领导外出招商情况" and event.detail["filter"] == {"year": "2025"}
    assert event.detail["rows"] == 2  # the one leader, no overlap, the one trip


@pytest.mark.parametrize("query", ["year=abc", "year=1999", "year=²", "year=" + "9" * 5000, ""])
def test_a_year_that_is_not_one_exports_this_year(app, client, people, login, heads, query):
    with app.app_context():
        year = today().year
    login(people["bureau"])
    response = client.get(f"/exports/trips?{query}")
    assert _sheets(response)["月度外出情况"].iloc[0, 0] == f"{year}年领导外出招商情况"
    assert download_name(response).startswith(f"领导外出招商情况_{year}年_")
    assert export_event(app).detail["filter"] == {"year": str(year)}


def test_a_far_future_year_exports_empty_sheets(app, client, people, login, heads, add_trip):
    add_trip([heads["party"]], date(2025, 7, 6))
    login(people["bureau"])
    sheets = _sheets(client.get("/exports/trips?year=2099"))
    grid = sheets["月度外出情况"]
    assert grid.iloc[0, 0] == "2099年领导外出招商情况"
    party = grid[grid[0] == "张书记"].iloc[0].tolist()
    assert all(pd.isna(v) for v in party[4:16]) and party[16:] == [0, 0]  # months not yet come
    assert len(sheets["党政一把手同时外出"]) == 3
    assert sheets["外出成效"].iloc[3:, 0].tolist() == ["合计"]
    assert export_event(app).detail["rows"] == len(grid) - 5  # leaders, not the 合计 row
