"""The unit form."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired

from app.core.forms import BaseForm, choices, fits
from app.units.models import UNIT_KINDS, Unit


class UnitForm(BaseForm):
    name = StringField(
        "单位名称", validators=[DataRequired(message="请输入单位名称"), fits(Unit.name)]
    )
    kind = SelectField(
        "类别",
        choices=choices(((k, k) for k in UNIT_KINDS), blank="请选择"),
        validators=[DataRequired(message="请选择类别")],
    )
    version = HiddenField()
