"""Spreadsheets in and out: `reading` turns .xlsx/.xls/.csv into rows, `writing` writes .xlsx
safely and streamed. Domains import from here."""

from app.core.spreadsheets.reading import (
    CSV,
    XLS,
    XLSX,
    SpreadsheetError,
    Table,
    file_kind,
    is_blank,
    normalise_header,
    read_table,
)
from app.core.spreadsheets.writing import (
    Column,
    Sheet,
    Styled,
    display_width,
    needs_escape,
    write_workbook,
)

__all__ = [
    "CSV",
    "XLS",
    "XLSX",
    "Column",
    "Sheet",
    "SpreadsheetError",
    "Styled",
    "Table",
    "display_width",
    "file_kind",
    "is_blank",
    "needs_escape",
    "normalise_header",
    "read_table",
    "write_workbook",
]
