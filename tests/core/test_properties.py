"""Properties over random input (hypothesis): USCC check characters, money parsing and
formatting, typed dates, rates against exact fractions, whole numbers, search against LIKE."""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.core import history, money, uscc
from app.core.cells import CellError, parse_date
from app.core.dates import date_bounds, date_param, parse_typed_date
from app.core.params import MAX_DIGITS, whole_number
from app.extensions import db
from app.projects.models import Project
from app.projects.names import normalise_investor, search_text
from app.projects.queries import search_condition
from app.projects.search import like_pattern
from app.reports.figures import cohort, targets
from app.units.models import Unit

# deadline=None: the first example of a test pays for imports and a database; no example
# database, so nothing is written into the working tree.
PURE = settings(max_examples=200, deadline=None, database=None)
ON_DATABASE = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # each example rolls back
)


def half_up(exact: Fraction, places: int) -> Decimal:
    """The reference: exact fraction to `places` decimals, ties away from zero (by Decimal at a
    precision no fraction here can come near a false tie with)."""
    with localcontext() as context:
        context.prec = 80
        value = Decimal(exact.numerator) / Decimal(exact.denominator)
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _outcome(parse, typed: str) -> tuple[object, str | None]:
    """What a parser makes of the text: (value, None), or (None, its refusal); anything but a
    ValueError (CellError is one) escapes and fails the test."""
    try:
        return parse(typed), None
    except ValueError as error:
        return None, str(error)


# ------------------------------------------------------------------------------------- USCC

prefixes = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


def _code(prefix: str) -> str:
    return prefix + uscc.check_character(prefix)


@PURE
@given(prefixes)
@example("91440300192203821")  # 华为技术有限公司, 914403001922038216
@example("0" * 17)  # a weighted sum of 0: 31 − 0 = 31 means "0"
def test_every_prefix_with_its_check_character_is_valid(prefix):
    code = _code(prefix)
    assert uscc.check_character(prefix) in uscc.ALPHABET
    assert uscc.problem(code) is None
    assert uscc.problem(uscc.normalise(" " + code.lower() + "\u3000")) is None
    spaced = f"{code[:6]} {code[6:12]}\u3000{code[12:]}"  # as printed on a licence
    assert uscc.normalise(spaced) == code


@PURE
@given(prefixes, st.integers(0, 17), st.characters())
def test_every_single_character_change_is_caught(prefix, position, character):
    code = _code(prefix)
    assume(character != code[position])
    changed = code[:position] + character + code[position + 1 :]
    assert uscc.problem(changed) is not None


@PURE
@given(prefixes, st.integers(0, 16))
def test_every_swap_of_two_different_neighbours_is_caught(prefix, position):
    code = _code(prefix)
    assume(code[position] != code[position + 1])
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert uscc.problem(swapped) is not None


@PURE
@given(prefixes)
def test_a_full_width_code_normalises_to_the_code(prefix):
    code = _code(prefix)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert uscc.normalise(full_width) == code


# ------------------------------------------------------------------------------------ money

