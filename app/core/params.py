"""Values people submit, read once: whole numbers, record ids and text, in range and printable."""

from __future__ import annotations

import re
from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

MAX_DIGITS = 12
MAX_ID = 2**63 - 1  # the largest value of a BIGINT (and of SQLite's INTEGER) column
BAD_ID = "请从列表中选择"

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; lone surrogates.
# PostgreSQL text cannot hold NUL, and none of them is anything a person means to type.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\t\r\n]+")


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


def record_id(raw: Any) -> int | None:
    """A submitted record id: None when blank; ValueError unless 1..2^63-1 in ASCII digits."""
    if raw is None or isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw <= MAX_ID:
        return raw
    text = str(raw).strip()
    if text in ("", "None"):
        return None
    if len(text) > len(str(MAX_ID)) or not (text.isascii() and text.isdigit()):
        raise ValueError(BAD_ID)
    value = int(text)
    if not 0 < value <= MAX_ID:
        raise ValueError(BAD_ID)
    return value


def plain_text(raw: Any, *, multiline: bool = True) -> Any:
    """Text without control characters; one line (tabs and breaks as spaces) unless multiline.

    Anything that is not a str (None, a date, an uploaded file) is returned as it came.
    """
    if not isinstance(raw, str):
        return raw
    text = _CONTROL.sub("", raw) if _CONTROL.search(raw) else raw
    return text if multiline else _LINE_BREAKS.sub(" ", text)


class PlainParameters(ImmutableMultiDict):
    """Query-string and form values with control characters removed, as every view reads them.

    Set as the request's parameter storage, so a NUL in `?q=` or in a posted field never
    reaches the database (PostgreSQL refuses it) whatever reads the value.
    """

    def __init__(self, mapping: Any = None):
        super().__init__([(plain_text(key), plain_text(value)) for key, value in _pairs(mapping)])


def _pairs(mapping: Any) -> list[tuple[Any, Any]]:
    """(key, value) pairs of whatever a MultiDict may be built from."""
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        return list(mapping.items(multi=True))
    if isinstance(mapping, dict):
        return [
            (key, one)
            for key, value in mapping.items()
            for one in (value if isinstance(value, list | tuple) else [value])
        ]
    return list(mapping)


class PlainRequest(Request):
    """The application's request: every query-string and form value read through PlainParameters."""

    parameter_storage_class = PlainParameters
