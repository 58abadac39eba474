"""Forms of the funds ledger: an entry, verification, correction."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app import periods
from app.core.dates import today
from app.core.forms import (
    AMOUNT_LENGTH,
    BaseForm,
    DateField,
    Marked,
    choices,
    fits,
    most,
    read_wan,
)
from app.funds.evidence import Upload
from app.funds.models import ORIGINS, USES, FundsEntry
from app.funds.services import EntryData, entry_problems


class EntryForm(BaseForm):
    received_on = DateField("到位日期", validators=[Optional(), Marked()], default=today)
    amount_wan = StringField(
        "金额（万元）",
        validators=[Marked(), most(AMOUNT_LENGTH)],
        description="单位万元，最多两位小数，如 1250.50",
    )
    origin = SelectField(
        "资金类型",
        choices=choices(((o, o) for o in ORIGINS), blank="请选择"),
        validators=[Marked()],
        validate_choice=False,
        description="区内资金不属于招商引资到位资金，不录入",
    )
    use = SelectField(
        "资金用途",
        choices=choices((u, u) for u in USES),
        default=USES[0],
        validate_choice=False,
    )
    evidence_ref = StringField(
        "凭证号",
        validators=[Marked(), fits(FundsEntry.evidence_ref)],
        description="银行回单号、验资报告号等；同一项目不能重复",
    )
    evidence = FileField("凭证文件（可选）", description="PDF、JPG 或 PNG，不超过 10 MB")
    notes = TextAreaField("备注", validators=[Optional(), most(2000)])
    version = HiddenField()
    submission_id = HiddenField()

    def entry_data(self, errors: dict[str, str]) -> EntryData:
        """The typed values; an unreadable amount goes into `errors` beside its field."""
        amount: Decimal | None = read_wan(self.amount_wan, errors)
        return EntryData(
            received_on=self.received_on.data,
            amount_wan=amount,
            origin=self.origin.data or "",
            use=self.use.data or USES[0],
            evidence_ref=self.evidence_ref.data or "",
            notes=self.notes.data,
        )

    def problems(self) -> dict[str, str]:
        """The service's field checks of what was typed (reported with the form's own)."""
        errors: dict[str, str] = {}
        data = self.entry_data(errors)
        return {**entry_problems(data), **errors}

    def upload(self) -> Upload | None:
        """The evidence file chosen, if any."""
        file = self.evidence.data
        if file is None or not getattr(file, "filename", ""):
            return None
        return Upload(file.read(), file.filename)


CLOSED_MONTH_NOTE = "跨月核实说明（已结账月份核实时必填）；退回时写退回原因"
OPEN_MONTH_NOTE = "退回原因（退回时必填）；核实时可写核实意见"


class VerifyForm(BaseForm):
    note = TextAreaField(OPEN_MONTH_NOTE, validators=[Optional(), most(1000)])

    def for_entry(self, entry: FundsEntry) -> VerifyForm:
        """Label the box for what it is asked for here: in a closed month (月结) verifying
        must say why the month changes; returning always needs the reason."""
        if periods.reason_required(entry.received_on):
            self.note.label.text = CLOSED_MONTH_NOTE
        return self


class CorrectForm(EntryForm):
    reason = TextAreaField(
        "更正原因", validators=[Marked(), most(1000)], description="写入冲销和新记录"
    )
    reverse_only = BooleanField("仅冲销原记录，不录入新记录（原记录整笔有误时）")
