"""The funds ledger screens: list, enter, change, verify, reject, correct, evidence, report."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.core import bulk, lists
from app.core.forms import ServiceError
from app.core.panels import Panel
from app.core.panels import register as register_panel
from app.core.params import whole_number
from app.core.permissions import IsBureau, ReadsBusinessData, WritesBusinessData, requires
from app.core.scoping import get_or_404, scoped_select
from app.core.unit_of_work import attempt, on_rollback
from app.extensions import db
from app.funds import access, evidence, queries, services
from app.funds import lists as funds_lists
from app.funds.forms import CorrectForm, EntryForm, VerifyForm
from app.funds.models import ORIGINS, STATUSES, USES, FundsEntry
from app.projects.models import INDUSTRIES, Project
from app.reports.figures import funds as figures
from app.units.queries import unit_choices

bp = Blueprint("funds", __name__, url_prefix="/funds", template_folder="templates")


def init_app(app) -> None:
    """The project page's 到位资金 tab and the to-do page's funds sections."""
    from app import todo
    from app.funds import todo as funds_todo

    todo.register(app, funds_todo.PROVIDER)
    register_panel(
        app,
        "project",
        Panel(
            key="funds",
            title="到位资金",
            template="funds/_project_panel.html",
            context=panel_context,
            order=20,
        ),
    )


def panel_context(project: Project, user) -> dict:
    """What the project page's funds tab shows."""
    entries = queries.project_entries(project)
    keys: dict[str, int] = {}
    reversed_ids = queries.reversed_ids([e.id for e in entries])
    for e in entries:
        if e.status != "rejected" and not e.is_reversal and e.id not in reversed_ids:
            keys[e.evidence_key] = keys.get(e.evidence_key, 0) + 1
    return {
        "funds_entries": [e for e in entries if e.status != "pending"],
        "funds_pending": [e for e in entries if e.status == "pending"],
        "funds_reversed": reversed_ids,
        "funds": figures.project_funds(project),
        "funds_can_enter": access.can_enter(user, project) and not project.dropped_on,
        "funds_repeated": sorted(k for k, n in keys.items() if n > 1),
    }


def _list_context(filters: queries.LedgerFilters) -> dict:
    return {
        "filters": filters,
        "units": unit_choices(active_only=False) if current_user.role != "unit" else [],
        "origins": ORIGINS,
        "uses": USES,
        "industries": INDUSTRIES,
        "statuses": STATUSES,
        "months": range(1, 13),
    }


@bp.route("/")
@requires(ReadsBusinessData)
def index():
    """The ledger: filtered, scoped, with verified and pending totals shown apart."""
    return _ledger(queries.LedgerFilters.from_args(request.args), VerifyForm(formdata=None))


def _ledger(filters: queries.LedgerFilters, bulk_form: VerifyForm, **bulk_state):
    """The ledger page; after a refused bulk action, with the selection and refusals kept."""
    head = figures.ledger_head(current_user, filters)
    listing = lists.show(funds_lists.LEDGER, current_user, total=head.rows)
    project = None
    if filters.project_id:
        stmt = scoped_select(Project, current_user).where(Project.id == filters.project_id)
        project = db.session.execute(stmt).scalar_one_or_none()
    return render_template(
        "funds/index.html",
        listing=listing,
        project=project,
        verified=head.verified,
        pending=head.pending,
        performing=head.performing,
        reversed_ids=queries.reversed_ids([e.id for e in listing.items]),
        can_bulk=access.can_verify(current_user),
        bulk_form=bulk_form,
        selected=bulk_state.get("selected", set()),
        refused=bulk_state.get("refused", {}),
        general=bulk_state.get("general", []),
        list_args=_list_args(),
        **_list_context(filters),
    )


BULK_ACTIONS = {
    "verify": (services.verify_entries, "已核实 {n} 条记录，计入到位资金"),
    "reject": (services.reject_entries, "已退回 {n} 条记录"),
}


def _list_args() -> dict[str, str]:
    """The list's query string, to come back to it after a bulk action (url_for's own
    underscore options, such as _external or _scheme, are not taken from the address)."""
    return {k: v for k, v in request.args.items() if not k.startswith("_")}


