"""统一社会信用代码 (GB 32100-2015): the alphabet and the check character."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    value = 31 - total % 31
    return ALPHABET[0 if value == 31 else value]


def normalise(code: str | None) -> str:
    """Upper-case, strip spaces and full-width characters people paste in."""
    if not code:
        return ""
    text = code.strip().upper().replace(" ", "").replace("\u3000", "")
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)


def problem(code: str) -> str | None:
    """Why the code is not a valid USCC (naming the failed rule, in Chinese), or None."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，当前 {len(code)} 位"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return "统一社会信用代码含有不允许的字符：" + "、".join(bad) + "（不使用 I、O、Z、S、V）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第 18 位应为 {expected}，实际为 {code[17]}"
    return None
