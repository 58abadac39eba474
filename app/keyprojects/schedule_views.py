"""Monthly scheduling screens (月调度): the month page (a unit's rows, the bureau's summary per
unit), saving one project's month, the bureau's month locks, and the quarterly 督查 view of
key-project problems. Thin: forms in, scheduling services do the work, one commit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.care.queries import ProblemFilters
from app.core.dates import today
from app.core.forms import STALE_MESSAGE, ServiceError, read_wan
from app.core.money import yuan_to_wan
from app.core.params import whole_number
from app.core.permissions import WritesBusinessData, has_role, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import attempt
from app.keyprojects import scheduling
from app.keyprojects.models import KeyProject
from app.keyprojects.schedule_forms import LockForm, ReportForm, UnlockForm
from app.reports.figures.period import EARLIEST_YEAR, last_ended

bp = Blueprint(
    "keyschedule", __name__, url_prefix="/key-projects/schedule", template_folder="templates"
)

# Scheduling is read by the bureau, the units (their own projects) and the leaders.
ReadsSchedule = has_role("bureau", "unit", "leader")
LATEST_YEAR = 2100


def _chosen_month() -> tuple[int, int, str | None]:
    """The month asked for in the query string, else the last ended month (with why)."""
    default = last_ended()
    raw_year, raw_month = request.args.get("year"), request.args.get("month")
    if raw_year in (None, "") and raw_month in (None, ""):
        return default.year, default.month, None
    year = whole_number(raw_year, EARLIEST_YEAR, LATEST_YEAR)
    month = whole_number(raw_month, 1, 12)
    if year is None or month is None:
        return default.year, default.month, "年份或月份无法识别，已显示上一个已结束的月份"
    return year, month, None


def _writes(user) -> bool:
    return user.role in ("bureau", "unit")


def _unit_shown(user) -> int | None:
    """A unit user sees its own rows; the bureau and leaders open one unit by unit_id."""
    if user.role == "unit":
        return user.unit_id
    return whole_number(request.args.get("unit_id") or request.form.get("unit_id"))


def _row_form(row: scheduling.ReportRow) -> ReportForm:
    form = ReportForm(formdata=None)
    if row.report is not None:
        form.invested_wan.data = f"{yuan_to_wan(row.report.invested):.2f}"
        form.progress.data = row.report.progress
        form.version.data = str(row.report.version)
    else:
        form.version.data = ""
    return form


def render_month(year: int, month: int, *, failed=None, unlock_form=None, notice=None, status=200):
    """The month page; a row whose save failed (key project id, form, messages) comes back
    with what was typed and its messages."""
    unit_id = _unit_shown(current_user)
    showing_rows = current_user.role == "unit" or unit_id is not None
    rows = scheduling.month_rows(current_user, year, month, unit_id) if showing_rows else []
    forms = {row.key_project.id: _row_form(row) for row in rows}
    general: dict[int, list[str]] = {}
    page_messages: list[str] = []
    if failed is not None:
        key_project_id, form, messages = failed
        if key_project_id in forms:
            if STALE_MESSAGE in messages:  # typed values kept, on the current version
                current = next(r.report for r in rows if r.key_project.id == key_project_id)
                form.version.data = str(current.version) if current else ""
            forms[key_project_id] = form
            general[key_project_id] = messages
        else:  # a month not on this page: say why beside nothing but the page itself
            page_messages = messages + [
                m for f in form for m in f.errors if isinstance(m, str)
            ]
    ended = scheduling.has_ended(year, month)
    lock = scheduling.month_lock(year, month)
    unlock_form = unlock_form or UnlockForm(formdata=None)
    unlock_form.year.data, unlock_form.month.data = year, month
    lock_form = LockForm(formdata=None)
    lock_form.year.data, lock_form.month.data = year, month
    before = scheduling.previous(year, month)
    after = (year + (month == 12), month % 12 + 1)
    page = render_template(
        "keyprojects/schedule_month.html",
        year=year,
        month=month,
        rows=rows,
        forms=forms,
        general=general,
        page_messages=page_messages,
        summaries=[] if current_user.role == "unit" else scheduling.unit_summaries(
            current_user, year, month
        ),
        unit_id=unit_id,
        showing_rows=showing_rows,
        ended=ended,
        lock=lock,
        editable=ended and lock is None and _writes(current_user),
        editing=whole_number(request.args.get("edit")),
        due=scheduling.due_date(year, month),
        past_due=scheduling.is_past_due(year, month),
        on=today(),
        before=before,
        after=after,
        lock_form=lock_form,
        unlock_form=unlock_form,
        is_bureau=current_user.role == "bureau",
        notice=notice,
    )
    return page, status


@bp.route("/")
@requires(ReadsSchedule)
def month():
    """One month's scheduling: a unit's rows to fill in, or the bureau's summary per unit."""
    year, month_number, notice = _chosen_month()
    return render_month(year, month_number, notice=notice)


