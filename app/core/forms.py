"""The base form: Chinese messages from WTForms' own translations, service errors onto fields."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.core.money import parse_wan


class ServiceError(Exception):
    """A rule a service refused, with Chinese messages per field (or "" for the whole form)."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = {"": errors} if isinstance(errors, str) else dict(errors)
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


class BaseForm(FlaskForm):
    """Every form of the application: Chinese validation messages and CSRF."""

    class Meta:
        locales = ["zh"]

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
    """A same-site path to return to after a form, or None for anything else."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
