"""Spreadsheets in and out: .xlsx/.xls/.csv read into rows, .xlsx written safely and streamed.

Reading: the file's real type is decided by its first bytes, a zip's unpacked size is checked
before anything parses it, the header row is looked for in the first rows of each sheet, and
blank rows and a trailing 合计 row are dropped. Writing: domains hand over `Sheet`s of
`(columns, rows)`; one function writes them with XlsxWriter's constant-memory mode, escaping
every text that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pandas as pd
import xlsxwriter

HEADER_SCAN_ROWS = 10
MAX_UNPACKED_BYTES = 150 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
MAX_DATA_ROWS = 100_000
TOTAL_WORDS = ("合计", "总计", "小计")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767

XLSX, XLS, CSV = "xlsx", "xls", "csv"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message says why, in Chinese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class Table:
    """The data of one sheet: where its header is, which template columns it has, its rows."""

    sheet: str
    header_row: int  # 1-based row number in the sheet
    headers: list[str]  # the header row as written in the file
    columns: dict[str, int]  # template header -> 0-based column index
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, cells)

    def get(self, cells: list[Any], header: str) -> Any:
        """The cell of a template column in one row (None when the column is absent)."""
        index = self.columns.get(header)
        if index is None or index >= len(cells):
            return None
        return cells[index]


def normalise_header(text: Any) -> str:
    """Headers compare without spaces and with full-width brackets made half-width."""
    if is_blank(text):
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, NaN, or text of only spaces."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def file_kind(data: bytes, filename: str = "") -> str:
    """xlsx, xls or csv decided by the content; refuse anything else."""
    if not data:
        raise SpreadsheetError("文件是空的")
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if data.startswith(_OLE2):
        return XLS
    head = data[:4096]
    if b"\x00" in head or data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff")):
        raise SpreadsheetError("文件类型不支持：请上传 Excel（.xlsx / .xls）或 CSV 文件")
    return CSV


def check_zip(data: bytes) -> None:
    """Refuse a zip that is not a workbook, or that would unpack to more than the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SpreadsheetError("文件已损坏，无法作为 Excel 文件打开") from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise SpreadsheetError("文件不是 Excel 工作簿（.xlsx），请另存为 Excel 格式后再上传")
        unpacked = sum(m.file_size for m in members)
        if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
            limit = MAX_UNPACKED_BYTES // (1024 * 1024)
            raise SpreadsheetError(f"文件解压后超过 {limit} MB，内容过大，请拆分后分批导入")


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码")


