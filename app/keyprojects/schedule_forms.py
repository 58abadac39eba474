"""Forms of monthly scheduling (月调度): one key project's month, and the bureau's month lock."""

from __future__ import annotations

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Optional

from app.core.forms import AMOUNT_LENGTH, BaseForm, Marked, most
from app.keyprojects.scheduling import MAX_PROGRESS


class ReportForm(BaseForm):
    """One key project's report of one month; the service checks amount and text."""

    invested_wan = StringField(
        "本月完成投资（万元）",
        validators=[Marked(), most(AMOUNT_LENGTH)],
        description="万元，最多两位小数；本月没有投资填 0",
    )
    progress = TextAreaField(
        "形象进度",
        validators=[Marked(), most(MAX_PROGRESS)],
        description="如 主体结构完成至 8 层",
    )
    version = HiddenField()


class LockForm(BaseForm):
    """The bureau locks a month (year and month travel as hidden fields)."""

    year = HiddenField()
    month = HiddenField()


class UnlockForm(BaseForm):
    """The bureau unlocks a month, with a reason."""

    year = HiddenField()
    month = HiddenField()
    reason = TextAreaField(
        "解锁原因",
        validators=[Optional(), most(MAX_PROGRESS)],
        description="如 城关街道 10 月数据填报有误，需更正",
    )
