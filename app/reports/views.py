"""The leaders' dashboard (驾驶舱): every figure links to the records behind it."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask_login import current_user

from app.core import lists
from app.core.dates import today
from app.core.money import format_yi, yuan_to_wan
from app.core.permissions import ReadsReports, requires
from app.reports import closing, reuse
from app.reports import dashboard as dash
from app.reports import lists as report_lists
from app.reports.figures.period import Period, read_period

bp = Blueprint("reports", __name__, template_folder="templates")


def _ledger(
    period: Period,
    month_from: int = 1,
    month_to: int | None = None,
    unit_id: int | None = None,
) -> str:
    args = {
        "year": period.year,
        "from": month_from,
        "to": month_to or period.month,
        "status": "verified",
    }
    if unit_id:
        args["unit_id"] = unit_id
    return url_for("funds.index", **args)


def _chart_data(board: dash.Dashboard) -> dict:
    """What the charts draw, with the link behind every element."""
    period, cohort = board.period, board.cohort
    target = board.funds_figure.target if board.funds_figure else None
    months = list(range(1, 13))
    return {
        "funnel": [
            {
                "name": s.stage.label,
                "value": s.reached,
                "url": url_for("projects.index", **cohort.link(reached=s.stage.key)),
            }
            for s in cohort.funnel.stages
        ],
        "funds": {
            "months": [f"{m}月" for m in months],
            "current": [str(yuan_to_wan(v)) for v in board.funds_months[: period.month]],
            "previous": [str(yuan_to_wan(v)) for v in board.funds_months_previous],
            "cumulative": [str(yuan_to_wan(v)) for v in board.funds_cumulative],
            "progress": [str(yuan_to_wan(target * m // 12)) for m in months] if target else [],
            "urls": [_ledger(period, m, m, board.unit_id) for m in months],
            "urls_previous": [
                _ledger(Period(period.year - 1, 12), m, m, board.unit_id) for m in months
            ],
            "year": period.year,
        },
    }


@bp.route("/dashboard")
@requires(ReadsReports)
def dashboard():
    """The leaders' page for a year and month (default: the last month that has ended)."""
    period, message = read_period(request.args)
    if message:
        flash(message, "warning")
    body = reuse.body(current_user, period, today(), lambda: _dashboard_body(period))
    return render_template("reports/dashboard.html", body=body, period=period)


def _dashboard_body(period: Period) -> str:
    board = dash.build(current_user, period)
    return render_template(
        "reports/_dashboard_body.html",
        board=board,
        diff=closing.closed_month_diff(current_user, board),
        period=period,
        ledger=_ledger,
        charts=_chart_data(board),  # written by |tojson: "</script>" in a name stays text
        yi=format_yi,
        landed_label=board.cohort.funnel.landed_stage.label,
        years=sorted(
            {*range(board.generated_on.year - 5, board.generated_on.year + 1), period.year},
            reverse=True,
        ),
        limit=current_app.config["NOT_STARTED_LIMIT_DAYS"],
    )


@bp.route("/dashboard/commitments")
@requires(ReadsReports)
def overdue_commitments():
    """The overdue commitments behind the dashboard's count."""
    listing = lists.show(report_lists.OVERDUE_COMMITMENTS, current_user)
    return render_template("reports/overdue_commitments.html", listing=listing, on=today())
