"""Forms for projects, milestones, contacts and follow-ups."""

from __future__ import annotations

from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import BaseForm, Marked, choices
from app.projects.models import FOLLOW_UP_KINDS, INDUSTRIES, SOURCES
from app.projects.stages import STAGES


def _id(value):
    return int(value) if value not in (None, "", "None") else None


class ProjectForm(BaseForm):
    # The service checks every rule, so that all problems are reported together.
    name = StringField("项目名称", validators=[Marked()])
    investor_name = StringField(
        "投资方", validators=[Marked()], description="投资企业全称，如 华润置地（深圳）有限公司"
    )
    uscc = StringField(
        "统一社会信用代码",
        validators=[Optional()],
        description="注册前可不填；注册时须填写本地公司的代码",
    )
    origin_province = StringField("投资方所在省", validators=[Optional(), Length(max=20)])
    origin_city = StringField("投资方所在市", validators=[Optional(), Length(max=30)])
    foreign_funded = BooleanField("外资项目")
    industry = SelectField(
        "产业类别",
        choices=choices(((i, i) for i in INDUSTRIES), blank="请选择"),
        validators=[Marked()],
        validate_choice=False,
    )
    chain_tag = StringField(
        "产业链",
        validators=[Optional(), Length(max=50)],
        description="如 新能源汽车零部件、电子信息",
    )
    planned_wan = StringField("计划总投资（万元）", validators=[Optional()])
    unit_id = SelectField("责任单位", coerce=_id, validate_choice=False, validators=[Marked()])
    leader_id = SelectField("包保领导", coerce=_id, validate_choice=False)
    source = SelectField(
        "项目来源",
        choices=choices(((s, s) for s in SOURCES), blank="请选择"),
        validators=[Marked()],
        validate_choice=False,
    )
    event_id = SelectField(
        "招商活动", coerce=_id, validate_choice=False, description="来源于推介会、展会等活动时选择"
    )
    notes = TextAreaField("备注", validators=[Optional(), Length(max=2000)])
    version = HiddenField()
    submission_id = HiddenField()
    trip_id = HiddenField()  # the trip (外出招商) the project came from
    confirm_duplicate = BooleanField("我已核实，确认不是重复项目，仍然保存")


class AdvanceForm(BaseForm):
    on = DateField("日期", validators=[DataRequired(message="请填写日期")])
    contract_wan = StringField("合同投资额（万元）")
    uscc = StringField("本地公司统一社会信用代码")
    reason = TextAreaField("原因", validators=[Optional(), Length(max=500)])


class CorrectForm(BaseForm):
    field = SelectField(
        "里程碑",
        choices=choices(((s.date_field, s.label) for s in STAGES if s.manual), blank="请选择"),
    )
    on = DateField("更正为（留空表示清除）", validators=[Optional()])
    reason = TextAreaField("更正原因", validators=[DataRequired(message="请填写更正原因")])
    version = HiddenField()


class DropForm(BaseForm):
    on = DateField("终止日期", validators=[DataRequired(message="请填写终止日期")])
    reason = TextAreaField("终止原因", validators=[DataRequired(message="请填写终止原因")])


class ContactForm(BaseForm):
    name = StringField("姓名", validators=[Marked(), Length(max=50)])
    title = StringField("职务", validators=[Optional(), Length(max=50)])
    phone = StringField("电话", validators=[Optional(), Length(max=30)])
    email = StringField("电子邮箱", validators=[Optional(), Length(max=120)])


class FollowUpForm(BaseForm):
    happened_on = DateField("跟进日期", validators=[DataRequired(message="请填写跟进日期")])
    kind = SelectField("方式", choices=choices((k, k) for k in FOLLOW_UP_KINDS))
    summary = TextAreaField("跟进情况", validators=[DataRequired(message="请填写跟进情况")])
    next_step = StringField("下一步", validators=[Optional(), Length(max=500)])
    next_due_on = DateField("下一步期限", validators=[Optional()])
