"""The monthly bulletin screens: choose a month, preview, download, close (月结), closed months.

The bulletin is the district's: the bureau, the leaders and the administrator read it; a unit
user (who sees only their unit) does not get the district's paper. Only the bureau closes."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from app.core import security_log
from app.core.dates import today
from app.core.forms import BaseForm
from app.core.permissions import IsBureau, has_role, requires
from app.core.unit_of_work import attempt
from app.core.web import client_ip
from app.extensions import db
from app.reports import bulletin as bulletins
from app.reports import close_job, closing
from app.reports.dashboard import build
from app.reports.figures.period import EARLIEST_YEAR, read_period

bp = Blueprint("bulletins", __name__, url_prefix="/bulletins", template_folder="templates")

ReadsBulletin = has_role("bureau", "leader", "admin")
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class CloseForm(BaseForm):
    """月结: the month and an explicit confirmation."""

    year = HiddenField()
    month = HiddenField()
    confirm = BooleanField(
        "本月通报已核对并印发，确认月结（月结后该月通报按印发时的数据保存）",
        validators=[DataRequired("请勾选确认后再月结")],
    )


@bp.route("/")
@requires(ReadsBulletin)
def index():
    """Choose a month; preview its sentences; download; close; issued against live."""
    on = today()
    period, error = read_period(request.args, on)
    close = diff = None
    paragraphs: list[str] = []
    if error is None:
        close = closing.month_close(period.year, period.month)
        board = build(current_user, period, on)
        paragraphs = bulletins.paragraphs(board)
        diff = closing.closed_month_diff(current_user, board)
    form = CloseForm(year=period.year, month=period.month)
    return render_template(
        "bulletins/index.html",
        period=period,
        error=error,
        paragraphs=paragraphs,
        issued_paragraphs=close.snapshot.get("paragraphs", []) if close else [],
        close=close,
        diff=diff,
        form=form,
        close_problem=closing.close_problem(period.year, period.month, on),
        can_close=closing.can_close(current_user),
        years=list(range(on.year, EARLIEST_YEAR - 1, -1)),
        recent=closing.closed_months()[:12],
    )


@bp.route("/download")
@requires(ReadsBulletin)
def download():
    """The bulletin as .docx or .xlsx: the issued file of a closed month, else generated now."""
    on = today()
    period, error = read_period(request.args, on)
    kind = request.args.get("format", "")
    if error or kind not in MIMETYPES:
        flash(error or "请选择下载 Word（docx）或 Excel（xlsx）格式", "warning")
        return redirect(url_for("bulletins.index"))
    close = closing.month_close(period.year, period.month)
    live = request.args.get("live") == "1" or close is None
    if live:
        bulletin = bulletins.make_bulletin(current_user, period, on)
        if kind == "docx":
            data, name = bulletins.docx_bytes(bulletin), f"{bulletin.file_stem}.docx"
            rows = sum(len(t.rows) for t in bulletin.tables)
        else:
            data, rows = bulletins.xlsx_bytes(bulletin)
            name = f"{bulletin.file_stem}（附表）.xlsx"
        if close is not None:
            stem, _dot, suffix = name.rpartition(".")
            name = f"{stem}（按当前数据）.{suffix}"
    else:
        data, name = closing.issued_file(close, kind)
        rows = close.snapshot.get("rows", {}).get(kind)
    security_log.record(
        db.session, "export", user=current_user, ip=client_ip(), what="月度通报",
        filter={"year": period.year, "month": period.month, "format": kind,
                "issued": not live},
        rows=rows,
    )  # fmt: skip
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[kind], as_attachment=True,
                     download_name=name)  # fmt: skip


@bp.route("/close", methods=["POST"])
@requires(IsBureau)
def close():
    """月结: queue the job that keeps the bulletin issued now and its figures (a month closes
    once); the job page shows its progress."""
    on = today()
    form = CloseForm()
    period, error = read_period(request.form, on)
    back = url_for("bulletins.index", year=period.year, month=period.month)
    if error or not (request.form.get("year") and request.form.get("month")):
        flash(error or "请选择要月结的年份和月份", "warning")
        return redirect(url_for("bulletins.index"))
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "warning")
        return redirect(back)

    problem = closing.close_problem(period.year, period.month, on)
    if problem:
        flash(problem, "warning")
        return redirect(back)
    outcome = attempt(lambda: close_job.start(current_user, period, on))
    if not outcome:
        outcome.flash_refusal("warning")
        return redirect(back)
    return redirect(url_for("jobs.detail", job_id=outcome.value.id))


@bp.route("/closed")
@requires(ReadsBulletin)
def closed():
    """Every closed month, with its issued files."""
    return render_template("bulletins/closed.html", closes=closing.closed_months())