@bp.route("/bulk", methods=["POST"])
@requires(IsBureau)
def bulk_decide():
    """The bureau verifies or sends back the ticked entries together: all or none."""
    form = VerifyForm()
    raw_ids = request.form.getlist("entry_ids")
    action = BULK_ACTIONS.get(request.form.get("action", ""))
    refused: dict[int, str] = {}
    if not form.validate_on_submit():
        # The note's own error shows beside it; a lost token or the like above the list.
        general = [m for name, errs in form.errors.items() if name != "note" for m in errs]
    elif action is None:
        general = ["请选择“核实所选”或“退回所选”"]
    else:
        decide, done = action
        outcome = attempt(
            lambda: decide(bulk.selected_ids(raw_ids), current_user, form.note.data), form
        )
        if outcome:
            flash(done.format(n=len(outcome.value)), "success")
            return redirect(url_for("funds.index", **_list_args()))
        general = outcome.general
        refused = getattr(outcome.error, "refused", {})
    return _ledger(
        queries.LedgerFilters.from_args(request.args),
        form,
        selected={n for n in (whole_number(raw) for raw in raw_ids) if n is not None},
        refused=refused,
        general=general,
    )


def _store(form: EntryForm, errors: dict[str, str]) -> evidence.StoredFile | None:
    upload = form.upload()
    if upload is None:
        return None
    try:
        return evidence.store(upload)
    except ServiceError as error:
        errors.update(error.errors)
        return None


def _save_entry(form: EntryForm, save) -> tuple[bool, list[str]]:
    """Run a save with the form's data and file; on refusal put the messages on the form."""
    errors: dict[str, str] = {}
    data = form.entry_data(errors)
    stored = _store(form, errors)
    on_rollback(lambda: evidence.discard(stored))

    def run():
        if errors:
            raise ServiceError(errors)
        save(data, stored)

    # A conflict: a double submit, or another session took the row a moment ago.
    outcome = attempt(run, form, conflict="该记录刚被保存或处理过，请查看最新状态，勿重复提交")
    if outcome:
        return True, []
    general = outcome.general
    if form.evidence.data and "evidence" not in outcome.error.errors:
        general.append("出于安全原因，凭证文件需要重新选择")
    return False, general


