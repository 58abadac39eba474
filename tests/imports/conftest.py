"""Import test helpers: workbooks and CSV files built in memory, uploads through the screen."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
import xlsxwriter

from app.projects.transfer import HEADERS as PROJECT_HEADERS
from tests.funds.conftest import add_entry, login  # noqa: F401  (the same fixtures here)

FUNDS_HEADERS = [
    "项目名称",
    "投资方",
    "到位日期",
    "金额（万元）",
    "资金类型",
    "资金用途",
    "凭证号",
    "备注",
]


def xlsx(rows: list[list], sheet: str = "Sheet1", before: list[list] | None = None) -> bytes:
    """An .xlsx file of the rows; dates become real Excel date cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    if before is not None:
        book.add_worksheet("说明").write(0, 0, "这一页没有表头")
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date | datetime):
                ws.write_datetime(r, c, value, dates)
            elif isinstance(value, str):
                ws.write_string(r, c, value)  # write() would turn "=..." into a formula
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    lines = [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def project_row(**values) -> list:
    """A project import row in template order, with sensible defaults."""
    defaults = {
        "项目名称": "新能源电池项目",
        "投资方": "宁德示例新能源科技有限公司",
        "投资方所在省": "福建省",
        "投资方所在市": "宁德市",
        "是否外资": "否",
        "产业类别": "工业",
        "计划总投资（万元）": "50000",
        "责任单位": "城关街道",
        "项目来源": "招商推介会",
    }
    merged = {**defaults, **values}
    return [merged.get(h) for h in PROJECT_HEADERS]


def funds_row(**values) -> list:
    defaults = {
        "项目名称": "智能制造产业园",
        "投资方": "华润置地（深圳）有限公司",
        "到位日期": "2026-03-05",
        "金额（万元）": "100",
        "资金类型": "国内省外",
        "资金用途": "",
        "凭证号": "YH-1",
    }
    merged = {**defaults, **values}
    return [merged.get(h) for h in FUNDS_HEADERS]


@pytest.fixture
def upload(client):
    """Upload a file to the check step; return the result page's text."""

    def do(kind: str, content: bytes, filename: str = "台账.xlsx", **form) -> str:
        data = {"file": (io.BytesIO(content), filename), **form}
        response = client.post(
            f"/imports/{kind}/check", data=data, content_type="multipart/form-data"
        )
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    return do


def token_of(page: str) -> str | None:
    match = re.search(r"/imports/(?:confirm|errors)/([0-9a-f]{32})", page)
    return match.group(1) if match else None


def row_errors(page: str) -> list[tuple[str, str, str]]:
    """(row, column, reason) of every error listed on the result page."""
    table = page.split('data-testid="row-errors"')[1].split("</table>")[0]
    row = r"<tr><td[^>]*>第 (\d+) 行</td><td[^>]*>([^<]*)</td><td>([^<]*)</td></tr>"
    return re.findall(row, table)
