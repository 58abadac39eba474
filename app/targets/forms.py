"""Forms for targets: the grid (its cells are read by name), the import, the claim."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from app.core.forms import BaseForm, Marked


class GridForm(BaseForm):
    """The editable table: only its CSRF token is a field; cells are named t-<unit>-<measure>."""


class ImportForm(BaseForm):
    year = IntegerField(
        "年份",
        validators=[Optional(), NumberRange(min=2000, max=2100, message="年份须在 2000—2100 之间")],
    )
    file = FileField(
        "目标任务表",
        validators=[Marked()],
        description="Excel（.xlsx / .xls）或 CSV；第一列“责任单位”，其余为目标列",
    )


class ClaimForm(BaseForm):
    """The claim button (CSRF only)."""
