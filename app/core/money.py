"""Money: stored as whole 元 in integers, handled as Decimal 万元, shown as 万元 or 亿元."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

YUAN_PER_WAN = 10_000
CENT = Decimal("0.01")


def wan_to_yuan(amount_wan: Decimal) -> int:
    """万元 with at most two decimals to whole 元 (0.01 万元 = 100 元, so this is exact)."""
    return int((Decimal(amount_wan) * YUAN_PER_WAN).to_integral_value(rounding=ROUND_HALF_UP))


def yuan_to_wan(amount_yuan: int | None) -> Decimal:
    """Whole 元 to 万元 as a Decimal with two places."""
    return (Decimal(amount_yuan or 0) / YUAN_PER_WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan_to_yi(amount_yuan: int | None) -> Decimal:
    """Whole 元 to 亿元 with two places, as summaries show it (19.06 亿元)."""
    return (Decimal(amount_yuan or 0) / 100_000_000).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_wan(text: object) -> Decimal:
    """Parse a 万元 amount typed by a person; raise ValueError with a Chinese reason."""
    raw = str(text).strip().replace(",", "").replace("，", "")
    if not raw:
        raise ValueError("金额不能为空")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"“{raw}”不是数字") from None
    if not value.is_finite() or "e" in raw.lower():
        raise ValueError(f"“{raw}”不是普通的数字写法")
    if value != value.quantize(CENT):
        raise ValueError("金额最多两位小数（万元）")
    return value.quantize(CENT)


def format_wan(amount_yuan: int | None) -> str:
    """Show whole 元 as 万元 with two decimals and thousands separators."""
    return f"{yuan_to_wan(amount_yuan):,.2f}"


def format_yi(amount_yuan: int | None) -> str:
    """Show whole 元 as 亿元 with two decimals."""
    return f"{yuan_to_yi(amount_yuan):,.2f}"
