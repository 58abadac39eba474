"""Reading a list page as a user sees it: its count, its export link and its export's rows."""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd

TOTAL = re.compile(r'data-testid="list-total">(\d+)<')


def total(html: str) -> int:
    """The row count the list bar shows."""
    found = TOTAL.search(html)
    assert found, "the page shows no row count"
    return int(found.group(1))


def export_href(html: str) -> str:
    """The export button's link."""
    found = re.search(r'<a[^>]*href="([^"]+)"[^>]*data-testid="list-export"', html)
    assert found, "the list has no export button"
    return found.group(1).replace("&amp;", "&")


def sheet_rows(data: bytes, first_header: str) -> list[dict[str, Any]]:
    """The export's data rows as {header: value}, below the header row starting `first_header`
    (title rows above it are skipped; a 合计 row below is kept)."""
    frame = pd.read_excel(io.BytesIO(data), engine="calamine", header=None, dtype=object)
    cells = frame.where(frame.notna(), None).values.tolist()
    start = next(i for i, row in enumerate(cells) if row[0] == first_header)
    headers = cells[start]
    return [dict(zip(headers, row, strict=True)) for row in cells[start + 1 :]]


def exported(client, html: str, first_header: str) -> list[dict[str, Any]]:
    """Follow the page's export link and read its rows."""
    response = client.get(export_href(html))
    assert response.status_code == 200, response.status_code
    return sheet_rows(response.data, first_header)