@bp.route("/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def create():
    """Enter funds received by a project (the chooser first when no project is given)."""
    project_id = request.args.get("project_id")
    if not project_id:
        q = (request.args.get("q") or "").strip()[:100]
        projects = queries.projects_for_entry(current_user, q)
        return render_template("funds/choose.html", projects=projects, q=q)
    project = get_or_404(Project, project_id, current_user)
    if not access.can_enter(current_user, project):
        abort(403)
    form = EntryForm()
    if request.method == "GET":
        form.submission_id.data = uuid.uuid4().hex
    general: list[str] = []
    if form.validate_all(form.problems):
        ok, general = _save_entry(
            form,
            lambda data, stored: services.create_entry(
                project,
                data,
                current_user,
                stored=stored,
                submission_id=form.submission_id.data or None,
            ),
        )
        if ok:
            flash("已录入，等待投资促进局核实", "success")
            return redirect(url_for("funds.index", project_id=project.id))
        if _already_saved(form.submission_id.data):
            return redirect(url_for("funds.index", project_id=project.id))
    return render_template("funds/form.html", form=form, general=general, project=project)


def _already_saved(submission_id: str | None) -> bool:
    """A double submit: the first one already created the entry."""
    if not submission_id:
        return False
    found = db.session.query(FundsEntry.id).filter_by(submission_id=submission_id).first()
    return found is not None


@bp.route("/<int:entry_id>")
@requires(ReadsBusinessData)
def entry(entry_id: int):
    """One entry: its data, evidence, verification and the corrections tied to it."""
    record = queries.get_entry_or_404(entry_id, current_user)
    reversed_ids = queries.reversed_ids([record.id])
    return render_template(
        "funds/entry.html",
        entry=record,
        linked=queries.linked_entries(record),
        can_edit=access.can_edit(current_user, record),
        can_verify=access.can_verify(current_user) and record.status == "pending",
        can_correct=access.can_correct(current_user, record, reversed_ids),
        verify_form=VerifyForm().for_entry(record),
    )


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@requires(WritesBusinessData)
def edit(entry_id: int):
    """Change an entry while it waits for verification."""
    record = queries.get_entry_or_404(entry_id, current_user)
    if not access.can_edit(current_user, record):
        flash("只有待核实的记录可以修改；已核实的记录请由投资促进局更正", "warning")
        return redirect(url_for("funds.entry", entry_id=record.id))
    form = EntryForm(obj=record)
    if request.method == "GET":
        form.amount_wan.data = str(record.amount_wan)
    general: list[str] = []
    if form.validate_all(form.problems):
        ok, general = _save_entry(
            form,
            lambda data, stored: services.update_entry(
                record, data, current_user, form.version.data, stored=stored
            ),
        )
        if ok:
            flash("已保存", "success")
            return redirect(url_for("funds.entry", entry_id=record.id))
        form.version.data = record.version
    return render_template(
        "funds/form.html", form=form, general=general, project=record.project, entry=record
    )


def _decide(entry_id: int, decide, done: str):
    record = queries.get_entry_or_404(entry_id, current_user)
    form = VerifyForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = attempt(lambda: decide(record, current_user, form.note.data))
    if outcome:
        flash(done, "success")
    outcome.flash_refusal()
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("funds.entry", entry_id=entry_id)
    return redirect(target)


@bp.route("/<int:entry_id>/verify", methods=["POST"])
@requires(IsBureau)
def verify(entry_id: int):
    """The bureau verifies an entry."""
    return _decide(entry_id, services.verify_entry, "已核实，计入到位资金")


@bp.route("/<int:entry_id>/reject", methods=["POST"])
@requires(IsBureau)
def reject(entry_id: int):
    """The bureau sends an entry back with a note."""
    return _decide(entry_id, services.reject_entry, "已退回")


@bp.route("/<int:entry_id>/correct", methods=["GET", "POST"])
@requires(IsBureau)
def correct(entry_id: int):
    """The bureau corrects a verified entry: a reversing entry and, usually, a new one."""
    record = queries.get_entry_or_404(entry_id, current_user)
    if not access.can_correct(current_user, record, queries.reversed_ids([record.id])):
        flash("只能更正已核实且尚未冲销的记录", "warning")
        return redirect(url_for("funds.entry", entry_id=record.id))
    form = CorrectForm(obj=record)
    if request.method == "GET":
        form.amount_wan.data = str(record.amount_wan)
    general: list[str] = []
    if form.validate_all(form.problems):
        result: dict = {}

        def save(data, stored):
            replacement = None if form.reverse_only.data else data
            result["entries"] = services.correct_entry(
                record, form.reason.data or "", replacement, current_user, stored=stored
            )

        ok, general = _save_entry(form, save)
        if ok:
            flash(
                "已冲销原记录" + ("" if form.reverse_only.data else "并录入更正后的记录"), "success"
            )
            return redirect(url_for("funds.entry", entry_id=result["entries"][0].id))
    return render_template("funds/correct.html", form=form, general=general, entry=record)


@bp.route("/<int:entry_id>/evidence")
@requires(ReadsBusinessData)
def evidence_file(entry_id: int):
    """The evidence file, as a download, to those who may see the project."""
    record = queries.get_entry_or_404(entry_id, current_user)
    path = evidence.path_of(record.evidence_path) if record.evidence_path else None
    if path is None:
        abort(404)
    return send_file(
        path,
        mimetype=record.evidence_type or "application/octet-stream",
        as_attachment=True,
        download_name=record.evidence_name or path.name,
    )


@bp.route("/report")
@requires(ReadsBusinessData)
def report():
    """Verified funds of a period by unit, origin, use, industry and province; pending apart."""
    filters = queries.LedgerFilters.from_args(request.args)
    if not filters.year:
        default = queries.default_period()
        filters.year, filters.month_from, filters.month_to = (
            default.year,
            default.month_from,
            default.month_to,
        )
    filters.status = ""
    return render_template(
        "funds/report.html",
        report=figures.funds_report(current_user, filters),
        percent=figures.percent,
        **_list_context(filters),
    )
