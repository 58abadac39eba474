"""The key-project figures' pages: the 台账, the lists behind its numbers, the 三类现象."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask_login import current_user

from app.core import lists
from app.core.permissions import ReadsReports, requires
from app.reports import lists as report_lists
from app.reports.figures import keyprojects as kf
from app.reports.figures.period import EARLIEST_YEAR, Period, read_period
from app.reports.figures.targets import LIGHTS

bp = Blueprint(
    "keyfigures", __name__, url_prefix="/key-projects/figures", template_folder="templates"
)

LIGHT_CLASSES = {"green": "success", "yellow": "warning", "red": "danger"}


def init_app(app) -> None:
    """Register the blueprint and the leader's to-do section (我包保的重点项目)."""
    from app import todo
    from app.keyprojects import todo as key_todo

    app.register_blueprint(bp)
    todo.register(app, key_todo.PROVIDER)


def key_project_url(key_project_id: int) -> str:
    """The key project's own page (app/keyprojects), or the ledger while it is not there."""
    if "keyprojects.detail" in current_app.view_functions:
        return url_for("keyprojects.detail", key_project_id=key_project_id)
    return url_for("keyfigures.ledger")


def records_url(period: Period, key: str = "all", **filters: Any) -> str:
    """The link behind one number: the same definition and as-of day as the number."""
    args = {k: v for k, v in filters.items() if v is not None}
    return url_for("keyfigures.records", key=key, year=period.year, month=period.month, **args)


def _period() -> Period:
    period, message = read_period(request.args)
    if message:
        flash(message, "warning")
    return period


def _common(period: Period) -> dict[str, Any]:
    return {
        "period": period,
        "years": list(range(period.as_of().year, EARLIEST_YEAR - 1, -1))[:8],
        "records_url": lambda key="all", **f: records_url(period, key, **f),
        "kp_url": key_project_url,
        "lights": LIGHTS,
        "light_class": LIGHT_CLASSES,
        "flag_names": kf.FLAGS,
        "idle_days": current_app.config["IDLE_DAYS"],
    }


@bp.route("/ledger")
@requires(ReadsReports)
def ledger():
    """重点项目台账: headline, roll call, header figures, the table by 工程, unit and leader."""
    period = _period()
    data = kf.key_ledger(current_user, period)
    return render_template(
        "reports/keyprojects_ledger.html",
        ledger=data,
        headline=kf.headline(data),
        roll_call_sentence=kf.roll_call_sentence(data),
        programme_sentence=kf.programme_roll_call_sentence,
        lag_sentence=kf.lag_sentence(data.total, period),
        light_counts={k: len(kf.records(data, k)) for k in LIGHTS},
        **_common(period),
    )


@bp.route("/records")
@requires(ReadsReports)
def records():
    """The key projects behind one number of the ledger or flags page; their total is it,
    paged, sortable and exported as counted (app/reports/lists.py)."""
    period = _period()
    if (request.args.get("key") or "all").strip() not in kf.RECORD_KEYS:
        flash("未知的统计口径，已显示全部重点项目", "warning")
    found = report_lists.records(current_user, request.args)
    listing = lists.show(report_lists.KEY_RECORDS, current_user)
    filters, data = found.filters, found.ledger
    labels = []
    if "category" in filters:
        labels.append(filters["category"])
    if "programme" in filters:
        labels.append(filters["programme"])
    for g in data.units:
        if g.key == filters.get("unit_id"):
            labels.append(g.label)
    for g in data.leaders:
        if g.key == filters.get("leader_id"):
            labels.append("包保领导：" + g.label)
    shown = found.by_id
    return render_template(
        "reports/keyprojects_records.html",
        key=found.key,
        title=kf.RECORD_KEYS[found.key],
        labels=labels,
        listing=listing,
        rows=[shown[kp.id] for kp in listing.items],
        total=kf.group("合计", found.rows, period.month),
        filters=filters,
        **_common(period),
    )


@bp.route("/flags")
@requires(ReadsReports)
def flags():
    """三类现象: per 包保领导 and per key project, which flag holds and why."""
    period = _period()
    data = kf.key_ledger(current_user, period)
    flagged = [r for r in data.rows if r.flags]
    counts = {k: len(kf.records(data, k)) for k in kf.FLAGS}
    return render_template(
        "reports/keyprojects_flags.html",
        ledger=data,
        flagged=flagged,
        counts=counts,
        yellow_max=current_app.config["LIGHT_YELLOW_MAX_LAG"],
        leader_counts={
            g.key: {k: len(kf.records(data, k, leader_id=g.key)) for k in kf.FLAGS}
            for g in data.leaders
        },
        **_common(period),
    )
