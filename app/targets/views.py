"""Target screens: the completion table, the records behind a figure, the unit's claim."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from app.core import lists
from app.core.dates import today
from app.core.money import format_wan
from app.core.params import whole_number
from app.core.permissions import IsUnit, ReadsBusinessData, requires
from app.core.scoping import get_or_404, scoped_select
from app.core.unit_of_work import attempt
from app.extensions import db
from app.reports.figures import targets as figures
from app.targets import exports, services
from app.targets import lists as target_lists
from app.targets.forms import ClaimForm
from app.targets.models import MEASURES, Target
from app.units.models import Unit

bp = Blueprint("targets", __name__, url_prefix="/targets", template_folder="templates")

LIGHT_CLASSES = {"green": "success", "yellow": "warning", "red": "danger"}


def year_and_month() -> tuple[int, int]:
    """The period asked for: the last month that has ended by default, a past year to 12."""
    return exports.period_from(request.args)


def years_offered(year: int) -> list[int]:
    """Years with targets, and the years around this one."""
    found = {y for (y,) in db.session.execute(select(Target.year).distinct())}
    now = today().year
    return sorted(found | {now - 1, now, now + 1, year}, reverse=True)


def funds_link(row: figures.UnitRow, measure, table: figures.TargetTable) -> str | None:
    """The verified ledger entries behind a funds figure (None while funds has no screen)."""
    if "funds.index" not in current_app.view_functions:
        return None
    args = {"year": table.year, "to": table.month, "unit_id": row.unit_id, "status": "verified"}
    if measure.origin:
        args["origin"] = measure.origin
    return url_for("funds.index", **args)


def achieved_link(row: figures.UnitRow, measure, table: figures.TargetTable) -> str | None:
    """Where an achieved figure's records are listed."""
    if not row.unit_id:
        return None
    if measure.key in figures.MEASURE_RECORDS:
        return url_for(
            "targets.records",
            unit_id=row.unit_id,
            year=table.year,
            month=table.month,
            key=figures.MEASURE_RECORDS[measure.key],
        )
    return funds_link(row, measure, table)


def shown_value(measure, value: int | None) -> str:
    """A target or an achieved figure as shown: 万元 with two decimals, or a count."""
    if value is None:
        return "—"
    return format_wan(value) if measure.money else str(value)


@bp.route("/")
@requires(ReadsBusinessData)
def index():
    """目标任务完成情况: every unit, each target, achieved, rate, lag, light, rank."""
    year, month = year_and_month()
    table = figures.target_table(current_user, year, month)
    return render_template(
        "targets/index.html",
        table=table,
        years=years_offered(year),
        achieved_link=achieved_link,
        shown=shown_value,
        light_class=LIGHT_CLASSES,
        lights=figures.LIGHTS,
        yellow_max=current_app.config["LIGHT_YELLOW_MAX_LAG"],
    )


@bp.route("/records")
@requires(ReadsBusinessData)
def records():
    """The projects behind one achieved figure of one unit."""
    year, month = year_and_month()
    key = request.args.get("key", "")
    raw_unit = request.args.get("unit_id", "")
    chosen = key in figures.RECORDS and whole_number(raw_unit) is not None
    # Without a figure chosen (no key or unit): an empty list saying where to choose one.
    unit = get_or_404(Unit, raw_unit, current_user) if chosen else None
    return render_template(
        "targets/records.html",
        listing=lists.show(target_lists.RECORDS, current_user),
        unit=unit,
        year=year,
        month=month,
        title=figures.RECORDS[key][0] if chosen else "项目",
        key=key,
    )


@bp.route("/mine")
@requires(IsUnit)
def mine():
    """A unit's targets, year by year, with the claim button and this year's progress."""
    targets = list(
        db.session.execute(
            scoped_select(Target, current_user).order_by(Target.year.desc())
        ).scalars()
    )
    year, month = year_and_month()
    table = figures.target_table(current_user, year, month)
    return render_template(
        "targets/mine.html",
        targets=targets,
        table=table,
        row=table.rows[0] if table.rows else None,
        measures=MEASURES,
        shown=shown_value,
        form=ClaimForm(),
        light_class=LIGHT_CLASSES,
        lights=figures.LIGHTS,
        achieved_link=achieved_link,
    )


@bp.route("/<int:target_id>/claim", methods=["POST"])
@requires(IsUnit)
def claim(target_id: int):
    """The unit claims its target; a second claim leaves the first one standing."""
    target = get_or_404(Target, target_id, current_user)
    if not ClaimForm().validate_on_submit():
        abort(400)
    outcome = attempt(lambda: services.claim(target, current_user))
    if outcome and outcome.value:
        flash(f"已认领{target.year}年目标任务", "success")
    elif outcome:
        flash(f"{target.year}年目标任务此前已认领", "info")
    outcome.flash_refusal()
    return redirect(url_for("targets.mine", year=target.year))
