"""The base form: Chinese messages, service errors onto fields, and one reading of typed values.

Every form built on BaseForm has its text fields stripped of control characters, its date
fields bounded (app.core.dates) and, through IdField, its ids within what a BIGINT holds.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import wtforms
from flask_wtf import FlaskForm
from wtforms.fields import IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, StopValidation

from app.core.dates import parse_typed_date
from app.core.money import parse_wan
from app.core.params import BAD_ID, MAX_ID, plain_text, record_id
from app.core.submissions import new_submission_id


def _within_bigint(form, field) -> None:
    """First in an IntegerField's chain: NumberRange itself overflows on a 400-digit number."""
    if isinstance(field.data, int) and not -MAX_ID - 1 <= field.data <= MAX_ID:
        field.data = None
        raise StopValidation("数字过大，请核对")


class ServiceError(Exception):
    """A rule a service refused, with Chinese messages per field (or "" for the whole form)."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = {"": errors} if isinstance(errors, str) else dict(errors)
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


def _one_line(value: Any) -> Any:
    return plain_text(value, multiline=False)


def _lines(value: Any) -> Any:
    return plain_text(value, multiline=True)


class DateField(wtforms.DateField):
    """A date typed as YYYY-MM-DD that exists and lies within app.core.dates.date_bounds()."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = " ".join(str(v) for v in valuelist).strip()
        self.data = None
        if raw:
            self.data = parse_typed_date(raw, str(self.label.text))  # ValueError: the message

    def validate(self, form, extra_validators=()):
        # DataRequired would replace "2026-02-30 不存在" by "请填写…": the reading error stands.
        if self.process_errors:
            self.errors = list(self.process_errors)
            return False
        return super().validate(form, extra_validators)


class _ReadsRecordId:
    """Reads the posted value as a record id (1..2^63-1), None when absent; `bad_id` says why
    another value is refused."""

    bad_id = BAD_ID

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = record_id(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError(self.bad_id) from None


class IdField(_ReadsRecordId, SelectField):
    """A select of records: its value is an id (1..2^63-1) or None; the service checks it."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, coerce=record_id, **kwargs)


class HiddenIdField(_ReadsRecordId, wtforms.HiddenField):
    """A hidden record id (the page put it there): an id or None, else the form is refused."""

    bad_id = "页面中的关联记录无效，请从原页面重新打开"


class SubmissionField(wtforms.HiddenField):
    """The hidden submission id of a create form: a new one each time the empty form is shown,
    the posted one kept when the form comes back with errors (see app.core.submissions)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", new_submission_id)
        super().__init__(label, validators, **kwargs)


def _no_silent_cut(field) -> None:
    """No maxlength attribute in the page: a browser cuts a pasted text there without a word;
    the Length validator refuses it beside the field, naming the limit."""
    if "maxlength" in vars(field.flags):
        delattr(field.flags, "maxlength")


def _bind(unbound_field: UnboundField) -> UnboundField:
    """WTForms' own DateField read as the bounded one, so no form can miss the bounds."""
    if unbound_field.field_class is wtforms.DateField:
        return UnboundField(
            DateField, *unbound_field.args, name=unbound_field.name, **unbound_field.kwargs
        )
    return unbound_field


class BaseForm(FlaskForm):
    """Every form of the application: Chinese validation messages, CSRF, clean typed values."""

    general: list[str] | tuple[str, ...] = ()  # validate_all's messages that fit no field

    class Meta:
        locales = ["zh"]

        def bind_field(self, form, unbound_field, options):
            field = _bind(unbound_field).bind(form=form, **options)
            if isinstance(field, StringField):
                multiline = isinstance(field, TextAreaField | PasswordField)
                field.filters = (_lines if multiline else _one_line, *field.filters)
            elif isinstance(field, IntegerField):
                field.validators = [_within_bigint, *field.validators]
            _no_silent_cut(field)
            return field

    def validate_all(self, problems: Callable[[], dict[str, str]]) -> bool:
        """validate_on_submit, and when the form's own checks fail, the service's checks too
        (`problems`, e.g. a service's field_problems), so that every problem shows at once.

        A field keeps its first message (the form's); the service's messages for other
        fields join them, those for no field go to `self.general`.
        """
        self.general: list[str] = []
        if not self.is_submitted():
            return False
        if self.validate():
            return True
        try:
            found = problems()
        except ServiceError as error:
            found = error.errors
        for name, message in found.items():
            field = self._fields.get(name) if name else None
            if field is None:
                self.general.append(message)
            elif not field.errors:
                field.errors = [message]
        return False

    def apply_errors(self, error: ServiceError) -> list[str]:
        """Put a service's messages beside their fields; return the ones that fit no field."""
        general = []
        for name, message in error.errors.items():
            field = self._fields.get(name) if name else None
            if field is None:
                general.append(message)
            else:
                field.errors = [*field.errors, message]
        return general


STALE_MESSAGE = "该记录在您编辑期间已被他人修改，页面已显示最新内容，请核对后重新提交"


def ensure_current(obj, submitted_version: object) -> None:
    """Refuse a save made from a form that was opened before the record last changed."""
    if submitted_version in (None, "") or str(obj.version) != str(submitted_version):
        raise ServiceError(STALE_MESSAGE)


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, with an optional empty first option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(str(value), str(label)) for value, label in pairs]


AMOUNT_LENGTH = 30  # characters of a typed 万元 amount: 100 万亿 with commas and cents is 22


def length_of(column: Any) -> int:
    """The length of a String(n) model column, e.g. length_of(Project.investor_name) == 200."""
    length = column.property.columns[0].type.length
    if not length:
        raise TypeError(f"{column} has no length")
    return length


def fits(column: Any) -> Length:
    """A Length validator as long as the model column, with the message beside the field."""
    return most(length_of(column))


class _Length(Length):
    """Length of what was typed (a field filled from a record may hold a Decimal or a date)."""

    def __call__(self, form, field):
        data = field.data
        if data is not None and not isinstance(data, str):
            return None
        if len(data or "") > self.max:
            raise StopValidation(f"{_label(field)}最多 {self.max} 个字，请删减")
        return super().__call__(form, field)


def _label(field) -> str:
    """The field's label as a message names it: 活动名称, not 活动名称（必填）."""
    text = str(field.label.text or "")
    return text.split("（")[0].split("(")[0].strip()


def most(length: int) -> Length:
    """A Length validator for text with no column length (Text), with a Chinese message."""
    return _Length(max=length, message=f"最多 {length} 个字，请删减")


def read_wan(field, errors: dict[str, str] | None = None) -> Decimal | None:
    """A 万元 amount from a text field, or None when empty. A bad amount is added to `errors`
    when given (so it is reported with the form's other problems), else raised."""
    raw = (field.data or "").strip()
    if not raw:
        return None
    try:
        return parse_wan(raw)
    except ValueError as error:
        if errors is None:
            raise ServiceError({field.name: str(error)}) from None
        errors[field.name] = str(error)
        return None


class Marked:
    """Marks a field as required in the page (the asterisk) while the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def safe_next(target: str | None) -> str | None:
    """A path on this site to go to after a form, or None for anything else.

    One leading "/", no scheme, no host, no backslash and no control character, as given and
    once percent-decoded: browsers drop a tab or line break (``/%09/evil.example`` becomes
    ``//evil.example``, another host) and read a backslash as a slash.
    """
    from urllib.parse import unquote, urlsplit

    if not target:
        return None
    for candidate in (target, unquote(target)):
        if not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
            return None
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in candidate):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target
