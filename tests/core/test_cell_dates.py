"""Dates in spreadsheet cells: only ASCII digits, and an impossible day named as such."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.cells import CellError, parse_date


def test_documented_forms_read_as_the_same_day(app):
    with app.app_context():
        for raw in ("2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "２０２６－０３－０５"):
            assert parse_date(raw) == date(2026, 3, 5), raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("٢٠٢٦-٠٣-٠٥", "无法识别"),
        ("2026-02-30", "2026年2月只有 28 天"),
        ("2026-13-01", "月份应为 1—12"),
    ],
)
def test_arabic_indic_digits_and_impossible_days_are_refused(app, raw, message):
    with app.app_context(), pytest.raises(CellError, match=message):
        parse_date(raw)
