"""Phone numbers: stored normalised (phonenumbers), shown masked to those who may not see them."""

from __future__ import annotations

import phonenumbers


def normalise(raw: str | None) -> tuple[str | None, str | None]:
    """(stored form, problem). Valid numbers become E.164; short service numbers stay as typed."""
    text = (raw or "").strip()
    if not text:
        return None, None
    digits = "".join(c for c in text if c.isdigit())
    if not digits or any(not (c.isdigit() or c in "+-() ") for c in text):
        return None, "电话号码只能包含数字、空格、括号、加号和减号"
    if len(digits) <= 6:
        return text, None  # 95588, 12345: service numbers are kept as free text
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None, "电话号码格式不正确"
    if not phonenumbers.is_valid_number(number):
        return None, "电话号码无效，请核对位数和区号"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def display(stored: str | None) -> str:
    """A stored number as people write it in China: 13812345678, 0512-67881234."""
    if not stored or not stored.startswith("+"):
        return stored or ""
    number = phonenumbers.parse(stored)
    if number.country_code == 86:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE:
            return national.replace(" ", "")
        return national.replace(" ", "-", 1).replace(" ", "")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def masked(stored: str | None) -> str:
    """The number with all but the first three and last four digits hidden: 138****5678."""
    shown = display(stored)
    digits = [i for i, c in enumerate(shown) if c.isdigit()]
    if len(digits) <= 7:
        return shown[:2] + "*" * max(0, len(shown) - 2)
    hidden = set(digits[3:-4])
    return "".join("*" if i in hidden else c for i, c in enumerate(shown))
