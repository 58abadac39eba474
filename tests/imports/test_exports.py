"""Exports: the project list round trip, the funds ledger and report, scope, escaping, logging."""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date
from xml.etree import ElementTree

import pandas as pd
import pytest
from sqlalchemy import select, text

from app.core.security_log import SecurityEvent
from app.core.uscc import check_character
from app.extensions import db
from tests.imports.conftest import FUNDS_HEADERS, funds_row, token_of, xlsx

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
USCC = "91440300MA5G0XH07" + check_character("91440300MA5G0XH07")


def cells_of(content: bytes, sheet: int = 0) -> list[list]:
    """Every row of a sheet as read back, blanks as None."""
    book = pd.read_excel(
        io.BytesIO(content), engine="calamine", header=None, dtype=object, sheet_name=sheet
    )
    return [
        [None if isinstance(v, float) and math.isnan(v) else v for v in row]
        for row in book.to_numpy().tolist()
    ]


def string_cells(content: bytes) -> list[tuple[str, bool]]:
    """(text, written with a quote prefix) of every text cell; fails on any formula cell."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))  # noqa: S314
        quoted = [
            xf.get("quotePrefix") == "1" for xf in styles.find("m:cellXfs", NS).findall("m:xf", NS)
        ]
        found = []
        for name in archive.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            sheet = ElementTree.fromstring(archive.read(name))  # noqa: S314
            assert sheet.find(".//m:f", NS) is None, "a formula cell was written"
            for cell in sheet.iter(f"{{{NS['m']}}}c"):
                if cell.get("t") == "inlineStr":
                    value = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
                    found.append((value, quoted[int(cell.get("s", 0))]))
    return found


def assert_escaped(content: bytes, expected: set[str]) -> None:
    cells = string_cells(content)
    risky = {value for value, _q in cells if value.startswith(DANGEROUS)}
    assert expected <= risky, expected - risky
    assert all(q for value, q in cells if value.startswith(DANGEROUS))
    assert not any(q for value, q in cells if not value.startswith(DANGEROUS))


@pytest.fixture
def ledger(make, people):
    leader = make.leader("李副区长", "副区长", head_kind=None)
    event = make.event("2026 深圳招商推介会")
    a = make.project(
        people["unit_a"],
        "智能制造产业园",
        "华润置地（深圳）有限公司",
        uscc=USCC,
        signed_on=date(2026, 2, 10),
        negotiating_on=date(2026, 1, 8),
        registered_on=date(2026, 3, 1),
        contract_investment=480_005_000,
        planned_investment=500_000_000,
        leader_id=leader.id,
        event_id=event.id,
        chain_tag="新能源",
        foreign_funded=True,
        notes='=HYPERLINK("http://evil")',
    )
    b = make.project(
        people["unit_b"],
        "+86 文旅综合体",
        "@北山文旅集团有限公司",
        origin_province="浙江省",
        origin_city="杭州市",
        industry="三产",
        source="以商招商",
        notes="-2+3",
    )
    return {"a": a, "b": b}


def test_projects_export_imports_back_unchanged(app, client, people, login, ledger, upload):
    login(people["bureau"])
    first = client.get("/exports/projects?sort=name")
    assert first.status_code == 200
    assert first.headers["Content-Disposition"].startswith("attachment")
    with app.app_context():
        db.session.execute(text("DELETE FROM projects"))
        db.session.commit()
    page = upload("projects", first.data, "导出的项目.xlsx")
    main = page.split("<main")[1]
    assert 'data-testid="check-ok"' in page, " ".join(re.sub(r"<[^>]+>", " ", main).split())
    client.post(f"/imports/confirm/{token_of(page)}")
    second = client.get("/exports/projects?sort=name")
    assert cells_of(second.data) == cells_of(first.data)
    rows = cells_of(first.data)
    assert rows[0][:3] == ["项目名称", "投资方", "统一社会信用代码"]
    assert rows[-1][0] == "合计" and rows[-1][8] == 50000


def test_every_export_escapes_formula_looking_text(app, client, people, login, ledger, add_entry):
    add_entry(ledger["a"], "100", ref="=cmd|'/C calc'!A0", notes="@SUM(A1)")
    login(people["bureau"])
    projects = client.get("/exports/projects").data
    assert_escaped(
        projects, {'=HYPERLINK("http://evil")', "+86 文旅综合体", "@北山文旅集团有限公司", "-2+3"}
    )
    funds = client.get("/exports/funds-ledger?year=2026").data
    assert_escaped(funds, {"=cmd|'/C calc'!A0", "@SUM(A1)"})
    with app.app_context():
        db.session.execute(text("UPDATE units SET name = '=北山镇' WHERE name = '北山镇'"))
        db.session.commit()
    report = client.get("/exports/funds-by-unit?year=2026").data
    assert_escaped(report, {"=北山镇"})


def test_the_error_copy_escapes_what_the_user_typed(app, client, people, login, upload):
    login(people["bureau"])
    page = upload("funds", xlsx([FUNDS_HEADERS, funds_row(项目名称="=1+1", 备注="+danger")]))
    copy = client.get(f"/imports/errors/{token_of(page)}").data
    assert_escaped(copy, {"=1+1", "+danger"})


def test_an_export_is_logged_with_its_filter_and_row_count(
    app, client, people, login, ledger, add_entry
):
    add_entry(ledger["a"], "100")
    add_entry(ledger["b"], "30")
    login(people["leader"])
    client.get("/exports/funds-ledger?year=2026&from=1&to=6&origin=国内省外")
    with app.app_context():
        event = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "export")
        ).scalar_one()
        assert event.username == "leader1" and event.detail["export"] == "funds-ledger"
        assert event.detail["filter"] == {"year": "2026", "to": "6", "origin": "国内省外"}
        assert event.detail["rows"] == 2


def test_a_unit_exports_only_its_own_data(app, client, people, login, ledger, add_entry):
    add_entry(ledger["a"], "100", ref="MINE")
    add_entry(ledger["b"], "30", ref="THEIRS")
    login(people["unit"])
    projects = cells_of(client.get("/exports/projects").data)
    assert [r[0] for r in projects[1:-1]] == ["智能制造产业园"]
    other = f"unit_id={people['unit_b'].id}"
    funds = cells_of(client.get(f"/exports/funds-ledger?year=2026&{other}").data)
    assert not any("THEIRS" in str(v) for row in funds for v in row)
    assert funds[-1][0] == "合计" and funds[-2][0] == "项目名称"  # header, then no rows
    mine = cells_of(client.get("/exports/funds-ledger?year=2026").data)
    assert any(row[6] == "MINE" for row in mine)
    report = cells_of(client.get("/exports/funds-by-unit?year=2026").data)
    assert [r[1] for r in report[3:-1]] == ["城关街道"]


def test_the_auditor_cannot_export(client, people, login, ledger):
    login(people["auditor"])
    assert client.get("/exports/projects").status_code == 403
    assert client.get("/exports/funds-ledger").status_code == 403


def test_the_report_by_unit_has_a_right_total_row(app, client, people, login, ledger, add_entry):
    add_entry(ledger["a"], "100.10", origin="国内省外")
    add_entry(ledger["a"], "0.01", origin="外资", use="流动资金")
    add_entry(ledger["b"], "30.20", origin="省内市外")
    add_entry(ledger["b"], "9", status="pending")
    login(people["bureau"])
    rows = cells_of(client.get("/exports/funds-by-unit?year=2026&to=10").data)
    assert "2026年1—10月" in rows[0][0]
    header = rows[2]
    assert header[:3] == ["序号", "责任单位", "到位资金（万元）"]
    body, total = rows[3:-1], rows[-1]
    assert total[0] == "合计"
    assert [r[1] for r in body] == ["城关街道", "北山镇"]
    assert total[2] == pytest.approx(130.31) and total[-1] == 9 and total[-2] == 3
    for column in range(2, len(header)):
        assert round(sum(r[column] for r in body), 2) == pytest.approx(total[column])


def test_the_command_line_export_writes_the_report_and_the_ledger(
    app, runner, people, ledger, add_entry, tmp_path
):
    add_entry(ledger["a"], "100", received_on=date(2026, 3, 1))
    add_entry(ledger["a"], "50", received_on=date(2026, 9, 1))
    add_entry(ledger["b"], "7", status="pending", received_on=date(2026, 2, 1))
    out = tmp_path / "funds.xlsx"
    result = runner.invoke(
        args=["export-funds", "--year", "2026", "--month", "6", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = cells_of(out.read_bytes(), 0)
    assert report[-1][0] == "合计" and report[-1][2] == 100
    ledger_rows = cells_of(out.read_bytes(), 1)
    assert [r[3] for r in ledger_rows[3:-1]] == [100]
    with app.app_context():
        event = db.session.execute(select(SecurityEvent)).scalars().all()[-1]
        assert event.event == "export" and event.username == "命令行"


def test_exported_widths_frozen_header_and_money_format(client, people, login, ledger, add_entry):
    add_entry(ledger["a"], "1234.5")
    login(people["bureau"])
    content = client.get("/exports/funds-ledger?year=2026").data
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert 'state="frozen"' in sheet and 'ySplit="3"' in sheet
    assert re.search(r'<col min="1" max="1" width="30', sheet)
    assert "#,##0.00" in styles


def test_a_blank_import_template_is_sent_but_not_logged_as_an_export(app, client, people, login):
    login(people["bureau"])
    for kind in ("projects", "funds"):
        response = client.get(f"/imports/template/{kind}")
        assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    with app.app_context():
        exports = select(SecurityEvent).where(SecurityEvent.event == "export")
        assert db.session.execute(exports).scalars().all() == []
