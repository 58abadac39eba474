"""Amounts as people type them: separators only between thousands, full-width digits read,
every other slip refused with a Chinese reason (a mistyped decimal comma is not ×10)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.money import parse_wan
from app.extensions import db
from app.projects.models import Project


def _sign(client, project, contract_wan: str):
    return client.post(
        f"/projects/{project.id}/advance/signed",
        data={"on": "2026-04-01", "contract_wan": contract_wan},
    )


def _contract(app, project) -> int | None:
    with app.app_context():
        return db.session.get(Project, project.id).contract_investment


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,2,3", "逗号位置不对"),
        ("1，5", "逗号位置不对"),  # a decimal comma: not 15
        ("12,34", "逗号位置不对"),
        ("1234,567", "逗号位置不对"),
        (",500", "逗号位置不对"),
        ("1_000", "含有下划线"),
        ("٣", "0—9 以外的数字"),  # Arabic-Indic three
        ("²", "0—9 以外的数字"),
        ("1 234", "不是数字"),
        ("1.2.3", "不是数字"),
        ("1,2a", "不是数字"),
        ("NaN", "不是普通的数字写法"),
        ("1000000000000000", "过大"),
        ("100000000000000", "过大"),  # 10^14 万元, the first amount refused
    ],
)
def test_a_mistyped_amount_is_refused_with_its_reason(
    app, client, people, login, make, typed, message
):
    project = make.project(people["unit_a"])
    login(people["unit"])
    page = _sign(client, project, typed).get_data(as_text=True)
    assert message in page
    assert _contract(app, project) is None


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("１２３", 1_230_000),  # full-width digits, as an input method types them
        ("1,234.50", 12_345_000),
        ("１，２３４．５", 12_345_000),
        ("1，234", 12_340_000),  # a full-width comma between thousands
        ("12,345,678.9", 123_456_789_000),
        (" 0.01 ", 100),
    ],
)
def test_separated_and_full_width_amounts_are_read_exactly(
    app, client, people, login, make, typed, yuan
):
    project = make.project(people["unit_a"])
    login(people["unit"])
    assert _sign(client, project, typed).status_code == 302
    assert _contract(app, project) == yuan


@pytest.mark.parametrize(
    ("typed", "value"),
    [("+5", "5.00"), ("-1,234.56", "-1234.56"), (".5", "0.50"), ("5.", "5.00"),
     ("1.500", "1.50"), ("99,999,999,999,999.99", "99999999999999.99")],
)  # fmt: skip
def test_signs_and_bare_points_keep_their_meaning(typed, value):
    assert str(parse_wan(typed)) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "金额不能为空"), ("   ", "金额不能为空"), ("\u3000", "金额不能为空"),
     ("12.345", "金额最多两位小数（万元）"), ("abc", "“abc”不是数字"),
     ("1e5", "“1e5”不是普通的数字写法"),
     ("100000000000000", "“100000000000000”万元过大，请核对金额和单位（万元）")],
)  # fmt: skip
def test_each_refusal_says_exactly_why(typed, message):
    with pytest.raises(ValueError) as refusal:
        parse_wan(typed)
    assert str(refusal.value) == message


def test_the_refusal_quotes_what_was_typed_not_its_normal_form():
    with pytest.raises(ValueError, match="“１，５”"):
        parse_wan("１，５")
    assert parse_wan(Decimal("12.5")) == Decimal("12.50") and parse_wan(7) == Decimal("7.00")
