"""Investor names normalised for duplicate detection, and the text that search looks in."""

from __future__ import annotations

import functools
import re
import unicodedata

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS

SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司")
_BRACKETS_AND_SPACES = re.compile(r"[\s()（）\[\]【】〔〕<>《》]")
# pypinyin reads some place names wrongly (docs/pitfalls.md, "Search in Chinese"); the bureau's
# own corrections.
PINYIN_ALIASES = {"单县": "sx", "六安": "la", "蚌埠": "bb", "长沙": "cs", "重庆": "cq"}
FULL_PINYIN_ALIASES = {
    "单县": "shanxian", "六安": "luan", "蚌埠": "bengbu", "长沙": "changsha", "重庆": "chongqing",
}  # fmt: skip


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
    # pypinyin reads each run of Chinese characters on its own, so a run's reading can be kept:
    # an import of thousands of names repeats the same runs (“有限公司”, “产业项目”).
    return "".join(
        _han_initials(part) if _HAN.fullmatch(part) else _plain_initials(part)
        for part in _HAN_RUNS.split(text)
        if part
    )


_HAN_CLASS = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")  # pypinyin's own
_HAN = re.compile(f"(?:{_HAN_CLASS})+")
_HAN_RUNS = re.compile(f"((?:{_HAN_CLASS})+)")


def is_chinese(text: str) -> bool:
    """Whether the text is Chinese characters only (a one-character search of them is fine)."""
    return bool(_HAN.fullmatch(text))


@functools.lru_cache(maxsize=50_000)
def _han_initials(run: str) -> str:
    return _plain_initials("".join(lazy_pinyin(run, style=Style.FIRST_LETTER)))


def full_pinyin(text: str) -> str:
    """Full pinyin of the Chinese characters and the letters and digits (华润置地 → huarunzhidi)."""
    for place, alias in FULL_PINYIN_ALIASES.items():
        text = text.replace(place, "\0" + alias + "\0")
    return "".join(
        _han_pinyin(part) if _HAN.fullmatch(part) else _plain_initials(part)
        for part in _HAN_RUNS.split(text)
        if part
    )


@functools.lru_cache(maxsize=50_000)
def _han_pinyin(run: str) -> str:
    return _plain_initials("".join(lazy_pinyin(run)))


def _plain_initials(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def search_text(*fields: str | None) -> str:
    """What search matches: the fields lower-cased, their pinyin initials, then full pinyin."""
    present = [unicodedata.normalize("NFKC", f).lower() for f in fields if f]
    short = [initials(f) for f in present]
    # Full pinyin only where it says more than the field and its initials (a USCC does not).
    full = [p for f, i in zip(present, short, strict=True) if (p := full_pinyin(f)) not in (f, i)]
    return " | ".join(present + short + full)
