"""Importing funds entries: project matching, every date form, verified imports, the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.history import HistoryEntry
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.models import Project
from tests.funds.conftest import entries
from tests.imports.conftest import FUNDS_HEADERS, csv_bytes, funds_row, row_errors, token_of, xlsx


@pytest.fixture
def project(make, people):
    return make.project(
        people["unit_a"],
        "智能制造产业园",
        "华润置地（深圳）有限公司",
        signed_on=date(2024, 1, 5),
        contract_investment=100_000_000,
    )


def test_every_documented_date_form_and_a_real_date_cell_import(
    app, client, people, login, project, upload
):
    rows = [
        FUNDS_HEADERS,
        funds_row(到位日期="2024-03-05", 凭证号="D1"),
        funds_row(到位日期="2024/3/5", 凭证号="D2"),
        funds_row(到位日期="2024.3.5", 凭证号="D3"),
        funds_row(到位日期="2024年3月5日", 凭证号="D4"),
        funds_row(到位日期=date(2024, 3, 5), 凭证号="D5"),
    ]
    login(people["unit"])
    page = upload("funds", xlsx(rows))
    assert 'data-testid="check-ok"' in page, row_errors(page)
    client.post(f"/imports/confirm/{token_of(page)}")
    assert {e.received_on for e in entries(app)} == {date(2024, 3, 5)}
    assert {e.status for e in entries(app)} == {"pending"}
    assert {e.use for e in entries(app)} == {"固定资产投资"}


def test_bad_rows_are_all_reported_and_nothing_is_written(
    app, client, people, login, project, make, upload
):
    make.project(people["unit_a"], "重名项目", "重名公司")
    make.project(people["unit_a"], "重名项目", "重名公司有限公司")
    rows = [
        FUNDS_HEADERS,
        funds_row(凭证号="OK-1"),
        funds_row(**{"金额（万元）": "-5"}, 凭证号="X1"),
        funds_row(**{"金额（万元）": "abc"}, 凭证号="X2"),
        funds_row(**{"金额（万元）": "1e9"}, 凭证号="X3"),
        funds_row(**{"金额（万元）": "3.141"}, 凭证号="X4"),
        funds_row(到位日期="2024-02-30", 凭证号="X5"),
        funds_row(项目名称="不存在的项目", 凭证号="X6"),
        funds_row(项目名称="重名项目", 投资方="重名公司", 凭证号="X7"),
        funds_row(资金类型="区内资金", 资金用途="还贷", 凭证号="X8"),
        funds_row(凭证号="OK-1"),
        funds_row(凭证号=""),
    ]
    login(people["unit"])
    page = upload("funds", xlsx(rows))
    found = {(int(r), c): m for r, c, m in row_errors(page)}
    expected = {
        (3, "金额（万元）"): "金额须大于 0",
        (4, "金额（万元）"): "“abc”不是数字",
        (5, "金额（万元）"): "“1e9”不是普通的数字写法",
        (6, "金额（万元）"): "超过两位小数",
        (7, "到位日期"): "2024年2月只有 29 天",
        (8, "项目名称"): "找不到项目“不存在的项目”",
        (9, "项目名称"): "匹配到 2 个项目，请先合并重复项目",
        (10, "资金类型"): "资金类型“区内资金”不在可选范围",
        (10, "资金用途"): "资金用途“还贷”不在可选范围",
        (11, "凭证号"): "与第 2 行的凭证号重复",
        (12, "凭证号"): "请填写凭证号",
    }
    for key, message in expected.items():
        assert message in found.get(key, ""), (key, found.get(key))
    assert len(found) == len(expected)
    assert entries(app) == []


def test_a_project_of_another_unit_is_not_found_for_a_unit_user(app, people, login, make, upload):
    make.project(people["unit_b"], "文旅综合体", "北山文旅集团有限公司")
    login(people["unit"])
    page = upload(
        "funds", xlsx([FUNDS_HEADERS, funds_row(项目名称="文旅综合体", 投资方="北山文旅集团")])
    )
    assert "找不到项目“文旅综合体”" in row_errors(page)[0][2]


def test_a_reference_already_in_the_ledger_is_refused(app, client, people, login, project, upload):
    login(people["unit"])
    page = upload("funds", xlsx([FUNDS_HEADERS, funds_row(凭证号="YH-1")]))
    client.post(f"/imports/confirm/{token_of(page)}")
    page = upload("funds", xlsx([FUNDS_HEADERS, funds_row(凭证号=" yh-1", 备注="另一个文件")]))
    assert "该项目已登记过凭证号" in row_errors(page)[0][2]


def test_the_bureau_imports_its_historical_ledger_as_verified(
    app, client, people, login, project, upload
):
    rows = [FUNDS_HEADERS, funds_row(到位日期="2025-06-30", 凭证号="H1"), funds_row(凭证号="H2")]
    login(people["unit"])
    page = upload("funds", xlsx(rows), verified="1")
    assert "只有投资促进局可以按“已核实”导入" in page
    login(people["bureau"])
    page = upload("funds", xlsx(rows), verified="1")
    assert "导入后状态：已核实" in page
    client.post(f"/imports/confirm/{token_of(page)}")
    assert {e.status for e in entries(app)} == {"verified"}
    assert {e.verified_by_id for e in entries(app)} == {people["bureau"].id}
    with app.app_context():
        funded = db.session.execute(
            select(Project.funded_on).where(Project.id == project.id)
        ).scalar_one()
        assert funded == date(2025, 6, 30)
        history = db.session.execute(
            select(HistoryEntry).where(HistoryEntry.table_name == "funds_entries")
        ).scalars()
        for row in history:
            assert row.actor_name == "bureau1" and "按已核实记录" in row.reason


def test_the_xls_file_of_an_older_excel_imports(app, client, people, login, project, upload):
    content = (Path(__file__).parent / "data" / "funds.xls").read_bytes()
    login(people["bureau"])
    page = upload("funds", content, "北山镇台账.xls")
    assert 'data-testid="check-ok"' in page, row_errors(page)
    client.post(f"/imports/confirm/{token_of(page)}")
    [entry] = entries(app)
    assert (entry.received_on, entry.amount, entry.evidence_ref) == (
        date(2026, 3, 5),
        12_505_000,
        "XLS-001",
    )


def test_a_gbk_csv_of_funds_imports(app, client, people, login, project, upload):
    content = csv_bytes(
        [["北山镇到位资金"], FUNDS_HEADERS, funds_row(**{"金额（万元）": "0.01"})], "gbk"
    )
    login(people["unit"])
    page = upload("funds", content, "台账.csv")
    client.post(f"/imports/confirm/{token_of(page)}")
    assert [e.amount for e in entries(app)] == [100]


def test_the_command_line_funds_import_records_who_verified(app, runner, people, project, tmp_path):
    path = tmp_path / "funds.xlsx"
    path.write_bytes(xlsx([FUNDS_HEADERS, funds_row()]))
    result = runner.invoke(args=["import-funds", str(path), "--as", "unita", "--verified"])
    assert result.exit_code == 2 and "只有投资促进局" in result.output
    result = runner.invoke(args=["import-funds", str(path), "--as", "bureau1", "--verified"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        entry = db.session.execute(select(FundsEntry)).scalar_one()
        assert entry.status == "verified" and entry.verified_by_id == people["bureau"].id
