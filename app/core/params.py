"""Whole numbers from query strings and forms: the one reading every page uses."""

from __future__ import annotations

from typing import Any

MAX_DIGITS = 12


def whole_number(raw: Any, low: int | None = None, high: int | None = None) -> int | None:
    """The non-negative integer written in `raw`, or None when it is not one or out of range.

    ASCII digits only: "²" and "٣" pass str.isdigit() yet int() refuses them, and a
    5,000-digit string would make int() itself refuse; neither may reach a page as an error.
    """
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value
