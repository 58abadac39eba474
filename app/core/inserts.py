"""Many rows into one table in one executemany, their values put into the driver's form ahead.

SQLAlchemy's insert of a list of rows compiles each row's parameters and runs each value
through its type's bind processor while the statement runs: for an import's 10,000 projects,
about 0.2 s of Python inside the transaction that holds SQLite's one write lock. An `Insert`
does the same conversion, with the same bind processors, whenever its caller chooses (an
import: while it builds its rows, before it takes the lock), and hands the driver tuples."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table


class Insert:
    """One table's insert of the given columns, with each column's bind processor."""

    def __init__(self, dialect: Dialect, table: Table, keys: Sequence[str]):
        self.keys = tuple(keys)
        columns = [table.c[key] for key in self.keys]
        self._process: dict[str, Callable[[Any], Any] | None] = {
            column.key: column.type.dialect_impl(dialect).bind_processor(dialect)
            for column in columns
        }
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote
        # Identifiers from the table's metadata, quoted by the dialect; every value a parameter.
        names = ", ".join(quote(column.name) for column in columns)
        marks = ", ".join(mark for _column in columns)
        target = dialect.identifier_preparer.format_table(table)
        self.sql = f"INSERT INTO {target} ({names}) VALUES ({marks})"  # noqa: S608

    def driver_values(
        self, rows: Iterable[Mapping[str, Any]], keys: Sequence[str] | None = None
    ) -> list[tuple]:
        """Each row's values of `keys` (by default every column of the insert), in that order
        and in the driver's form; a key a row lacks is NULL, as a flush leaving it out stores."""
        keys = self.keys if keys is None else tuple(keys)
        process = [self._process[key] for key in keys]
        if not any(process):
            return [tuple(row.get(key) for key in keys) for row in rows]
        pairs = list(zip(keys, process, strict=True))
        return [
            tuple(
                row.get(key) if convert is None else convert(row.get(key)) for key, convert in pairs
            )
            for row in rows
        ]

    def run(self, connection: Connection, params: list[tuple]) -> None:
        """Insert the rows: each a tuple of the driver's values in the order of `keys`."""
        if params:
            connection.exec_driver_sql(self.sql, params)
