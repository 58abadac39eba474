"""Reading spreadsheets: .xlsx/.xls/.csv into rows of cells.

The file's real type is decided by its first bytes; a zip's unpacked size and each sheet's
row count are checked before anything parses it (from the zip's directory and a streaming
count of the sheets' <row> elements, which costs a fraction of a second where parsing a
swollen sheet cost ten seconds and 600 MB); the header row is looked for in the first rows of
each sheet; blank rows and a trailing 合计 row are dropped; control characters are removed
from every text cell.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from app.core.params import plain_text

HEADER_SCAN_ROWS = 10
# A real 100,000-row import unpacks to 35 MB (the funds ledger, 8 columns) or 90 MB (projects,
# all 20 columns filled with long names and notes): 100 MB passes both.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
MAX_DATA_ROWS = 100_000
# Rows a sheet may hold: the data rows, the rows above the header and a 合计 row.
MAX_SHEET_ROWS = MAX_DATA_ROWS + HEADER_SCAN_ROWS + 1
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?row[\s/>]")
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]{0,20}:)?dimension\s+ref=\"[A-Z]*[0-9]*:?[A-Z]*([0-9]+)\""
)
_CHUNK = 1 << 20
_OVERLAP = 32  # longer than any row tag the pattern matches
TOTAL_WORDS = ("合计", "总计", "小计")

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
            raise _too_large()
        budget = MAX_UNPACKED_BYTES  # the sizes in the directory may lie: count what unpacks
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                try:
                    budget -= _check_sheet_rows(archive, member, budget)
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
                    raise SpreadsheetError("文件已损坏，无法作为 Excel 文件打开") from None


def _too_large() -> SpreadsheetError:
    limit = MAX_UNPACKED_BYTES // (1024 * 1024)
    return SpreadsheetError(f"文件解压后超过 {limit} MB，内容过大，请拆分后分批导入")


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError(
        f"工作表超过 {MAX_DATA_ROWS} 行，超过单次导入上限，请拆分文件后分批导入"
    )


def _check_sheet_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int) -> int:
    """Refuse a sheet of more rows than an import takes, reading it as a stream, not parsing
    it: the declared <dimension> when it says so at once, else a count of its <row> tags.
    Returns the bytes unpacked; refuses when they exceed `budget`."""
    rows, unpacked, tail = 0, 0, b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if unpacked == 0:
                declared = _DIMENSION.search(chunk[:4096])
                if declared and int(declared.group(1)) > MAX_SHEET_ROWS:
                    raise _too_many_rows()
            unpacked += len(chunk)
            if unpacked > budget:
                raise _too_large()
            buffer = tail + chunk
            if not chunk:
                rows += len(_ROW_TAG.findall(buffer))
                break
            safe = max(0, len(buffer) - _OVERLAP)
            tail = buffer[safe:]  # its tags are counted with the next chunk
            rows += len(_ROW_TAG.findall(buffer)) - len(_ROW_TAG.findall(tail))
            if rows > MAX_SHEET_ROWS:
                raise _too_many_rows()
    if rows > MAX_SHEET_ROWS:
        raise _too_many_rows()
    return unpacked


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


def _printable(cells: list[Any]) -> list[Any]:
    """A row's cells with control characters removed from its text (a NUL cannot be stored)."""
    return [plain_text(c) if isinstance(c, str) else c for c in cells]


def _data_rows(rows: list[list[Any]], header_index: int) -> list[tuple[int, list[Any]]]:
    out = [
        (number, _printable(cells))
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
            headers = ["" if is_blank(c) else plain_text(str(c)).strip() for c in rows[index]]
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
