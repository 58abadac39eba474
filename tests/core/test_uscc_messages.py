"""The USCC refusals name every character that is not allowed, and the letters never used."""

from __future__ import annotations

from app.core.uscc import problem


def test_every_character_not_allowed_is_named_once():
    assert problem("91440300MA5FIO0OSZ") == (
        "统一社会信用代码含有不允许的字符：I、O、S、Z（不使用 I、O、Z、S、V）"
    )
