"""Targets from a sheet: one row a unit, all or nothing, every bad cell reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.cells import CellError, RowError, parse_amount, text
from app.core.money import wan_to_yuan
from app.core.spreadsheets import SpreadsheetError, read_table
from app.targets.models import BY_KEY, MEASURES, Measure, origin_problems
from app.targets.services import MAX_COUNT, MAX_WAN, Values, targets_of_year
from app.units.queries import unit_by_name

UNIT_HEADER = "责任单位"
HEADERS = {m.header: m for m in MEASURES}  # e.g. 到位资金（万元）


@dataclass
class Parsed:
    """A checked sheet: the values per unit, or the errors (row, column, reason)."""

    values: dict[int, Values] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: int = 0


def _count(cell: Any) -> int | None:
    raw = text(cell)
    if not raw:
        return None
    try:
        number = float(raw.replace(",", ""))
    except ValueError:
        raise CellError(f"“{raw}”不是整数（个数）") from None
    if number < 0:
        raise CellError("目标不能为负数")
    if not number.is_integer():
        raise CellError(f"“{raw}”不是整数（个数）")
    if number > MAX_COUNT:
        raise CellError("个数过大，请核对")
    return int(number)


def _money(cell: Any) -> int | None:
    value = parse_amount(cell, required=False)
    if value is None:
        return None
    if value < 0:
        raise CellError("目标不能为负数")
    if value > MAX_WAN:
        raise CellError("金额过大（超过 1 万亿元），请核对单位是否为万元")
    return wan_to_yuan(value)


def _cell(measure: Measure, cell: Any) -> int | None:
    return _money(cell) if measure.money else _count(cell)


def parse_sheet(data: bytes, filename: str, year: int) -> Parsed:
    """Read and check every row; nothing is written here."""
    result = Parsed()
    try:
        table = read_table(data, filename, [UNIT_HEADER], list(HEADERS))
    except SpreadsheetError as error:
        result.errors.append(RowError(0, "", error.message))
        return result
    present = [HEADERS[h] for h in HEADERS if h in table.columns]
    result.columns = [m.header for m in present]
    if not present:
        result.errors.append(
            RowError(table.header_row, "", "表头中没有目标列，如“签约项目（个）”“到位资金（万元）”")
        )
        return result
    existing = targets_of_year(year)
    seen: dict[int, int] = {}
    for number, cells in table.rows:
        result.rows += 1
        name = text(table.get(cells, UNIT_HEADER))
        unit = unit_by_name(name) if name else None
        if unit is None:
            reason = f"单位“{name}”不存在，请与单位管理中的名称一致" if name else "请填写责任单位"
            result.errors.append(RowError(number, UNIT_HEADER, reason))
            continue
        if unit.id in seen:
            result.errors.append(
                RowError(number, UNIT_HEADER, f"“{name}”在第 {seen[unit.id]} 行已出现")
            )
            continue
        seen[unit.id] = number
        current = existing.get(unit.id)
        row: Values = {m.key: current.value(m.key) if current else None for m in MEASURES}
        for measure in present:
            try:
                row[measure.key] = _cell(measure, table.get(cells, measure.header))
            except CellError as error:
                result.errors.append(RowError(number, measure.header, str(error)))
        for key, problem in origin_problems(row).items():
            result.errors.append(RowError(number, BY_KEY[key].header, problem))
        result.values[unit.id] = row
    if result.errors:
        result.values = {}
    return result
