"""Hostile uploads: swollen and over-long sheets refused before parsing, within a second;
control characters and out-of-range dates in cells refused or removed, never a 500."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date

import pytest
import xlsxwriter
from sqlalchemy import select

from app.core.spreadsheets import SpreadsheetError, read_table
from app.core.spreadsheets import reading as spreadsheet_reading
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.models import Project
from app.projects.transfer import HEADERS as PROJECT_HEADERS
from tests.imports.conftest import (
    FUNDS_HEADERS,
    funds_row,
    project_row,
    row_errors,
    token_of,
    xlsx,
)

_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _workbook(rows: int, *, row_xml: bytes, dimension: bytes = b"") -> bytes:
    """A compressed workbook whose one sheet holds `rows` copies of `row_xml`, streamed out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_HEAD + dimension + b"<sheetData>")
            block = row_xml * 10_000
            for _ in range(rows // 10_000):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


_WIDE_ROW = (
    b'<row><c t="inlineStr"><is><t>' + "智能制造产业园".encode() * 20 + b"</t></is></c>"
    b'<c t="inlineStr"><is><t>' + "华润置地（深圳）有限公司".encode() * 12 + b"</t></is></c></row>"
)


def test_a_half_megabyte_sheet_that_unpacks_to_140_mb_is_refused_within_a_second(
    client, people, login, upload
):
    data = _workbook(150_000, row_xml=_WIDE_ROW)
    unpacked = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < 1024 * 1024 and unpacked > 140 * 1000 * 1000
    login(people["bureau"])
    started = time.perf_counter()
    page = upload("funds", data)
    assert time.perf_counter() - started < 1.0
    assert "文件解压后超过 100 MB" in page and 'data-testid="file-error"' in page


def test_a_sheet_of_more_rows_than_an_import_takes_is_counted_not_parsed():
    data = _workbook(1_000_000, row_xml=b'<row r="1"><c><v>1</v></c></row>')  # 33 MB unpacked
    started = time.perf_counter()
    with pytest.raises(SpreadsheetError, match="超过 100000 行"):
        read_table(data, "x.xlsx", FUNDS_HEADERS)
    assert time.perf_counter() - started < 1.0


def test_a_declared_dimension_beyond_the_limit_is_refused_at_the_first_bytes():
    data = _workbook(10_000, row_xml=b"<row/>", dimension=b'<dimension ref="A1:H250000"/>')
    with pytest.raises(SpreadsheetError, match="超过 100000 行"):
        read_table(data, "x.xlsx", FUNDS_HEADERS)


def test_row_tags_with_a_namespace_prefix_are_counted_too():
    head = _HEAD.replace(b"<worksheet xmlns", b"<x:worksheet xmlns:x")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", head + b"<x:row>1</x:row>" * 100_020)
    with pytest.raises(SpreadsheetError, match="超过 100000 行"):
        read_table(buffer.getvalue(), "x.xlsx", FUNDS_HEADERS)


def test_a_sheet_whose_directory_understates_its_size_is_refused_as_it_unpacks(monkeypatch):
    data = _workbook(40_000, row_xml=_WIDE_ROW)  # ~28 MB unpacked
    monkeypatch.setattr(spreadsheet_reading, "MAX_UNPACKED_BYTES", 8 * 1024 * 1024)
    real_infolist = zipfile.ZipFile.infolist

    def lying(self):
        members = real_infolist(self)
        for member in members:
            member.file_size = min(member.file_size, 1024)
        return members

    monkeypatch.setattr(zipfile.ZipFile, "infolist", lying)
    with pytest.raises(SpreadsheetError, match="解压后超过 8 MB|文件已损坏"):
        read_table(data, "x.xlsx", FUNDS_HEADERS)


def test_a_real_hundred_thousand_row_ledger_passes_the_checks(tmp_path):
    path = tmp_path / "ledger.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, FUNDS_HEADERS)
    for r in range(1, 100_001):
        sheet.write_string(r, 0, f"新能源汽车零部件智能制造产业园项目{r % 5000:06d}期")
        sheet.write_string(r, 1, f"华润置地（深圳）投资发展有限公司{r % 5000:06d}")
        sheet.write_datetime(r, 2, date(2026, 3, 5), dates)
        sheet.write_number(r, 3, 1250.5)
        sheet.write_string(r, 4, "国内省外")
        sheet.write_string(r, 5, "固定资产投资")
        sheet.write_string(r, 6, f"YHHD-2026-{r:08d}")
        sheet.write_string(r, 7, "银行回单，首期注资到位")
    book.close()
    started = time.perf_counter()
    spreadsheet_reading.check_zip(path.read_bytes())
    assert time.perf_counter() - started < 1.5  # the count, not a parse


def test_control_characters_in_cells_are_removed_before_anything_reads_them(
    app, client, people, login, upload
):
    login(people["bureau"])
    row = project_row(项目名称="新能源\x00电池\x1b项目", 投资方="宁德\x00示例新能源科技有限公司")
    page = upload("projects", xlsx([list(PROJECT_HEADERS), row]))
    assert client.post(f"/imports/confirm/{token_of(page)}").status_code == 302
    with app.app_context():
        names = db.session.execute(select(Project.name, Project.investor_name)).all()
    assert names == [("新能源电池项目", "宁德示例新能源科技有限公司")]


@pytest.mark.parametrize("received_on", ["9999-12-31", "0001-01-01", "2026-02-30", "1999-12-31"])
def test_out_of_range_dates_in_a_ledger_are_refused_beside_the_row(
    app, client, people, login, make, upload, received_on
):
    unit = people["unit_a"]
    make.project(unit, signed_on=date(2026, 1, 5), contract_investment=10_000_000)
    login(people["bureau"])
    page = upload("funds", xlsx([FUNDS_HEADERS, funds_row(到位日期=received_on)]))
    errors = row_errors(page)
    assert [(row, column) for row, column, _ in errors] == [("2", "到位日期")], errors
    with app.app_context():
        assert db.session.execute(select(FundsEntry)).first() is None
