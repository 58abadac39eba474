"""Forms of the funds ledger: an entry, verification, correction."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

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
from app.funds.services import EntryData


class EntryForm(BaseForm):
    received_on = DateField("到位日期", validators=[Optional(), Marked()])
    amount_wan = StringField(
        "金额（万元）",
        validators=[Marked(), most(AMOUNT_LENGTH)],
        description="单位万元，最多两位小数，如 1250.50"
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

    def upload(self) -> Upload | None:
        """The evidence file chosen, if any."""
        file = self.evidence.data
        if file is None or not getattr(file, "filename", ""):
            return None
        return Upload(file.read(), file.filename)


class VerifyForm(BaseForm):
    note = TextAreaField("核实意见（退回时必填）", validators=[Optional(), most(1000)])


class CorrectForm(EntryForm):
    reason = TextAreaField(
        "更正原因", validators=[Marked(), most(1000)], description="写入冲销和新记录"
    )
    reverse_only = BooleanField("仅冲销原记录，不录入新记录（原记录整笔有误时）")
