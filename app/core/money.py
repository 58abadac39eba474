"""Money: stored as whole 元 in integers, handled as Decimal 万元, shown as 万元 or 亿元."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

YUAN_PER_WAN = 10_000
CENT = Decimal("0.01")
# 10^14 万元 = 10^18 元, below what a BIGINT column holds (9.2 × 10^18): far beyond any real
# amount, so a longer number is a typing slip, not an amount.
TOO_LARGE_WAN = Decimal(10) ** 14

# Full-width digits, point and comma as a Chinese input method types them (NFKC for these
# only: "²" or "٣" are not digits of an amount, though Decimal() would read "٣" as 3).
_FULL_WIDTH = {0xFF10 + i: str(i) for i in range(10)} | {ord("．"): ".", ord("，"): ","}
# ASCII digits; commas only between groups of three in the whole part (1,234.50).
_AMOUNT = re.compile(r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)")
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def wan_to_yuan(amount_wan: Decimal) -> int:
    """万元 with at most two decimals to whole 元 (0.01 万元 = 100 元, so this is exact)."""
    return int((Decimal(amount_wan) * YUAN_PER_WAN).to_integral_value(rounding=ROUND_HALF_UP))


def yuan_to_wan(amount_yuan: int | None) -> Decimal:
    """Whole 元 to 万元 as a Decimal with two places."""
    return (Decimal(amount_yuan or 0) / YUAN_PER_WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan_to_yi(amount_yuan: int | None) -> Decimal:
    """Whole 元 to 亿元 with two places, as summaries show it (19.06 亿元)."""
    return (Decimal(amount_yuan or 0) / 100_000_000).quantize(CENT, rounding=ROUND_HALF_UP)


def _refusal(raw: str, typed: str) -> str:
    """Why `typed` (already normalised; `raw` as the person typed it) is not an amount."""
    if "_" in typed:
        return f"“{raw}”含有下划线：千位请用逗号分隔（如 1,000），或不分隔"
    if any(c.isdigit() and not c.isascii() for c in typed):
        return f"“{raw}”含有 0—9 以外的数字字符，请用阿拉伯数字 0—9 书写"
    if "," in typed and _PLAIN.fullmatch(typed.replace(",", "")):
        return (
            f"“{raw}”的逗号位置不对：逗号只能每三位分隔千位（如 1,234.50），"
            "小数点请用“.”"
        )
    try:
        Decimal(typed)
    except InvalidOperation:
        return f"“{raw}”不是数字"
    return f"“{raw}”不是普通的数字写法"  # 1e9, NaN, Infinity


def parse_wan(text: object) -> Decimal:
    """Parse a 万元 amount typed by a person; raise ValueError with a Chinese reason."""
    raw = str(text).strip()
    if not raw:
        raise ValueError("金额不能为空")
    typed = raw.translate(_FULL_WIDTH)
    if not _AMOUNT.fullmatch(typed):
        raise ValueError(_refusal(raw, typed))
    value = Decimal(typed.replace(",", ""))
    if abs(value) >= TOO_LARGE_WAN:
        raise ValueError(f"“{raw}”万元过大，请核对金额和单位（万元）")
    if value != value.quantize(CENT):
        raise ValueError("金额最多两位小数（万元）")
    return value.quantize(CENT)


def format_wan(amount_yuan: int | None) -> str:
    """Show whole 元 as 万元 with two decimals and thousands separators."""
    return f"{yuan_to_wan(amount_yuan):,.2f}"


def format_yi(amount_yuan: int | None) -> str:
    """Show whole 元 as 亿元 with two decimals."""
    return f"{yuan_to_yi(amount_yuan):,.2f}"
