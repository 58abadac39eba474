"""Forms for trips: the trip itself, linking a project, deleting."""

from __future__ import annotations

from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.dates import today
from app.core.forms import (
    BaseForm,
    DateField,
    HiddenIdField,
    Marked,
    SubmissionField,
    choices,
    fits,
    most,
)
from app.core.params import record_id
from app.trips.models import PROVINCES, RELATIONS, STATUSES, Trip, TripProject


def _ids(values):
    ids = []
    for value in values or []:
        try:
            ids.append(record_id(value))
        except ValueError:
            continue
    return [n for n in ids if n is not None]


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes; anything that is not an id is ignored."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        self.data = _ids(valuelist)

    def pre_validate(self, form):
        return None


class TripForm(BaseForm):
    # The service checks every rule, so that all problems are reported together.
    leader_ids = CheckboxList("外出领导", coerce=int, validators=[Marked()])
    status = RadioField(
        "状态", choices=choices(STATUSES.items()), default="done", validate_choice=False
    )
    started_on = DateField("开始日期", validators=[Marked(), Optional()], default=today)
    ended_on = DateField("结束日期", validators=[Marked(), Optional()])
    province = SelectField(
        "目的地省份",
        choices=choices(((p, p) for p in PROVINCES), blank="请选择"),
        validators=[Marked()],
        validate_choice=False,
    )
    city = StringField(
        "目的地城市",
        validators=[Marked(), fits(Trip.city)],
        description="如 深圳市；境外填国家和城市",
    )
    enterprises = TextAreaField(
        "走访企业", validators=[most(2000)], description="一行一家，或用顿号隔开"
    )
    report = TextAreaField(
        "外出情况简报", validators=[most(5000)], description="洽谈内容、达成的意向、下一步安排"
    )
    version = HiddenField()
    submission_id = SubmissionField()


class LinkForm(BaseForm):
    project_id = HiddenIdField(validators=[DataRequired(message="请选择项目")])
    relation = RadioField(
        "关系", choices=choices(RELATIONS.items()), default="advanced", validate_choice=False
    )
    note = StringField(
        "说明", validators=[fits(TripProject.note)], description="如 达成签约意向、推动签订补充协议"
    )


class DeleteForm(BaseForm):
    reason = TextAreaField(
        "删除原因", validators=[DataRequired(message="请填写删除原因"), most(1000)]
    )
