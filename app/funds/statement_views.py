"""The 到位资金情况表 screen (the report statistics offices publish), for a year and month."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from app.core.permissions import ReadsReports, requires
from app.funds.views import bp
from app.reports.figures.funds_statement import funds_statement, lag_phrase
from app.reports.figures.period import EARLIEST_YEAR, read_period


@bp.route("/statement")
@requires(ReadsReports)
def statement():
    """By origin, industry, 亿元以上 and in total (and per unit for the bureau), months 1..M."""
    period, message = read_period(request.args)
    if message:
        flash(message, "warning")
    report = funds_statement(current_user, period)
    return render_template(
        "funds/statement.html",
        report=report,
        period=period,
        lag_phrase=lag_phrase,
        years=list(range(report.as_of.year, EARLIEST_YEAR - 1, -1))[:8],
    )
