"""Cell values as people type them into spreadsheets: dates, 万元 amounts, 是/否, text.

Each parser returns the value or raises CellError with a precise Chinese reason.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.dates import calendar_day, date_problem
from app.core.money import CENT, parse_wan
from app.core.spreadsheets import is_blank

DATE_FORMATS_HINT = "2024-03-05、2024/3/5、2024.3.5 或 2024年3月5日"
_DATE_PATTERNS = (
    re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"),
    re.compile(r"^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})(?: 0{1,2}:00(?::00)?)?$"),
    re.compile(r"^([0-9]{4})\.([0-9]{1,2})\.([0-9]{1,2})$"),
    re.compile(r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日$"),
)


# Full-width digits and separators, as WPS and Chinese input methods type them, read as ASCII;
# other digit scripts (Arabic-Indic ٣) stay unreadable.
_FULL_WIDTH_DATE = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")


class CellError(ValueError):
    """A cell that cannot be read, with the reason in Chinese."""


@dataclass(frozen=True)
class RowError:
    """One problem of one row: the sheet row number, the column header and the reason."""

    row: int
    column: str
    message: str


class RowCells:
    """One sheet row's cells read by column header; an unreadable cell's reason is noted in
    `errors` under its header (the first reason per column) and reads as None."""

    def __init__(self, table: Any, row: list[Any], errors: dict[str, str]):
        self.table, self.row, self.errors = table, row, errors

    def read(self, header: str, parse, *args):
        """The cell parsed by `parse` (a reader of this module, raising CellError)."""
        try:
            return parse(self.table.get(self.row, header), *args)
        except CellError as error:
            self.errors.setdefault(header, str(error))
            return None

    def text(self, header: str) -> str:
        return text(self.table.get(self.row, header))

    def ref(self, header: str, lookup, *args):
        """The cell's text looked up by `lookup` (a name to an id, raising CellError)."""
        try:
            return lookup(self.text(header), *args)
        except CellError as error:
            self.errors.setdefault(header, str(error))
            return None


def text(value: Any) -> str:
    """A cell as trimmed text; numbers without a spurious .0, blanks as ''."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        midnight = value.hour == value.minute == value.second == 0
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    return " ".join(str(value).split())


def parse_date(value: Any) -> date | None:
    """A date cell or a date typed in one of the accepted ways, within the product's range
    (app.core.dates.date_bounds); blank is None."""
    on = _read_date(value)
    problem = date_problem(on) if on else None
    if problem:
        raise CellError(problem)
    return on


def _read_date(value: Any) -> date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return value.to_pydatetime().date()
    raw = text(value).translate(_FULL_WIDTH_DATE)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            try:
                return calendar_day(*(int(g) for g in match.groups()), f"日期“{raw}”")
            except ValueError as error:
                raise CellError(str(error)) from None
    raise CellError(f"日期“{raw}”无法识别，请写成 {DATE_FORMATS_HINT}")


def parse_amount(value: Any, *, required: bool = True) -> Decimal | None:
    """A 万元 amount with at most two decimals; a number cell or text such as 1,234.56."""
    if is_blank(value):
        if required:
            raise CellError("金额不能为空")
        return None
    if isinstance(value, bool):
        raise CellError("金额应为数字")
    if isinstance(value, int):
        return Decimal(value).quantize(CENT)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("金额不是有效的数字")
        exact = Decimal(repr(value))
        rounded = exact.quantize(CENT) if abs(exact) < Decimal("1e15") else exact
        # A number cell computed by a formula can carry binary noise (1234.5600000000002).
        if abs(exact - rounded) > Decimal("1e-7"):
            raise CellError(f"金额“{value}”超过两位小数（单位：万元，精确到分）")
        return rounded
    raw = text(value)
    try:
        return parse_wan(raw)
    except ValueError as error:
        message = str(error)
        if "两位小数" in message:
            message = f"金额“{raw}”超过两位小数（单位：万元，精确到分）"
        raise CellError(message) from None
    except InvalidOperation:
        raise CellError(f"金额“{raw}”不是数字") from None


def parse_yes_no(value: Any) -> bool:
    """是/否 (blank is 否)."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    raw = text(value)
    if raw in ("是", "Y", "y", "1"):
        return True
    if raw in ("否", "N", "n", "0"):
        return False
    raise CellError(f"“{raw}”应填写 是 或 否")


def choice(value: Any, allowed: tuple[str, ...], label: str, default: str | None = None) -> str:
    """One of the allowed words; blank gives the default or an error."""
    raw = text(value)
    if not raw:
        if default is not None:
            return default
        raise CellError(f"请填写{label}（{' / '.join(allowed)}）")
    if raw not in allowed:
        raise CellError(f"{label}“{raw}”不在可选范围：{' / '.join(allowed)}")
    return raw


@dataclass
class CheckedRows:
    """The outcome of checking a sheet's rows: what can be written, and every problem found."""

    items: list[Any]
    errors: list[RowError]
    warnings: list[RowError]
    summary: list[str]
    preview_headers: list[str]
    preview: list[list[Any]]
    # When the check read the records it compared the rows against (UTC): the write, in a
    # transaction of its own, looks again at what changed since.
    as_of: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def optional_amount(value: Any) -> Decimal | None:
    """A 万元 amount that may be left blank."""
    return parse_amount(value, required=False)
