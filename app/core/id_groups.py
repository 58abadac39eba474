"""Statements over many rows named by id (the projects an import wrote): the ids in groups a
statement can take, each a run of consecutive ids (one BETWEEN, however long) or a list of
scattered ones (one IN of at most IN_LIST). An import's 10,000 ids are one run: one condition
where 50 IN lists of 200 cost SQLAlchemy a tenth of a second to compile, inside the write."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

IN_LIST = 200  # ids per IN list (SQLite's bound parameters are limited)
RUN = 16  # consecutive ids from which a run is worth a BETWEEN of its own


def id_groups(ids: Iterable[int]) -> list[range | list[int]]:
    """The distinct ids in ascending order, as runs (ranges) and IN lists."""
    ordered = sorted({int(i) for i in ids})
    groups: list[range | list[int]] = []
    scattered: list[int] = []
    start = 0
    for end in range(1, len(ordered) + 1):
        if end < len(ordered) and ordered[end] == ordered[end - 1] + 1:
            continue
        if end - start >= RUN:
            groups.append(range(ordered[start], ordered[end - 1] + 1))
        else:
            scattered += ordered[start:end]
        start = end
    return groups + list(chunks(scattered))


def matching(column: Any, group: range | list[int]) -> Any:
    """The condition that `column` is one of the group's ids."""
    if isinstance(group, range):
        return column.between(group.start, group.stop - 1)
    return column.in_(group)


def chunks(items: Sequence, size: int = IN_LIST) -> Iterator[list]:
    """The items in order, in slices of at most `size` (one statement's IN list each)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
