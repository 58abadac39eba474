"""The completion table's .xlsx: the bureau's printable layout, logged as an export."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from app.core.dates import today
from app.core.security_log import SecurityEvent
from app.extensions import db
from tests.downloads import download_name, export_event


def _xml(content: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read(name).decode("utf-8")


def test_the_export_is_the_printable_table_with_merged_headers_and_light_colours(
    app, client, people, login, add_target, signed, add_funds
):
    add_target(people["unit_a"], 2025, funds_total="10000", signed_count=2)
    add_funds(signed(people["unit_a"], date(2025, 1, 20)), "487", date(2025, 2, 14))
    add_target(people["unit_b"], 2025, funds_total="100")
    add_funds(signed(people["unit_b"], date(2025, 1, 20)), "50", date(2025, 2, 1))
    login(people["bureau"])
    response = client.get("/exports/targets?year=2025&month=2")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    content = response.data
    cells = pd.read_excel(io.BytesIO(content), header=None, dtype=object, engine="calamine")
    assert cells.iloc[0, 0] == "2025年1—2月各单位目标任务完成情况"
    groups = [str(v) for v in cells.iloc[2].tolist()]
    assert "到位资金（万元）" in groups and "签约项目（个）" in groups
    assert cells.iloc[3].tolist()[2:6] == ["目标", "完成", "完成率", "落后进度"]
    body = cells.iloc[4:].reset_index(drop=True)
    units = body[1].tolist()
    assert units[:2] == ["北山镇", "城关街道"] and units[-1] == "全区合计"
    row = body[body[1] == "城关街道"].iloc[0].tolist()
    funds_at = groups.index("到位资金（万元）")
    assert row[funds_at : funds_at + 4] == [10000.0, 487.0, 0.0487, 11.8]
    sheet = _xml(content, "xl/worksheets/sheet1.xml")
    assert sheet.count("<mergeCell ") >= 5  # title, subtitle, groups, headers over two rows
    styles = _xml(content, "xl/styles.xml")
    assert "FFC7CE" in styles and "C6EFCE" in styles  # red and green fills
    with app.app_context():
        event = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "export")
        ).scalar_one()
        assert event.detail["rows"] == 3 and event.detail["filter"] == {
            "year": "2025",
            "month": "2",
        }


def _cells(response) -> pd.DataFrame:
    assert response.status_code == 200
    return pd.read_excel(io.BytesIO(response.data), header=None, dtype=object, engine="calamine")


def test_a_unit_users_export_holds_only_its_own_row(
    app, client, people, login, add_target, signed, add_funds
):
    for unit, got in ((people["unit_a"], "100"), (people["unit_b"], "900")):
        add_target(unit, 2025, funds_total="1000")
        add_funds(signed(unit, date(2025, 1, 2)), got, date(2025, 2, 2))
    login(people["unit"])
    response = client.get("/exports/targets?year=2025&month=12")
    cells = _cells(response)
    everything = {str(v) for v in cells.to_numpy().ravel()}
    assert "北山镇" not in everything and "全区合计" not in everything
    body = cells.iloc[4:]
    assert body[1].tolist() == ["城关街道"]
    funds_at = [str(v) for v in cells.iloc[2].tolist()].index("到位资金（万元）")
    assert body.iloc[0].tolist()[funds_at : funds_at + 3] == [1000.0, 100.0, 0.1]
    with app.app_context():
        on = today()
    assert download_name(response) == f"目标任务完成情况_2025年1-12月_{on:%Y%m%d}.xlsx"
    event = export_event(app)
    assert event.username == "unita" and event.detail["export"] == "targets"
    assert event.detail["what"] == "目标任务完成情况"
    assert event.detail["filter"] == {"year": "2025", "month": "12"} and event.detail["rows"] == 1


@pytest.mark.parametrize(
    ("query", "year", "month"),
    [
        ("", 2026, 10),  # nothing asked on 19 November: the last month that has ended
        ("year=2025", 2025, 12),  # a past year alone: all of it
        ("year=2024&month=5", 2024, 5),  # a year without targets: every unit blank
        ("year=abc&month=2", 2026, 10),
        ("year=2025&month=0", 2026, 10),
        ("year=2025&month=13", 2026, 10),
        ("year=2099&month=5", 2026, 10),  # the future: the default
        ("year=2026&month=12", 2026, 10),
        ("year=1999&month=-1", 2026, 10),
        ("year=²&month=²", 2026, 10),
        ("year=" + "9" * 5000, 2026, 10),
    ],
)
def test_bad_parameters_give_the_period_used_never_an_error(
    app, client, people, login, add_target, query, year, month
):
    add_target(people["unit_a"], 2025, funds_total="1000")
    period = f"{year}年1月" if month == 1 else f"{year}年1—{month}月"
    login(people["bureau"])
    response = client.get(f"/exports/targets?{query}")
    cells = _cells(response)
    assert cells.iloc[0, 0] == f"{period}各单位目标任务完成情况"
    assert download_name(response).startswith(f"目标任务完成情况_{period.replace('—', '-')}_")
    assert export_event(app).detail["filter"] == {"year": str(year), "month": str(month)}
    if year == 2024:  # no target set, nothing achieved: every unit, all blank or zero
        body = cells.iloc[4:]
        assert body[1].tolist()[-1] == "全区合计"
        assert set(body.iloc[:, 2:-2].to_numpy().ravel()) <= {"—", 0}


def test_the_import_template_download_is_logged_as_an_export(app, client, people, login):
    login(people["bureau"])
    response = client.get("/targets/template?year=2026")
    assert download_name(response) == "2026年目标任务导入模板.xlsx"
    rows = _cells(response).iloc[3:]
    event = export_event(app)
    assert (
        event.detail["export"] == "targets-template" and event.detail["what"] == "目标任务导入模板"
    )
    assert event.detail["filter"] == {"year": "2026"} and event.detail["rows"] == len(rows) == 2
