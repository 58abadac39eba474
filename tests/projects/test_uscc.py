"""USCC check-character validation (GB 32100-2015), with the failing rule named."""

from __future__ import annotations

import pytest

from app.core.uscc import check_character, problem

VALID = ["91350100M000100Y43", "91110000600037341L", "N1110000MA0000000G", "Y1350100MA3WTC8B4Y"]


def _fix(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    "code",
    [
        VALID[0],
        VALID[1],
        _fix("N1110000MA0000000"),
        _fix("A1110000MA0000000"),
        _fix("Y1350100MA3WTC8B4"),
    ],
)
def test_valid_codes_pass_including_those_starting_with_n_a_y(code):
    assert problem(code) is None


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("9135010", "应为 18 位"),
        ("91350100M000100Y4", "应为 18 位"),
        ("91350100M000100YI3", "不允许的字符：I"),
        ("91350100M0O0100Y43", "不允许的字符：O"),
        ("91350100M000100Y44", "校验位错误：第 18 位应为 3"),
    ],
)
def test_invalid_codes_name_the_rule_they_break(code, rule):
    assert rule in problem(code)


def test_check_character_31_means_zero():
    # search a prefix whose weighted sum is a multiple of 31: the check must then be "0"
    from app.core.uscc import ALPHABET, WEIGHTS

    for n in range(31):
        prefix = "9" + ALPHABET[n] + "0" * 15
        total = sum(ALPHABET.index(c) * w for c, w in zip(prefix, WEIGHTS, strict=True))
        if total % 31 == 0:
            assert check_character(prefix) == "0"
            return
    pytest.fail("no prefix found")
