"""Investor names normalised for duplicate detection, and the text that search looks in."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司")
_BRACKETS_AND_SPACES = re.compile(r"[\s()（）\[\]【】〔〕<>《》]")
# pypinyin reads some place names wrongly (PITFALLS.md); the bureau's own corrections.
PINYIN_ALIASES = {"单县": "sx", "六安": "la", "蚌埠": "bb", "长沙": "cs", "重庆": "cq"}


def normalise_investor(name: str) -> str:
    """Full-width to half-width, spaces and brackets out, company suffixes dropped."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _BRACKETS_AND_SPACES.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
    return text


def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters and the letters and digits (华润置地 → hrzd)."""
    for place, alias in PINYIN_ALIASES.items():
        text = text.replace(place, "\0" + alias + "\0")
    letters = []
    for part in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"):
        letters.extend(c for c in part.lower() if c.isascii() and c.isalnum())
    return "".join(letters)


def search_text(*fields: str | None) -> str:
    """What search matches: the fields lower-cased, then their pinyin initials."""
    present = [unicodedata.normalize("NFKC", f).lower() for f in fields if f]
    return " | ".join(present + [initials(f) for f in present])
