"""Forms for projects, milestones, contacts and follow-ups."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.core.dates import today
from app.core.forms import (
    AMOUNT_LENGTH,
    BaseForm,
    DateField,
    HiddenIdField,
    IdField,
    Marked,
    SubmissionField,
    choices,
    fits,
    most,
)
from app.projects.models import FOLLOW_UP_KINDS, INDUSTRIES, SOURCES, Project, ProjectContact
from app.projects.stages import STAGES

USCC_TYPED = 40  # 18 characters, as people type them with spaces or dashes between groups


class ProjectForm(BaseForm):
    # The service checks every rule, so that all problems are reported together.
    name = StringField("项目名称", validators=[Marked(), fits(Project.name)])
    investor_name = StringField(
        "投资方",
        validators=[Marked(), fits(Project.investor_name)],
        description="投资企业全称，如 华润置地（深圳）有限公司",
    )
    uscc = StringField(
        "统一社会信用代码",
        validators=[Optional(), most(USCC_TYPED)],
        description="注册前可不填；注册时须填写本地公司的代码",
    )
    origin_province = StringField(
        "投资方所在省", validators=[Optional(), fits(Project.origin_province)]
    )
    origin_city = StringField("投资方所在市", validators=[Optional(), fits(Project.origin_city)])
    foreign_funded = BooleanField("外资项目")
    industry = SelectField(
        "产业类别",
        choices=choices(((i, i) for i in INDUSTRIES), blank="请选择"),
        validators=[Marked()],
        validate_choice=False,
    )
    chain_tag = StringField(
        "产业链",
        validators=[Optional(), fits(Project.chain_tag)],
        description="如 新能源汽车零部件、电子信息",
    )
    planned_wan = StringField("计划总投资（万元）", validators=[Optional(), most(AMOUNT_LENGTH)])
    unit_id = IdField("责任单位", validators=[Marked()])
    leader_id = IdField("包保领导")
    source = SelectField(
        "项目来源",
        choices=choices(((s, s) for s in SOURCES), blank="请选择"),
        validators=[Marked()],
        validate_choice=False,
    )
    event_id = IdField("招商活动", description="来源于推介会、展会等活动时选择")
    notes = TextAreaField("备注", validators=[Optional(), most(2000)])
    version = HiddenField()
    submission_id = HiddenField()
    trip_id = HiddenIdField()  # the trip (外出招商) the project came from
    confirm_duplicate = BooleanField("我已核实，确认不是重复项目，仍然保存")


class AdvanceForm(BaseForm):
    on = DateField("日期", validators=[DataRequired(message="请填写日期")], default=today)
    contract_wan = StringField("合同投资额（万元）", validators=[most(AMOUNT_LENGTH)])
    uscc = StringField("本地公司统一社会信用代码", validators=[most(USCC_TYPED)])
    reason = TextAreaField("跨月改动原因（已月结月份必填）", validators=[Optional(), most(500)])


class CorrectForm(BaseForm):
    field = SelectField(
        "里程碑",
        choices=choices(((s.date_field, s.label) for s in STAGES if s.manual), blank="请选择"),
    )
    on = DateField("更正为（留空表示清除）", validators=[Optional()])
    reason = TextAreaField(
        "更正原因", validators=[DataRequired(message="请填写更正原因"), most(1000)]
    )
    version = HiddenField()


class DropForm(BaseForm):
    on = DateField("终止日期", validators=[DataRequired(message="请填写终止日期")])
    reason = TextAreaField(
        "终止原因", validators=[DataRequired(message="请填写终止原因"), most(1000)]
    )


class ContactForm(BaseForm):
    name = StringField("姓名", validators=[Marked(), fits(ProjectContact.name)])
    title = StringField("职务", validators=[Optional(), fits(ProjectContact.title)])
    phone = StringField("电话", validators=[Optional(), fits(ProjectContact.phone)])
    email = StringField("电子邮箱", validators=[Optional(), fits(ProjectContact.email)])


class FollowUpForm(BaseForm):
    happened_on = DateField(
        "跟进日期", validators=[DataRequired(message="请填写跟进日期")], default=today
    )
    kind = SelectField("方式", choices=choices((k, k) for k in FOLLOW_UP_KINDS))
    summary = TextAreaField(
        "跟进情况", validators=[DataRequired(message="请填写跟进情况"), most(2000)]
    )
    next_step = StringField("下一步", validators=[Optional(), most(500)])
    next_due_on = DateField("下一步期限", validators=[Optional()])
    submission_id = SubmissionField()
