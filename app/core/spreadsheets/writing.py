"""Writing spreadsheets: domains hand over `Sheet`s of `(columns, rows)`; one function writes
them with XlsxWriter's constant-memory mode, escaping every text that a spreadsheet would run
as a formula.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import xlsxwriter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767


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
