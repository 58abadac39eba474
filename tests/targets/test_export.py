"""The completion table's .xlsx: the bureau's printable layout, logged as an export."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pandas as pd
from sqlalchemy import select

from app.core.security_log import SecurityEvent
from app.extensions import db


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
    response = client.get("/targets/export?year=2025&month=2")
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
        assert event.detail["rows"] == 3 and event.detail["filter"] == {"year": 2025, "month": 2}
