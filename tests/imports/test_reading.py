"""Reading spreadsheets: file types by content, header search, blank and 合计 rows, limits."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
import xlsxwriter

from app.core import cells
from app.core.spreadsheets import SpreadsheetError, read_table
from app.core.spreadsheets import reading as spreadsheet_reading
from tests.imports.conftest import FUNDS_HEADERS, csv_bytes, funds_row, xlsx

REQUIRED = ("项目名称", "投资方", "到位日期", "金额（万元）", "资金类型", "凭证号")


def _read(content: bytes, name: str = "a.xlsx"):
    return read_table(content, name, REQUIRED, FUNDS_HEADERS)


def test_the_header_is_found_under_a_title_a_date_line_and_a_note():
    rows = [
        ["2026年到位资金台账"],
        ["填报日期：2026年11月"],
        ["填表说明：金额单位万元"],
        FUNDS_HEADERS,
        funds_row(),
        [None] * 8,
        funds_row(凭证号="YH-2"),
        ["合计", None, None, 200],
    ]
    table = _read(xlsx(rows))
    assert table.header_row == 4
    assert [n for n, _cells in table.rows] == [5, 7]


def test_the_first_sheet_that_has_the_header_is_read():
    table = _read(xlsx([FUNDS_HEADERS, funds_row()], before=[]))
    assert table.sheet == "Sheet1" and len(table.rows) == 1


def test_columns_may_come_in_any_order_with_extra_ones_and_half_width_brackets():
    headers = ["序号", "凭证号", "金额(万元)", "资金类型", "到位 日期", "投资方", "项目名称"]
    table = _read(xlsx([headers, [1, "YH-1", 5, "外资", "2026-01-02", "某公司", "某项目"]]))
    assert table.get(table.rows[0][1], "金额（万元）") == 5
    assert table.get(table.rows[0][1], "资金用途") is None


def test_missing_headers_are_named():
    with pytest.raises(SpreadsheetError) as error:
        _read(xlsx([["项目名称", "投资方", "到位日期", "金额（万元）"], ["a", "b", "c", "d"]]))
    assert "表头缺少必需的列：资金类型、凭证号" in error.value.message


def test_a_sheet_without_any_header_says_so():
    with pytest.raises(SpreadsheetError) as error:
        _read(xlsx([["随便写的"], ["一些内容"]]))
    assert "未找到表头行" in error.value.message


def test_a_header_below_row_ten_is_not_found():
    rows = [[f"说明 {i}"] for i in range(10)] + [FUNDS_HEADERS, funds_row()]
    with pytest.raises(SpreadsheetError, match="未找到表头行"):
        _read(xlsx(rows))


def test_an_empty_file_and_a_header_without_rows_are_refused():
    with pytest.raises(SpreadsheetError, match="文件是空的"):
        _read(b"")
    with pytest.raises(SpreadsheetError, match="表头下没有数据行"):
        _read(xlsx([FUNDS_HEADERS]))


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4 not a sheet",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"MZ\x90\x00\x03\x00\x00\x00binary",
    ],
)
def test_other_file_types_are_refused_by_content(content):
    with pytest.raises(SpreadsheetError, match="文件类型不支持"):
        _read(content, "台账.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(SpreadsheetError, match="不是 Excel 工作簿"):
        _read(buffer.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(spreadsheet_reading, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (8 * 1024 * 1024))
    assert len(buffer.getvalue()) < 64 * 1024  # small on disk, 8 MB unpacked
    with pytest.raises(SpreadsheetError, match="解压后超过 4 MB"):
        _read(buffer.getvalue())


def test_gbk_and_utf8_csv_files_are_both_read():
    rows = [["到位资金台账"], FUNDS_HEADERS, funds_row(项目名称="智能制造产业园（一期）")]
    for encoding in ("gbk", "utf-8", "utf-8-sig"):
        table = _read(csv_bytes(rows, encoding), "台账.csv")
        assert table.get(table.rows[0][1], "项目名称") == "智能制造产业园（一期）", encoding


def test_the_old_xls_format_is_read(tmp_path):
    from pathlib import Path

    content = (Path(__file__).parent / "data" / "funds.xls").read_bytes()
    table = _read(content, "funds.xls")
    first = table.rows[0][1]
    assert cells.parse_date(table.get(first, "到位日期")) == date(2026, 3, 5)
    assert cells.parse_amount(table.get(first, "金额（万元）")) == Decimal("1250.50")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("2024.3.5", date(2024, 3, 5)),
        ("2024年3月5日", date(2024, 3, 5)),
        (" 2024-03-05 00:00:00", date(2024, 3, 5)),
        (datetime(2024, 3, 5), date(2024, 3, 5)),
    ],
)
def test_dates_in_every_documented_form(typed, expected):
    assert cells.parse_date(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2024-02-30", "2024年2月只有 29 天"),
        ("2023-02-29", "2023年2月只有 28 天"),
        ("2024-13-01", "月份应为 1—12"),
        ("2024-3", "无法识别"),
        ("昨天", "无法识别"),
        ("45356", "无法识别"),
    ],
)
def test_impossible_dates_are_refused_with_a_reason(typed, message):
    with pytest.raises(cells.CellError, match=message):
        cells.parse_date(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,250.50", Decimal("1250.50")),
        (1250.5, Decimal("1250.50")),
        (1234.5600000000002, Decimal("1234.56")),
        (7, Decimal("7.00")),
        ("0.01", Decimal("0.01")),
    ],
)
def test_amounts_as_text_and_as_number_cells(typed, expected):
    assert cells.parse_amount(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "“abc”不是数字"),
        ("1e9", "不是普通的数字写法"),
        ("12.345", "超过两位小数"),
        (12.345, "超过两位小数"),
        ("", "金额不能为空"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(typed, message):
    with pytest.raises(cells.CellError, match=message):
        cells.parse_amount(typed)


def test_a_hundred_thousand_blank_rows_through_the_screen_write_nothing(
    app, client, people, login, upload
):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for c, header in enumerate(FUNDS_HEADERS):
        sheet.write_string(0, c, header)
    blank = book.add_format({"border": 1})
    for r in range(1, 100_001):
        sheet.write_blank(r, 3, None, blank)
    book.close()
    login(people["bureau"])
    page = upload("funds", buffer.getvalue())
    assert "表头下没有数据行" in page and 'data-testid="file-error"' in page


def test_a_fifty_megabyte_upload_is_refused_with_a_chinese_message(client, people, login):
    login(people["bureau"])
    data = {"file": (io.BytesIO(b"0" * (50 * 1024 * 1024)), "巨大的台账.xlsx")}
    response = client.post("/imports/funds/check", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "上传的文件过大：一次上传不能超过 12 MB" in response.get_data(as_text=True)
