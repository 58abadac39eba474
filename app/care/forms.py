"""Forms for visits, commitments and problems."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.care.models import PROBLEM_CATEGORIES, CareVisit
from app.core.forms import BaseForm, DateField, IdField, SubmissionField, choices, fits, most
from app.units.queries import unit_choices


def _date(label: str) -> DateField:
    return DateField(label, validators=[DataRequired(message=f"请填写{label}（格式 2026-03-05）")])


class UnitChoicesMixin:
    """Fills the unit selects with the active units."""

    def fill_units(self, *names: str) -> None:
        options = choices(unit_choices(active_only=True), blank="请选择")
        for name in names:
            getattr(self, name).choices = options


class VisitForm(BaseForm):
    visited_on = _date("走访日期")
    visitors = StringField(
        "走访人员",
        validators=[DataRequired(message="请填写走访人员"), fits(CareVisit.visitors)],
        description="如 城关街道 李主任、区投促局 陈科长",
    )
    notes = TextAreaField(
        "走访情况", validators=[DataRequired(message="请填写走访情况"), most(2000)]
    )
    submission_id = SubmissionField()


class CommitmentForm(UnitChoicesMixin, BaseForm):
    promise = TextAreaField(
        "承诺内容",
        validators=[DataRequired(message="请填写承诺内容"), most(2000)],
        description="合同或协议中对投资方的承诺，如 2026 年 6 月底前完成厂区道路和供水接入",
    )
    delivering_unit_id = IdField("兑现单位")
    due_on = _date("兑现期限")
    evidence_note = TextAreaField("佐证说明", validators=[Optional(), most(2000)])
    submission_id = SubmissionField()


class FulfilForm(BaseForm):
    fulfilled_on = _date("兑现日期")
    evidence_note = TextAreaField(
        "佐证说明",
        validators=[Optional(), most(2000)],
        description="如 供水接入验收单（2026 年第 12 号）",
    )
    version = HiddenField()


class ProblemForm(UnitChoicesMixin, BaseForm):
    category = SelectField(
        "问题类别",
        choices=choices(((c, c) for c in PROBLEM_CATEGORIES), blank="请选择"),
        validators=[DataRequired(message="请选择问题类别")],
    )
    description = TextAreaField(
        "问题描述",
        validators=[DataRequired(message="请填写问题描述"), most(2000)],
        description="企业提出的诉求或推进中遇到的困难，写清楚要解决什么",
    )
    raised_on = _date("提出日期")
    handling_unit_id = IdField("承办单位")
    deadline = DateField("办理期限", validators=[Optional()])
    submission_id = SubmissionField()


class AssignForm(UnitChoicesMixin, BaseForm):
    handling_unit_id = IdField("承办单位")
    deadline = DateField("办理期限", validators=[Optional()])
    version = HiddenField()


class EscalateForm(BaseForm):
    reason = TextAreaField(
        "上报原因",
        validators=[Optional(), most(2000)],
        description="如 超期 30 天仍未解决，需协调用地指标",
    )
    version = HiddenField()


class ResolveForm(BaseForm):
    resolution = TextAreaField("办理结果", validators=[Optional(), most(2000)])
    resolved_on = DateField("办结日期", validators=[Optional()])
    version = HiddenField()


class StartForm(BaseForm):
    version = HiddenField()
