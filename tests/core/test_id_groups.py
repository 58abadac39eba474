"""Ids grouped for statements (app/core/id_groups.py): every id once, runs as BETWEEN."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.id_groups import IN_LIST, RUN, chunks, id_groups


@given(st.lists(st.integers(min_value=1, max_value=5_000), max_size=3_000))
def test_the_groups_hold_every_id_once_and_nothing_else(ids):
    groups = id_groups(ids)
    covered = [i for group in groups for i in group]
    assert sorted(covered) == sorted(set(ids))
    assert all(len(group) <= IN_LIST for group in groups if isinstance(group, list))
    assert all(len(group) >= RUN for group in groups if isinstance(group, range))


def test_an_imports_ids_are_one_run():
    assert id_groups(range(101, 10_101)) == [range(101, 10_101)]
    assert id_groups([7, 3, 5]) == [[3, 5, 7]]


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=50))
def test_chunks_keep_every_item_in_order_in_slices_of_at_most_size(items, size):
    sliced = list(chunks(items, size))
    assert [i for chunk in sliced for i in chunk] == items
    assert all(0 < len(chunk) <= size for chunk in sliced)