def _back(year: int, month: int):
    args = {"year": year, "month": month}
    unit_id = _unit_shown(current_user)
    if current_user.role != "unit" and unit_id is not None:
        args["unit_id"] = unit_id
    return redirect(url_for("keyschedule.month", **args))


@bp.route("/<int:key_project_id>/<int:year>/<int:month>", methods=["POST"])
@requires(WritesBusinessData)
def save(key_project_id: int, year: int, month: int):
    """Enter or correct one key project's report of one month."""
    key_project = get_or_404(KeyProject, key_project_id, current_user)
    form = ReportForm()
    messages: list[str] = []
    if form.validate_on_submit():

        def act():
            errors: dict[str, str] = {}
            amount = read_wan(form.invested_wan, errors)
            if errors:
                raise ServiceError(errors)
            return scheduling.save_report(
                key_project,
                year,
                month,
                amount,
                form.progress.data,
                current_user,
                form.version.data,
            )

        outcome = attempt(act, form)
        if outcome:
            flash(f"已保存 {key_project.name} {year}年{month}月调度", "success")
            return _back(year, month)
        messages = outcome.general
    # The page comes back on the project's own year, where its row shows what was typed.
    shown_year, shown_month = key_project.year, month
    if not 1 <= month <= 12:
        shown_month = last_ended().month if last_ended().year == key_project.year else 12
    stale = STALE_MESSAGE in messages
    return render_month(
        shown_year,
        shown_month,
        failed=(key_project.id, form, messages),
        status=409 if stale else 200,
    )


def _posted_month() -> tuple[int | None, int | None]:
    return (
        whole_number(request.form.get("year"), EARLIEST_YEAR, LATEST_YEAR),
        whole_number(request.form.get("month"), 1, 12),
    )


@bp.route("/lock", methods=["POST"])
@requires(has_role("bureau"))
def lock():
    """The bureau locks a month: its reports can no longer be entered or changed."""
    form = LockForm()
    year, month_number = _posted_month()
    if year is None or month_number is None:
        flash("年份或月份无法识别", "danger")
        return redirect(url_for("keyschedule.month"))
    if form.validate_on_submit():
        outcome = attempt(lambda: scheduling.lock_month(year, month_number, current_user), form)
        if outcome:
            flash(f"{year}年{month_number}月调度已锁定", "success")
        else:
            outcome.flash_refusal()
    return _back(year, month_number)


@bp.route("/unlock", methods=["POST"])
@requires(has_role("bureau"))
def unlock():
    """The bureau unlocks a month, with a reason the history keeps."""
    form = UnlockForm()
    year, month_number = _posted_month()
    if year is None or month_number is None:
        flash("年份或月份无法识别", "danger")
        return redirect(url_for("keyschedule.month"))
    if form.validate_on_submit():
        outcome = attempt(
            lambda: scheduling.unlock_month(year, month_number, form.reason.data, current_user),
            form,
        )
        if outcome:
            flash(f"{year}年{month_number}月调度已解锁", "success")
            return _back(year, month_number)
        for message in outcome.general:
            flash(message, "danger")
    return render_month(year, month_number, unlock_form=form)


# ---------------------------------------------------------------- 督查


def _chosen_quarter() -> tuple[int, int, str | None]:
    default = last_ended()
    default_pair = (default.year, scheduling.quarter_of(default.month))
    raw_year, raw_quarter = request.args.get("year"), request.args.get("quarter")
    if raw_year in (None, "") and raw_quarter in (None, ""):
        return (*default_pair, None)
    year = whole_number(raw_year, EARLIEST_YEAR, LATEST_YEAR)
    quarter = whole_number(raw_quarter, 1, 4)
    if year is None or quarter is None:
        return (*default_pair, "年份或季度无法识别，已显示上一个已结束月份所在的季度")
    return year, quarter, None


@bp.route("/inspection")
@requires(ReadsSchedule)
def inspection():
    """督查: key-project problems raised in a quarter, per handling unit, each count a link to
    exactly those problems."""
    year, quarter, notice = _chosen_quarter()
    rows, total = scheduling.inspection(current_user, year, quarter)
    first, last = scheduling.quarter_bounds(year, quarter)

    def link(row: scheduling.InspectionRow, state: str = "") -> str:
        f = ProblemFilters(key=True, raised_from=first, raised_to=last, state=state)
        if row.kind == "unassigned":
            f.handling_unit_id = 0
        elif row.kind == "unit":
            f.handling_unit_id = row.handling_unit_id
        return url_for("care.problems", **f.to_args())

    return render_template(
        "keyprojects/inspection.html",
        year=year,
        quarter=quarter,
        first=first,
        last=last,
        rows=rows,
        total=total,
        link=link,
        show_total=current_user.role != "unit",
        notice=notice,
        years=range(max(EARLIEST_YEAR, today().year - 5), today().year + 1),
    )
