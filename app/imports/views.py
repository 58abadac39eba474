"""The import screen (upload → check → result → confirm), the templates, and the one export
route every export goes through."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from app.core import lists
from app.core.permissions import (
    IsAuditor,
    IsBureau,
    ReadsBusinessData,
    WritesBusinessData,
    requires,
)
from app.core.unit_of_work import attempt, on_commit, on_rollback
from app.core.web import client_ip
from app.extensions import db
from app.imports import exports, services, storage, withdrawal
from app.imports import jobs as import_jobs
from app.imports import lists as import_lists
from app.imports.models import ImportBatch

bp = Blueprint("imports", __name__, url_prefix="/imports", template_folder="templates")
export_bp = Blueprint("exports", __name__, url_prefix="/exports")

XLSX = exports.XLSX


def _kind(key: str) -> services.Kind:
    kind = services.KINDS.get(key)
    if kind is None:
        abort(404)
    return kind


@bp.route("/")
@requires(WritesBusinessData)
def index():
    """Choose what to import, download its template, upload the file."""
    kind = services.KINDS.get(request.args.get("kind", ""), services.KINDS["projects"])
    return render_template(
        "imports/index.html",
        kind=kind,
        kinds=services.KINDS,
        batches=services.recent_batches(current_user),
    )


@bp.route("/template/<key>")
@requires(WritesBusinessData)
def template(key: str):
    """The import template as an .xlsx file."""
    kind = _kind(key)
    return exports.send_workbook(kind.template(), f"{kind.title}导入模板.xlsx")


def _result(outcome: services.Outcome, token: str | None):
    return render_template(
        "imports/result.html",
        outcome=outcome,
        token=token,
        messages=services.error_messages(outcome.errors),
    )


@bp.route("/<key>/check", methods=["POST"])
@requires(WritesBusinessData)
def check(key: str):
    """Check an uploaded file and show what would be imported, or every problem found."""
    kind = _kind(key)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择要导入的文件", "warning")
        return redirect(url_for("imports.index", kind=kind.key))
    data = upload.read()
    verified = kind.key == "funds" and request.form.get("verified") == "1"
    if import_jobs.too_big(data):
        return _check_by_job(kind, upload.filename, verified, data)
    outcome = services.check_file(kind.key, data, upload.filename, current_user, verified)
    db.session.rollback()
    token = None
    if outcome.file_error is None:
        token = storage.save(kind.key, upload.filename, current_user.id, verified, data)
        if not outcome.ok:
            services.write_error_copy(outcome, storage.errors_path(token))
    return _result(outcome, token)


def _check_by_job(kind: services.Kind, filename: str, verified: bool, data: bytes):
    """A large file: kept, then checked by a job whose page shows its progress."""
    token = storage.save(kind.key, filename, current_user.id, verified, data)
    on_rollback(lambda: storage.remove(token))
    pending = storage.load(token, current_user.id)
    started = attempt(lambda: import_jobs.start_check(pending, current_user))
    if not started:
        storage.remove(token)
        flash(started.general[0], "warning")
        return redirect(url_for("imports.index", kind=kind.key))
    return redirect(url_for("jobs.detail", job_id=started.value.id))


@bp.route("/checked/<token>")
@requires(WritesBusinessData)
def checked(token: str):
    """What a check job found: the same result page as a check in the request."""
    record = storage.load_check(token, current_user.id)
    if record is None:
        abort(404)
    return _result(services.outcome_of_record(record), token)


def _import_by_job(pending: storage.Pending, reason: str):
    """A large file: written by a job (all rows or none); its page shows the rows go by."""
    record = storage.load_check(pending.token, current_user.id)
    if record is not None and record.get("closed_rows") and not reason.strip():
        outcome = services.outcome_of_record(record)
        outcome.reason_error = outcome.closed_note
        return _result(outcome, pending.token)
    started = attempt(lambda: import_jobs.start_import(pending, current_user, reason))
    if not started:
        flash(started.general[0], "warning")
        return redirect(url_for("imports.index", kind=pending.kind))
    return redirect(url_for("jobs.detail", job_id=started.value.id))


@bp.route("/confirm/<token>", methods=["POST"])
@requires(WritesBusinessData)
def confirm(token: str):
    """Import a checked file: every row, or, if anything changed meanwhile, none."""
    pending = storage.load(token, current_user.id)
    if pending is None:
        flash("上传的文件已过期或不存在，请重新上传", "warning")
        return redirect(url_for("imports.index"))
    if import_jobs.too_big(pending.data):
        return _import_by_job(pending, request.form.get("reason", ""))
    imported = attempt(
        lambda: services.import_file(
            pending.kind,
            pending.data,
            pending.filename,
            current_user,
            pending.verified,
            reason=request.form.get("reason", ""),
        ),
        conflict="该文件刚刚已被导入，不会重复导入",
    )
    if not imported:
        flash(imported.general[0], "warning")
        return redirect(url_for("imports.index", kind=pending.kind))
    outcome = imported.value
    if not outcome.ok:
        db.session.rollback()  # the rows that were written before the refusal
        if outcome.table is not None and outcome.errors:
            services.write_error_copy(outcome, storage.errors_path(token))
        return _result(outcome, token)
    on_commit(lambda: storage.remove(token))
    flash(f"已导入 {outcome.written} 行（批次 #{outcome.batch.id}）", "success")
    if pending.kind == "funds":
        status = "verified" if pending.verified else "pending"
        return redirect(url_for("funds.index", status=status))
    if pending.kind == "keyproject" and "keyprojects.index" in current_app.view_functions:
        return redirect(url_for("keyprojects.index"))
    return redirect(url_for("imports.index", kind=pending.kind))


@bp.route("/errors/<token>")
@requires(WritesBusinessData)
def errors(token: str):
    """The uploaded file again with a 错误说明 column."""
    pending = storage.load(token, current_user.id)
    path = storage.errors_path(token)
    if pending is None or not path.is_file():
        abort(404)
    stem = Path(pending.filename).stem[:60] or "导入文件"
    return send_file(path, mimetype=XLSX, as_attachment=True, download_name=f"{stem}_错误说明.xlsx")


@bp.route("/batches")
@requires(WritesBusinessData)
def batches():
    """Every import the user may see, newest first, each with its 撤回 state."""
    return render_template(
        "imports/batches.html",
        listing=lists.show(import_lists.BATCHES, current_user),
        can_withdraw=withdrawal.can_withdraw(current_user),
        window_problem=withdrawal.window_problem,
    )


def _batch_or_404(batch_id: int) -> ImportBatch:
    batch = db.session.execute(
        select(ImportBatch).where(ImportBatch.id == batch_id)
    ).scalar_one_or_none()
    if batch is None:
        abort(404)
    return batch


@bp.route("/batches/<int:batch_id>/withdraw", methods=["GET", "POST"])
@requires(IsBureau)
def withdraw(batch_id: int):
    """Confirm a withdrawal with its reason; refused, it names the rows built on since."""
    batch = _batch_or_404(batch_id)
    reason = request.form.get("reason", "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        done = attempt(lambda: withdrawal.withdraw_batch(batch, current_user, reason))
        if done:
            flash(f"已撤回批次 #{batch.id}，{done.value} 条记录已删除", "success")
            return redirect(url_for("imports.batches"))
        errors = done.error.errors
        batch = _batch_or_404(batch_id)  # the refusal rolled back: read it again
    problem = withdrawal.window_problem(batch)
    rows = withdrawal.batch_rows(batch) if problem is None else []
    return render_template(
        "imports/withdraw.html",
        batch=batch,
        problem=problem,
        built_on=withdrawal.built_on(batch, rows) if problem is None else [],
        row_count=len(rows),
        reason=reason,
        errors=errors,
        deadline=withdrawal.deadline(batch),
    ), (422 if errors else 200)


@export_bp.route("/<name>")
@requires(ReadsBusinessData | IsAuditor)  # and each export's own permission, below
def download(name: str):
    """Any registered export, built within the user's scope, logged, streamed as .xlsx."""
    export = exports.find(name)
    if export is None:
        abort(404)
    if not export.permission(current_user):
        abort(403)
    if exports.too_big_to_send(name, current_user, request.args):
        job = exports.start_export_job(name, request.args, current_user)
        return redirect(url_for("jobs.detail", job_id=job.id))
    sheets, filters, label = export.build(current_user, request.args)
    return exports.send_workbook(
        sheets,
        exports.filename(export, label),
        name=export.name,
        title=export.title,
        filters=filters,
        actor=current_user,
        ip=client_ip(),
    )