def _csv_sheets(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    text = _decode_csv(data)
    try:
        sample = text[:8192]
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as error:
        raise SpreadsheetError(f"CSV 文件格式有误：{error}") from None
    return [("CSV", rows)]


def _excel_sheets(data: bytes):
    """Yield (sheet name, loader) for each sheet; the loader parses it when called."""
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
    except Exception:  # noqa: BLE001 - calamine raises many kinds of error for a damaged file
        raise SpreadsheetError("文件已损坏或不是有效的 Excel 文件，无法读取") from None
    for name in book.sheet_names:

        def load(name=name) -> list[list[Any]]:
            try:
                frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
            except Exception:  # noqa: BLE001
                raise SpreadsheetError(f"工作表“{name}”无法读取，文件可能已损坏") from None
            return frame.to_numpy().tolist()

        yield name, load


def _find_header(
    rows: list[list[Any]], required: Sequence[str], known: Sequence[str]
) -> tuple[int, dict[str, int]] | None:
    """The first row among the first few whose cells hold every required template header."""
    best: tuple[int, dict[str, int]] | None = None
    wanted = {normalise_header(h): h for h in known}
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(cells):
            header = wanted.get(normalise_header(cell))
            if header and header not in columns:
                columns[header] = position
        if all(h in columns for h in required):
            return index, columns
        if columns and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    return best


def _data_rows(rows: list[list[Any]], header_index: int) -> list[tuple[int, list[Any]]]:
    out = [
        (number, cells)
        for number, cells in enumerate(rows[header_index + 1 :], start=header_index + 2)
        if not all(is_blank(c) for c in cells)
    ]
    if out:
        first = next((c for c in out[-1][1] if not is_blank(c)), "")
        if normalise_header(first).startswith(TOTAL_WORDS):
            out.pop()
    return out


def read_table(
    data: bytes, filename: str, required: Sequence[str], optional: Sequence[str] = ()
) -> Table:
    """The data rows of the first sheet that has the template's header row."""
    kind = file_kind(data, filename)
    if kind == XLSX:
        check_zip(data)
    sheets = _csv_sheets(data) if kind == CSV else _excel_sheets(data)
    known = list(required) + [h for h in optional if h not in required]
    nearest: tuple[str, dict[str, int]] | None = None
    for item in sheets:
        name, rows = item if kind == CSV else (item[0], item[1]())
        found = _find_header(rows, required, known)
        if found is None:
            continue
        index, columns = found
        if all(h in columns for h in required):
            headers = ["" if is_blank(c) else str(c).strip() for c in rows[index]]
            table = Table(name, index + 1, headers, columns, _data_rows(rows, index))
            if not table.rows:
                raise SpreadsheetError(f"工作表“{name}”表头下没有数据行")
            if len(table.rows) > MAX_DATA_ROWS:
                raise SpreadsheetError(
                    f"数据行 {len(table.rows)} 行，超过单次导入上限 {MAX_DATA_ROWS} 行，请拆分文件"
                )
            return table
        if nearest is None or len(columns) > len(nearest[1]):
            nearest = (name, columns)
    if nearest is None:
        sample = "”“".join(required[:3])
        raise SpreadsheetError(
            f"未找到表头行：前 {HEADER_SCAN_ROWS} 行中没有“{sample}”等列名，请使用导入模板"
        )
    missing = "、".join(h for h in required if h not in nearest[1])
    raise SpreadsheetError(f"表头缺少必需的列：{missing}（工作表“{nearest[0]}”）")


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class Column:
    """One column of an export: header, kind (text/money/date/int/percent), width, summed."""

    header: str
    kind: str = "text"
    width: float | None = None
    total: bool = False


@dataclass
class Sheet:
    """One worksheet: optional title lines above a frozen header, rows, and a 合计 row."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title: str | None = None
    subtitle: str | None = None
    total_label: str = "合计"
    row_count: int = 0  # filled in by write_workbook
    # Group headers above the header row, left to right: (label, number of columns). A group
    # labelled "" merges each of its columns' headers down over both rows. Such a sheet is
    # written without constant-memory mode (merges span rows), so keep it report-sized.
    groups: Sequence[tuple[str, int]] = ()
    paper: int = 9  # XlsxWriter paper size: 9 is A4, 8 is A3 (wide report tables)


@dataclass(frozen=True)
class Styled:
    """A cell value with its own fill colour and/or number format (lights, highlights)."""

    value: Any
    fill: str | None = None
    num_format: str | None = None
    bold: bool = False
    align: str | None = None  # "center" for a dash in a column of numbers


def needs_escape(text: str) -> bool:
    """True for text that a spreadsheet would otherwise run as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def display_width(text: str) -> int:
    """Columns a text needs: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_DEFAULT_WIDTHS = {"money": 15, "date": 12, "int": 9, "percent": 10, "text": 14}


class _Formats:
    def __init__(self, book):
        base = {"border": 1, "valign": "vcenter", "font_size": 10}
        self.header = book.add_format(
            {**base, "bold": True, "bg_color": "#DDEBF7", "align": "center", "text_wrap": True}
        )
        self.title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.subtitle = book.add_format({"font_size": 10, "font_color": "#555555"})
        self.text = book.add_format(base)
        self.escaped = book.add_format({**base, "quote_prefix": True})
        self.money = book.add_format({**base, "num_format": "#,##0.00"})
        self.date = book.add_format({**base, "num_format": "yyyy-mm-dd", "align": "left"})
        self.int = book.add_format({**base, "num_format": "0"})
        self.percent = book.add_format({**base, "num_format": "0.0%"})
        total = {**base, "bold": True, "bg_color": "#F2F2F2"}
        self.total_text = book.add_format(total)
        self.total_money = book.add_format({**total, "num_format": "#,##0.00"})
        self.total_int = book.add_format({**total, "num_format": "0"})
        self._book, self._base, self._styled = book, base, {}

    _KIND_FORMATS = {"money": "#,##0.00", "int": "0", "percent": "0.0%"}

    def styled(self, kind: str, cell: Styled, escaped: bool = False):
        """The format of a Styled cell of a column kind (made once per combination)."""
        key = (kind, cell.fill, cell.num_format, cell.bold, cell.align, escaped)
        if key not in self._styled:
            props = dict(self._base)
            number = cell.num_format or self._KIND_FORMATS.get(kind)
            if number and isinstance(cell.value, Decimal | int | float):
                props["num_format"] = number
            if cell.fill:
                props["bg_color"] = cell.fill
            if cell.bold:
                props["bold"] = True
            if escaped:
                props["quote_prefix"] = True
            if cell.align:
                props["align"] = cell.align
            self._styled[key] = self._book.add_format(props)
        return self._styled[key]


def _cell_writer(sheet, formats: _Formats, kind: str):
    """A function writing one value of a column kind; None leaves the cell empty."""
    # The underscored methods skip XlsxWriter's A1-notation wrapper, a measurable cost per
    # cell of a 200,000-row export (XlsxWriter is pinned); the public ones are the fallback.
    write_string = getattr(sheet, "_write_string", sheet.write_string)
    write_number = getattr(sheet, "_write_number", sheet.write_number)
    write_datetime = getattr(sheet, "_write_datetime", sheet.write_datetime)
    text_fmt, escaped = formats.text, formats.escaped
    number_fmt = {"money": formats.money, "int": formats.int, "percent": formats.percent}.get(kind)
    number_fmt = number_fmt or text_fmt

    def write(row: int, col: int, value: Any) -> None:
        cls = type(value)  # the common types first, by identity: the export's hot loop
        if cls is str and len(value) <= MAX_CELL_CHARS:
            write_string(
                row, col, value, escaped if value.startswith(FORMULA_TRIGGERS) else text_fmt
            )
            return
        if cls is Decimal or cls is int or cls is float:
            write_number(row, col, float(value), number_fmt)
            return
        if cls is date or cls is datetime:
            write_datetime(row, col, value, formats.date)
            return
        if isinstance(value, Styled):
            inner = value.value
            if isinstance(inner, Decimal | int | float) and not isinstance(inner, bool):
                write_number(row, col, float(inner), formats.styled(kind, value))
            elif inner is None:
                sheet.write_blank(row, col, None, formats.styled(kind, value))
            else:
                inner = str(inner)[:MAX_CELL_CHARS]
                escaped_text = inner.startswith(FORMULA_TRIGGERS)
                write_string(row, col, inner, formats.styled(kind, value, escaped_text))
            return
        if isinstance(value, str):
            if len(value) > MAX_CELL_CHARS:
                value = value[:MAX_CELL_CHARS]
            write_string(
                row, col, value, escaped if value.startswith(FORMULA_TRIGGERS) else text_fmt
            )
        elif isinstance(value, bool):
            write_string(row, col, "是" if value else "否", text_fmt)
        elif isinstance(value, Decimal | int | float):
            write_number(row, col, float(value), number_fmt)
        elif isinstance(value, datetime | date):
            write_datetime(row, col, value, formats.date)
        elif value is not None:
            write(row, col, str(value))

    return write


def _write_groups(sheet, formats: _Formats, groups, columns, group_row: int) -> None:
    """Merged group headers above the header row; ungrouped headers span both rows."""
    col = 0
    for label, span in groups:
        if label and span > 1:
            sheet.merge_range(group_row, col, group_row, col + span - 1, label, formats.header)
        elif label:
            sheet.write_string(group_row, col, label, formats.header)
        else:
            for i in range(col, min(col + span, len(columns))):
                sheet.merge_range(group_row, i, group_row + 1, i, columns[i].header, formats.header)
        col += max(span, 0)
    for i in range(col, len(columns)):
        sheet.merge_range(group_row, i, group_row + 1, i, columns[i].header, formats.header)


def _write_sheet(book, formats: _Formats, spec: Sheet) -> None:
    sheet = book.add_worksheet(spec.name[:31])
    columns = list(spec.columns)
    for i, col in enumerate(columns):
        width = col.width or max(_DEFAULT_WIDTHS[col.kind], display_width(col.header) + 2)
        sheet.set_column(i, i, width)
    row = 0
    last = max(len(columns) - 1, 0)
    if spec.title:
        sheet.set_row(row, 24)
        sheet.merge_range(row, 0, row, last, spec.title, formats.title)
        row += 1
    if spec.subtitle:
        sheet.merge_range(row, 0, row, last, spec.subtitle, formats.subtitle)
        row += 1
    group_row = None
    if spec.groups:
        group_row, row = row, row + 1
    header_row = row
    for i, col in enumerate(columns):
        sheet.write_string(row, i, col.header, formats.header)
    if group_row is not None:
        _write_groups(sheet, formats, spec.groups, columns, group_row)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row if group_row is None else group_row, header_row)
    sheet.set_landscape()
    sheet.set_paper(spec.paper)
    sheet.fit_to_pages(1, 0)
    writers = [_cell_writer(sheet, formats, c.kind) for c in columns]
    summed = [i for i, c in enumerate(columns) if c.total]
    sums = dict.fromkeys(summed, Decimal(0))
    count = 0
    for values in spec.rows:
        row += 1
        count += 1
        for i, value in enumerate(values):
            if value is not None:
                writers[i](row, i, value)
        for i in summed:
            value = values[i].value if isinstance(values[i], Styled) else values[i]
            if isinstance(value, Decimal | int):
                sums[i] += value
    spec.row_count = count
    if count:
        sheet.autofilter(header_row, 0, header_row + count, last)
    if summed:
        row += 1
        sheet.write_string(row, 0, spec.total_label, formats.total_text)
        for i, col in enumerate(columns[1:], start=1):
            if i in sums:
                fmt = formats.total_money if col.kind == "money" else formats.total_int
                sheet.write_number(row, i, float(sums[i]), fmt)
            else:
                sheet.write_blank(row, i, None, formats.total_text)


def write_workbook(target: str | Path | IO[bytes], sheets: Sequence[Sheet]) -> int:
    """Write the sheets to an .xlsx file, streaming rows; return the number of data rows."""
    book = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {
            # Merged group headers span rows, which constant-memory mode cannot write.
            "constant_memory": not any(s.groups for s in sheets),
            "default_date_format": "yyyy-mm-dd",
        },
    )
    formats = _Formats(book)
    try:
        for spec in sheets:
            _write_sheet(book, formats, spec)
    finally:
        book.close()
    return sum(s.row_count for s in sheets)
