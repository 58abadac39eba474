"""The leader form."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import Optional

from app.core.forms import BaseForm, DateField, IdField, Marked, SubmissionField, choices, fits
from app.leaders.models import Leader


class LeaderForm(BaseForm):
    # The service checks every rule, so that all problems are reported together.
    name = StringField("姓名", validators=[Marked(), fits(Leader.name)])
    post = StringField(
        "职务",
        validators=[Marked(), fits(Leader.post)],
        description="如 区委书记、区长、镇党委书记、镇长、副区长",
    )
    unit_id = IdField("辖区", description="全区领导选“全区”；乡镇街道、园区的领导选其单位")
    head_kind = SelectField(
        "党政主要负责人",
        choices=choices(
            (
                ("party", "党委主要负责人（书记）"),
                ("government", "政府主要负责人（区长、镇长、主任）"),
            ),
            blank="否",
        ),
        validate_choice=False,
        description="主要负责人每月须至少外出招商一次；党政一把手不宜同时外出",
    )
    is_baobao = BooleanField("包保领导")
    user_id = IdField("登录账户", description="可不关联：只登记姓名的领导不能登录")
    took_office_on = DateField(
        "任职日期",
        validators=[Optional()],
        description="可不填；填写后，任职前的月份不计外出招商考核",
    )
    version = HiddenField()
    submission_id = SubmissionField()
