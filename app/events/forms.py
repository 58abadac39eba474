"""The promotion event form."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.core.forms import BaseForm, DateField, IdField, SubmissionField, choices, fits, most
from app.events.models import EVENT_KINDS, PromotionEvent


class EventForm(BaseForm):
    name = StringField(
        "活动名称",
        validators=[DataRequired(message="请输入活动名称"), fits(PromotionEvent.name)],
        description="如 2025 粤港澳大湾区产业对接会",
    )
    kind = SelectField(
        "活动类型",
        choices=choices(((k, k) for k in EVENT_KINDS), blank="请选择"),
        validators=[DataRequired(message="请选择活动类型")],
    )
    city = StringField(
        "举办城市",
        validators=[DataRequired(message="请输入举办城市"), fits(PromotionEvent.city)],
        description="如 深圳市；在本区举办的填 本区",
    )
    held_on = DateField(
        "举办日期",
        validators=[DataRequired(message="请填写举办日期，格式如 2025-03-18")],
    )
    host_unit_id = IdField("承办单位")
    notes = TextAreaField("备注", validators=[Optional(), most(2000)])
    version = HiddenField()
    submission_id = SubmissionField()