amounts = st.decimals(
    min_value=Decimal("-99999999999999.99"),
    max_value=Decimal("99999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@PURE
@given(amounts)
@example(Decimal("-0.01"))
@example(Decimal("99999999999999.99"))
def test_amounts_round_trip_through_every_way_of_writing_them(amount):
    yuan = money.wan_to_yuan(amount)
    assert yuan == amount * 10_000  # exact: two decimals of 万元 are whole 元
    assert money.yuan_to_wan(yuan) == amount
    shown = money.format_wan(yuan)
    assert money.parse_wan(shown) == amount
    assert money.parse_wan(str(amount)) == amount
    assert money.parse_wan(shown.translate(FULL_WIDTH)) == amount


@PURE
@given(st.integers(min_value=-(10**18), max_value=10**18))
@example(50)  # 0.005 万元: 0.01, not half-even's 0.00
@example(-50)
@example(500_000)  # 0.005 亿元
@example(2_500_000)  # 0.025 亿元: 0.03
def test_yuan_to_wan_and_yi_round_half_up_from_the_exact_amount(yuan):
    assert money.yuan_to_wan(yuan) == half_up(Fraction(yuan, 10_000), 2)
    assert money.yuan_to_yi(yuan) == half_up(Fraction(yuan, 10**8), 2)
    assert money.format_yi(yuan) == f"{half_up(Fraction(yuan, 10**8), 2):,.2f}"
    if yuan % 100 == 0:
        assert money.wan_to_yuan(money.yuan_to_wan(yuan)) == yuan
    assert money.yuan_to_wan(None) == money.yuan_to_yi(None) == 0


@PURE
@given(st.integers(min_value=1000, max_value=10**13), st.data())
def test_commas_are_read_only_between_thousands(whole, data):
    digits = str(whole)
    places = range(1, len(digits))  # a comma before digits[place]
    thousands = frozenset(p for p in places if (len(digits) - p) % 3 == 0)
    chosen = data.draw(st.one_of(st.just(thousands), st.frozensets(st.sampled_from(places))))
    assume(chosen)
    typed = "".join(
        (data.draw(st.sampled_from(",，")) if i in chosen else "") + d for i, d in enumerate(digits)
    )
    typed += data.draw(st.sampled_from(["", ".5", ".25", "."]))
    if chosen == thousands:
        assert int(money.parse_wan(typed)) == whole
    else:
        with pytest.raises(ValueError, match="逗号位置不对"):
            money.parse_wan(typed)


@PURE
@given(st.text(max_size=30))
@example("1,2,3")
@example("1，5")
@example("1_000")
@example("٣")
@example("1e5")
@example("9" * 40)
def test_any_text_is_an_amount_of_two_decimals_or_refused_in_chinese(typed):
    value, refusal = _outcome(money.parse_wan, typed)
    if refusal is not None:
        assert any("\u4e00" <= c <= "\u9fff" for c in refusal)
        return
    assert value == value.quantize(money.CENT) and abs(value) < money.TOO_LARGE_WAN
    normal = typed.strip().translate({0xFF10 + i: str(i) for i in range(10)})
    assert all(c in "0123456789+-.,，．" for c in normal)  # only these ever make an amount
    assert value == Decimal(normal.replace("，", ",").replace("．", ".").replace(",", ""))


# ------------------------------------------------------------------------------------ dates

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


def _pad(n: int, padded: bool) -> str:
    return f"{n:02d}" if padded else str(n)


@PURE
@given(dates, st.sampled_from(["-", "/", ".", "年"]), st.booleans())
def test_every_documented_date_format_round_trips(on, style, padded):
    m, d = _pad(on.month, padded), _pad(on.day, padded)
    typed = f"{on.year}年{m}月{d}日" if style == "年" else style.join((str(on.year), m, d))
    assert parse_date(typed) == on
    assert parse_date(f" {typed} ") == on
    full_width = typed.translate(str.maketrans("-/.", "－／．"))  # as an input method types
    assert parse_date(full_width) == on
    assert parse_date(on.isoformat()) == on


@PURE
@given(st.integers(2000, 2030), st.integers(1, 12), st.integers(29, 99))
@example(2026, 2, 30)
@example(2024, 2, 30)
@example(2026, 4, 31)
def test_impossible_days_are_refused(year, month, day):
    assume(day > calendar.monthrange(year, month)[1])
    for typed in (f"{year}-{month}-{day}", f"{year}/{month}/{day}", f"{year}年{month}月{day}日"):
        with pytest.raises(CellError, match="不存在"):
            parse_date(typed)


@PURE
@given(st.integers(2000, 2030), st.one_of(st.just(0), st.integers(13, 99)), st.integers(1, 28))
def test_impossible_months_are_refused(year, month, day):
    with pytest.raises(CellError, match="月份应为 1—12"):
        parse_date(f"{year}-{month:02d}-{day:02d}")
    with pytest.raises(ValueError, match="月份应为 1—12"):
        parse_typed_date(f"{year}-{month:02d}-{day:02d}")


@PURE
@given(st.text(max_size=20))
@example("2026-02-30")
@example("2026-13-01")
@example("0000-01-01")
def test_any_text_is_a_date_or_refused_in_chinese(typed):
    on, refusal = _outcome(parse_date, typed)
    if refusal is not None:
        assert "日期" in refusal
        return
    assert on is None or isinstance(on, date)


@PURE
@given(dates)
def test_a_typed_iso_date_round_trips(on):
    assert parse_typed_date(on.isoformat()) == on
    assert parse_typed_date(f" {on.year}-{on.month}-{on.day} ") == on
    assert date_param(on.isoformat()) == on


@PURE
@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
@example(date(1999, 12, 31))
@example(date(9999, 12, 31))
def test_a_date_outside_the_accepted_range_is_refused(on):
    earliest, latest = date_bounds()
    assert parse_typed_date(str(earliest)) == earliest and parse_typed_date(str(latest)) == latest
    assume(not earliest <= on <= latest)
    with pytest.raises(ValueError, match="不能(早|晚)于"):
        parse_typed_date(on.isoformat())
    with pytest.raises(CellError, match="不能(早|晚)于"):
        parse_date(f"{on.year:04d}/{on.month}/{on.day}")
    assert date_param(on.isoformat()) is None


@PURE
@given(st.text(max_size=20))
@example("2026-02-30")
@example("٢٠٢٦-٠٣-٠٥")
@example("0000-01-01")
def test_any_typed_text_is_a_date_in_range_or_refused_in_chinese(typed):
    on, refusal = _outcome(parse_typed_date, typed)
    if refusal is not None:
        assert "日期" in refusal and date_param(typed) is None
        return
    earliest, latest = date_bounds()
    assert earliest <= on <= latest and date_param(typed) == on


# ------------------------------------------------------------------------- rates and lags

counts = st.integers(min_value=0, max_value=10**7)
positive = st.integers(min_value=1, max_value=10**7)
yuan_amounts = st.integers(min_value=0, max_value=10**16)


@PURE
@given(counts, positive)
@example(1, 16)  # 6.25: 6.3, not half-even's 6.2
@example(1, 2000)  # 0.05: 0.1
def test_the_cohort_rate_is_the_exact_share_rounded_half_up(part, whole):
    assert cohort.rate(part, whole) == half_up(Fraction(part * 100, whole), 1)
    assert cohort.rate(part, 0) is None


@PURE
@given(yuan_amounts, st.integers(min_value=1, max_value=10**16))
@example(1, 800)  # 0.125 %: 0.13
def test_the_completion_rate_is_the_exact_share_rounded_half_up(achieved, target):
    assert targets.completion_rate(achieved, target) == half_up(
        Fraction(achieved, target) * 100, 2
    )
    assert targets.completion_rate(achieved, 0) is None
    assert targets.completion_rate(achieved, None) is None


@PURE
@given(yuan_amounts, st.integers(min_value=1, max_value=10**16), st.integers(1, 12))
@example(3, 20000, 6)  # 49.985 points: 49.99
@example(2001, 4000, 6)  # −0.025 points: −0.03, away from zero
def test_the_lag_is_the_exact_difference_rounded_half_away_from_zero(achieved, target, month):
    exact = (Fraction(month, 12) - Fraction(achieved, target)) * 100
    lag = targets.lag(achieved, target, month)
    assert lag == half_up(exact, 2)
    assert (lag > 0) == (exact >= Fraction(1, 200)) and (lag < 0) == (exact <= Fraction(-1, 200))
    assert targets.lag(achieved, None, month) is None
    assert targets.time_progress(month) == half_up(Fraction(month * 100, 12), 2)


@PURE
@given(st.decimals(min_value=-200, max_value=200, places=1), st.integers(0, 30))
def test_the_light_follows_the_lag_and_the_threshold(lag, yellow_max):
    colour = targets.light(lag, Decimal(yellow_max))
    expected = "green" if lag <= 0 else "yellow" if lag <= yellow_max else "red"
    assert colour == expected


@PURE
@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(1, 10**9))
def test_half_up_rounds_any_fraction_like_the_reference(numerator, denominator):
    exact = Fraction(numerator, denominator)
    for places in (0, 1, 2):
        assert targets.round_half_up(exact, places) == half_up(exact, places)


# --------------------------------------------------------------------------- whole numbers

bounds = st.one_of(st.none(), st.integers(0, 10**13))


@PURE
@given(st.text(max_size=16), bounds, bounds)
@example("²", None, None)
@example("٣", None, None)
@example("9" * 13, None, None)
@example(" 12 ", 1, 12)
def test_a_whole_number_is_ascii_digits_in_range_or_nothing(raw, low, high):
    value = whole_number(raw, low, high)
    text = raw.strip()
    readable = 0 < len(text) <= MAX_DIGITS and all(c in "0123456789" for c in text)
    if not readable:
        assert value is None
        return
    number = int(text)
    in_range = (low is None or number >= low) and (high is None or number <= high)
    assert value == (number if in_range else None)


@PURE
@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_a_whole_number_reads_integers_and_refuses_negatives(number):
    value = whole_number(number)
    assert value == (number if 0 <= number < 10**MAX_DIGITS else None)
    assert whole_number(None) is None and whole_number(str(number) + ".0") is None


# ------------------------------------------------------------------------------------ search

name_characters = st.one_of(
    st.sampled_from("华润置地智能制造产业园冷链物流单县六安长沙重庆顺达银行有限公司"),
    st.sampled_from("abcXYZ019 %_\\'\"（）()-·ǅﬁＡ１"),
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
)
names = st.text(alphabet=name_characters, min_size=1, max_size=12)


def _like_ids(needle: str) -> set[int]:
    stmt = select(Project.id).where(Project.search_text.like(like_pattern(needle), escape="\\"))
    return set(db.session.scalars(stmt))


@ON_DATABASE
@given(st.lists(st.tuples(names, names), min_size=1, max_size=4), st.data())
def test_search_finds_exactly_what_like_and_substring_find(app, pairs, data):
    with app.app_context():
        history.set_actor(db.session, None)
        unit = Unit(name="属性测试镇", kind="乡镇街道")
        db.session.add(unit)
        db.session.flush()
        texts = {}
        for name, investor in pairs:
            project = Project(
                name=name, investor_name=investor, investor_key=normalise_investor(investor),
                unit_id=unit.id, industry="工业", source="其他", lead_on=date(2026, 1, 5),
                search_text=search_text(name, investor),
            )  # fmt: skip
            db.session.add(project)
            db.session.flush()
            texts[project.id] = project.search_text
        try:
            some_text = data.draw(st.sampled_from(sorted(texts.values())))
            start = data.draw(st.integers(0, len(some_text) - 1))
            cut = some_text[start : start + data.draw(st.integers(1, 6))]
            at = data.draw(st.integers(0, len(cut) - 1))
            wild = cut[:at] + data.draw(st.sampled_from("%_\\")) + cut[at + 1 :]  # literal
            q = data.draw(st.sampled_from([cut, cut.upper(), wild, wild[:2]]) | names)
            needle = unicodedata.normalize("NFKC", q).lower().strip()
            assume(needle)
            found = set(db.session.scalars(select(Project.id).where(search_condition(q))))
            assert found == _like_ids(needle)
            assert found == {pid for pid, text in texts.items() if needle in text}
        finally:
            db.session.rollback()
