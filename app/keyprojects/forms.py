"""Forms for key projects: the record with its team and 实施方案, procedures, start, carry-over."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.core.dates import parse_typed_date
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
    read_wan,
)
from app.core.params import plain_text, record_id
from app.funds.evidence import Upload
from app.keyprojects import rules
from app.keyprojects.models import (
    CATEGORIES,
    FUNDING_CHANNELS,
    LEVELS,
    PROCEDURE_KINDS,
    KeyProject,
)
from app.keyprojects.services import ProcedureRow

TEAM_ROWS = 5  # blank rows of the 工作班子 shown at least


class KeyProjectForm(BaseForm):
    # Field names are KeyProjectData's, so the rules' messages land beside their fields.
    year = IntegerField("年度", validators=[Marked(), Optional()])
    name = StringField("项目名称", validators=[Marked(), fits(KeyProject.name)])
    programme = StringField(
        "所属工程",
        validators=[Marked(), fits(KeyProject.programme)],
        description="如 城中村改造工程、产业升级工程",
    )
    category = SelectField(
        "项目类别",
        choices=choices(((c, c) for c in CATEGORIES), blank="请选择"),
        validators=[Marked()],
        validate_choice=False,
    )
    level = SelectField(
        "项目级别",
        choices=choices((v, v) for v in LEVELS),
        default="区重点",
        validate_choice=False,
    )
    total_wan = StringField("总投资（万元）", validators=[Marked(), most(AMOUNT_LENGTH)])
    plan_wan = StringField("年度计划投资（万元）", validators=[Marked(), most(AMOUNT_LENGTH)])
    unit_id = IdField("责任单位", validators=[Marked()])
    liaison_unit_id = IdField("联络单位")
    leader_id = IdField("包保领导")
    funding_channel = SelectField(
        "资金渠道",
        choices=choices((v, v) for v in FUNDING_CHANNELS),
        default="社会投资",
        validate_choice=False,
    )
    planned_start_on = DateField("计划开工日期", validators=[Optional()])
    started_on = DateField(
        "实际开工日期",
        validators=[Optional()],
        description="新建、拟开工项目须先办齐前置要件",
    )
    completed_on = DateField("竣工日期", validators=[Optional()])
    in_statistics = BooleanField("已入统")
    goal = TextAreaField("年度形象进度目标", validators=[Optional(), most(2000)])
    notes = TextAreaField("备注", validators=[Optional(), most(2000)])
    plan_file = FileField("实施方案（可选）", description="PDF、JPG 或 PNG，不超过 10 MB")
    version = HiddenField()
    submission_id = SubmissionField()
    project_id = HiddenIdField()  # the 招商 project it is made from

    def fill_choices(self, units: list, all_units: list, leaders: list) -> None:
        """The unit (own unit only for a unit user), liaison unit and leader options."""
        self.unit_id.choices = choices(units, blank="请选择")
        self.liaison_unit_id.choices = choices(all_units, blank="（无）")
        self.leader_id.choices = choices(leaders, blank="（无）")

    def data_of(self, team: list[tuple[str, str]], errors: dict[str, str]) -> rules.KeyProjectData:
        """The typed values; an unreadable amount goes into `errors` beside its field."""
        return rules.KeyProjectData(
            year=self.year.data or 0,
            name=self.name.data or "",
            programme=self.programme.data or "",
            category=self.category.data or "",
            unit_id=self.unit_id.data,
            total_wan=read_wan(self.total_wan, errors),
            plan_wan=read_wan(self.plan_wan, errors),
            level=self.level.data or "",
            leader_id=self.leader_id.data,
            liaison_unit_id=self.liaison_unit_id.data,
            funding_channel=self.funding_channel.data or "",
            planned_start_on=self.planned_start_on.data,
            started_on=self.started_on.data,
            completed_on=self.completed_on.data,
            in_statistics=bool(self.in_statistics.data),
            goal=self.goal.data,
            notes=self.notes.data,
            team=team,
        )

    def upload(self) -> Upload | None:
        """The 实施方案 file chosen, if any."""
        file = self.plan_file.data
        if file is None or not getattr(file, "filename", ""):
            return None
        return Upload(file.read(), file.filename)


class StartForm(BaseForm):
    started_on = DateField("实际开工日期", validators=[Optional()])


class ProceduresForm(BaseForm):
    """Only the CSRF token: the eleven rows are read by the view (app.keyprojects.views)."""


class CarryOverForm(BaseForm):
    year = IntegerField("结转到年度", validators=[Optional()])


def team_rows(formdata) -> list[tuple[str, str]]:
    """The 工作班子 rows typed (name, post); rows left wholly blank are dropped."""
    names = formdata.getlist("team_name")
    posts = formdata.getlist("team_post")
    rows = []
    for index, raw in enumerate(names[:100]):
        name = plain_text(raw, multiline=False) or ""
        post = plain_text(posts[index] if index < len(posts) else "", multiline=False) or ""
        if name.strip() or post.strip():
            rows.append((name.strip(), post.strip()))
    return rows


def procedure_rows(formdata) -> tuple[list[ProcedureRow], dict[str, str]]:
    """The eleven procedure rows as posted, and the problems found reading them, by row."""
    rows, errors = [], {}
    for index, kind in enumerate(PROCEDURE_KINDS):
        problems = []
        dates = {}
        for name, label in (("applied_on", "申报日期"), ("done_on", "办结日期")):
            raw = (formdata.get(f"{name}-{index}") or "").strip()
            dates[name] = None
            if raw:
                try:
                    dates[name] = parse_typed_date(raw, label)
                except ValueError as error:
                    problems.append(str(error))
        try:
            unit_id = record_id(formdata.get(f"handling_unit_id-{index}"))
        except ValueError:
            unit_id = None
            problems.append("帮办部门请从列表中选择")
        notes = plain_text(formdata.get(f"notes-{index}") or "", multiline=False).strip()
        rows.append(
            ProcedureRow(
                kind=kind,
                status=formdata.get(f"status-{index}") or "todo",
                applied_on=dates["applied_on"],
                done_on=dates["done_on"],
                handling_unit_id=unit_id,
                notes=notes or None,
            )
        )
        if problems:
            errors[f"row-{index}"] = "；".join(problems)
    return rows, errors
