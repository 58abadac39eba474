"""Walking a converted list as a user: its rows in both directions of a sort, odd queries."""

from __future__ import annotations

import re

from tests.lists.helpers import total


def cells(client, url: str, pattern: re.Pattern) -> list[str]:
    """What the pattern finds on the page (one per row), asserting the page answered."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return pattern.findall(response.get_data(as_text=True))


def assert_sorts_both_ways(client, url: str, key: str, pattern: re.Pattern) -> None:
    """?sort=key and ?sort=-key list the same rows in opposite orders (distinct values)."""
    glue = "&" if "?" in url else "?"
    ascending = cells(client, f"{url}{glue}sort={key}", pattern)
    descending = cells(client, f"{url}{glue}sort=-{key}", pattern)
    assert len(ascending) > 1 and ascending == descending[::-1], (key, ascending, descending)


def assert_odd_queries_answer(client, url: str, pattern: re.Pattern, rows: int) -> None:
    """A page beyond the last, odd sorts and negative pages: a page of the rows, never a 500;
    an unknown sort falls back to the default order."""
    glue = "&" if "?" in url else "?"
    default = cells(client, url, pattern)
    for query in ("page=100000", "sort=;drop table units", "sort=--x", "page=-3", "sort=bogus"):
        response = client.get(f"{url}{glue}{query}")
        assert response.status_code == 200, (query, response.status_code)
        html = response.get_data(as_text=True)
        assert total(html) == rows and len(pattern.findall(html)) == rows, query
        if "sort" in query:
            assert pattern.findall(html) == default, query
