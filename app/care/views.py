"""Aftercare screens: the problem list, board and page with its actions; visits, commitments;
the stalled-projects lists. Thin: forms in, services do the work, one commit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from app.care import access, queries, services
from app.care import lists as care_lists
from app.care.forms import (
    AssignForm,
    CommitmentForm,
    EscalateForm,
    FulfilForm,
    ProblemForm,
    ResolveForm,
    StartForm,
    VisitForm,
)
from app.care.models import LEVELS, PROBLEM_CATEGORIES, Commitment, Problem
from app.core import bulk, lists
from app.core.dates import today
from app.core.forms import safe_next
from app.core.params import whole_number
from app.core.permissions import ReadsBusinessData, WritesBusinessData, has_role, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import attempt
from app.extensions import db
from app.keyprojects.models import KeyProject
from app.leaders.models import Leader
from app.projects.models import Project
from app.projects.stages import BY_KEY
from app.reports.figures import attention
from app.units.queries import unit_choices

bp = Blueprint("care", __name__, url_prefix="/care", template_folder="templates")

# The board compares every handling unit: the roles that read across units.
ReadsAllUnits = has_role("admin", "bureau", "leader")


def project_url(project_id: int) -> str:
    """The project page, opened on its aftercare tab."""
    return url_for("projects.detail", project_id=project_id, _anchor="tab-care")


def key_project_url(key_project_id: int) -> str:
    """The key project's page; the month's scheduling page until that page exists."""
    try:
        return url_for("keyprojects.detail", key_project_id=key_project_id)
    except BuildError:
        return url_for("keyschedule.month")


def subject_url(problem: Problem) -> str:
    """The page of the problem's subject: its 招商 project or its key project."""
    if problem.key_project_id is not None:
        return key_project_url(problem.key_project_id)
    return project_url(problem.project_id)


@bp.app_context_processor
def _subject_links():
    return {"problem_subject_url": subject_url}


def _recordable(project_id: int, model: type = Project):
    project = get_or_404(model, project_id, current_user)
    if not access.can_record(current_user, project):
        abort(403)
    return project


def _save(action, form, on_success):
    """Run a service call (the request commits it), or put its refusal beside the form's fields."""
    outcome = attempt(action, form)
    if not outcome:
        return outcome.general
    on_success()
    return None


# ---------------------------------------------------------------- problems


@bp.route("/problems")
@requires(ReadsBusinessData)
def problems():
    """Every problem the user may see, filtered; overdue ones stand out."""
    form = AssignForm(formdata=None)
    form.fill_units("handling_unit_id")
    return _problem_list(form)


def _problem_list(bulk_form: AssignForm, **bulk_state):
    """The problem list; after a refused bulk hand-over, with the selection and refusals kept."""
    return render_template(
        "care/problems.html",
        listing=lists.show(care_lists.PROBLEMS, current_user),
        f=queries.ProblemFilters.from_args(request.args),
        on=today(),
        units=unit_choices(active_only=False),
        levels=LEVELS,
        categories=PROBLEM_CATEGORIES,
        can_bulk=access.can_manage(current_user),
        bulk_form=bulk_form,
        selected=bulk_state.get("selected", set()),
        refused=bulk_state.get("refused", {}),
        general=bulk_state.get("general", []),
        list_args=_list_args(),
    )


def _list_args() -> dict[str, str]:
    """The list's query string, to come back to it after a bulk action (url_for's own
    underscore options, such as _external or _scheme, are not taken from the address)."""
    return {k: v for k, v in request.args.items() if not k.startswith("_")}


@bp.route("/problems/bulk-assign", methods=["POST"])
@requires(has_role("bureau"))
def problem_bulk_assign():
    """Hand the ticked problems to one unit with one deadline (批量交办): all or none."""
    form = AssignForm()
    form.fill_units("handling_unit_id")
    raw_ids = request.form.getlist("problem_ids")
    selected = {n for n in (whole_number(raw) for raw in raw_ids) if n is not None}
    # The versions the list showed; a row posted without one is checked as it stands now.
    versions = {n: request.form[f"version-{n}"] for n in selected if f"version-{n}" in request.form}
    refused: dict[int, str] = {}
    if not form.validate_on_submit():
        # The unit's and deadline's own errors show beside them; a lost token above the list.
        shown = ("handling_unit_id", "deadline")
        general = [m for name, errs in form.errors.items() if name not in shown for m in errs]
    else:
        outcome = attempt(
            lambda: services.assign_problems(
                bulk.selected_ids(raw_ids),
                form.handling_unit_id.data,
                form.deadline.data,
                current_user,
                versions,
            ),
            form,
        )
        if outcome:
            flash(f"已交办 {len(outcome.value)} 个问题", "success")
            return redirect(url_for("care.problems", **_list_args()))
        general = outcome.general
        refused = getattr(outcome.error, "refused", {})
    return _problem_list(form, selected=selected, refused=refused, general=general)


@bp.route("/problems/board")
@requires(ReadsAllUnits)
def board():
    """The problem board: per handling unit, open, overdue, resolved in time, average days."""
    rows, total = attention.problem_board(current_user)
    return render_template("care/board.html", rows=rows, total=total, on=today())


def render_problem(problem: Problem, general=None, **forms):
    """The problem page with the actions this user may take; a failed form comes back filled."""
    assign = forms.get("assign") or AssignForm(formdata=None, obj=problem)
    assign.fill_units("handling_unit_id")
    for name, cls in (("escalate", EscalateForm), ("resolve", ResolveForm), ("start", StartForm)):
        forms.setdefault(name, cls(formdata=None))
    for form in (assign, *(forms[n] for n in ("escalate", "resolve", "start"))):
        form.version.data = problem.version  # a stale form comes back on the current version
    if forms["resolve"].resolved_on.data is None and not forms["resolve"].errors:
        forms["resolve"].resolved_on.data = today()
    return render_template(
        "care/problem.html",
        problem=problem,
        on=today(),
        general=general or [],
        assign_form=assign,
        escalate_form=forms["escalate"],
        resolve_form=forms["resolve"],
        start_form=forms["start"],
        can_manage=access.can_manage(current_user),
        can_work=access.can_work(current_user, problem),
        can_escalate=access.can_escalate(current_user, problem),
        sees_project=_sees_project(problem),
        top_level=LEVELS[-1],
        levels=LEVELS,
    )


def _sees_project(problem: Problem) -> bool:
    """A handling unit of another unit's project sees the problem, not the project."""
    if current_user.role != "unit":
        return True
    subject = problem.key_project or problem.project
    return subject is not None and subject.unit_id == current_user.unit_id


@bp.route("/problems/<int:problem_id>")
@requires(ReadsBusinessData)
def problem_detail(problem_id: int):
    """One problem: what, who handles it by when, its escalations and its resolution."""
    return render_problem(get_or_404(Problem, problem_id, current_user))


@bp.route("/projects/<int:project_id>/problems/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def problem_new(project_id: int):
    """Record an investor's request or an obstacle on a project."""
    project = _recordable(project_id)
    return _raise_on(
        project,
        f"{project.name} · {project.investor_name} · {project.unit.name}",
        project_url(project.id),
    )


@bp.route("/key-projects/<int:key_project_id>/problems/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def key_problem_new(key_project_id: int):
    """Record an obstacle found while scheduling a key project (推进问题)."""
    key_project = _recordable(key_project_id, KeyProject)
    back = request.args.get("back") or ""
    return _raise_on(
        key_project,
        f"重点项目 · {key_project.year}年 {key_project.name} · {key_project.unit.name}",
        safe_next(back) or key_project_url(key_project.id),
    )


def _raise_on(subject, subject_line: str, back_url: str):
    """The problem form on a 招商 project or a key project, and its save."""
    form = ProblemForm()
    form.fill_units("handling_unit_id")
    if request.method == "GET":
        form.raised_on.data = today()
    general = None
    if form.validate_all(
        lambda: services.problem_problems(
            form.category.data or "",
            form.description.data or "",
            form.raised_on.data,
            form.handling_unit_id.data,
            form.deadline.data,
        )  # fmt: skip
    ):
        created = {}

        def act():
            created["problem"] = services.raise_problem(
                subject,
                form.category.data,
                form.description.data,
                form.raised_on.data,
                current_user,
                handling_unit_id=form.handling_unit_id.data,
                deadline=form.deadline.data,
                submission_id=form.submission_id.data,
            )

        general = _save(act, form, lambda: flash("问题已登记", "success"))
        if general is None:
            return redirect(url_for("care.problem_detail", problem_id=created["problem"].id))
    return render_template(
        "care/problem_form.html",
        form=form,
        subject_line=subject_line,
        back_url=back_url,
        general=general or form.general,
        can_assign=access.can_manage(current_user),
    )


def _problem_action(problem_id: int, form_cls, name: str, action, message: str):
    problem = get_or_404(Problem, problem_id, current_user)
    form = form_cls()
    if name == "assign":
        form.fill_units("handling_unit_id")
    general = None
    if form.validate_on_submit():
        general = _save(lambda: action(problem, form), form, lambda: flash(message, "success"))
        if general is None:
            return redirect(url_for("care.problem_detail", problem_id=problem.id))
        problem = get_or_404(Problem, problem_id, current_user)
    return render_problem(problem, general, **{name: form})


@bp.route("/problems/<int:problem_id>/assign", methods=["POST"])
@requires(has_role("bureau"))
def problem_assign(problem_id: int):
    """Hand the problem to a unit with a deadline (交办), or to another unit."""
    return _problem_action(
        problem_id,
        AssignForm,
        "assign",
        lambda p, f: services.assign_problem(
            p, f.handling_unit_id.data, f.deadline.data, current_user, f.version.data
        ),
        "已交办",
    )


@bp.route("/problems/<int:problem_id>/escalate", methods=["POST"])
@requires(has_role("bureau"))
def problem_escalate(problem_id: int):
    """Move the problem one level up, with a reason."""
    return _problem_action(
        problem_id,
        EscalateForm,
        "escalate",
        lambda p, f: services.escalate_problem(p, f.reason.data, current_user, f.version.data),
        "已上报",
    )


@bp.route("/problems/<int:problem_id>/start", methods=["POST"])
@requires(WritesBusinessData)
def problem_start(problem_id: int):
    """The handling unit starts working the problem (办理中)."""
    return _problem_action(
        problem_id,
        StartForm,
        "start",
        lambda p, f: services.start_problem(p, current_user, f.version.data),
        "已开始办理",
    )


@bp.route("/problems/<int:problem_id>/resolve", methods=["POST"])
@requires(WritesBusinessData)
def problem_resolve(problem_id: int):
    """Close the problem with its resolution (已办结)."""
    return _problem_action(
        problem_id,
        ResolveForm,
        "resolve",
        lambda p, f: services.resolve_problem(
            p, f.resolution.data, f.resolved_on.data, current_user, f.version.data
        ),
        "问题已办结",
    )


# ---------------------------------------------------------------- visits and commitments


@bp.route("/commitments")
@requires(ReadsBusinessData)
def commitments():
    """Every commitment the user may see, by state: paged, sortable, exported."""
    listing = lists.show(care_lists.COMMITMENTS, current_user)
    return render_template(
        "care/commitments.html", listing=listing, states=care_lists.COMMITMENT_STATES, on=today()
    )


@bp.route("/visits")
@requires(ReadsBusinessData)
def visits():
    """Every aftercare visit the user may see, newest first: paged, sortable, exported."""
    listing = lists.show(care_lists.VISITS, current_user)
    return render_template("care/visits.html", listing=listing)


@bp.route("/projects/<int:project_id>/visits/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def visit_new(project_id: int):
    """Record a visit to the investor."""
    project = _recordable(project_id)
    form = VisitForm()
    if request.method == "GET":
        form.visited_on.data = today()
    general = None
    if form.validate_all(
        lambda: services.visit_problems(
            form.visited_on.data, form.visitors.data or "", form.notes.data or ""
        )
    ):
        general = _save(
            lambda: services.record_visit(
                project,
                form.visited_on.data,
                form.visitors.data,
                form.notes.data,
                current_user,
                submission_id=form.submission_id.data,
            ),
            form,
            lambda: flash("走访已登记", "success"),
        )
        if general is None:
            return redirect(project_url(project.id))
    return render_template(
        "care/visit_form.html", form=form, project=project, general=general or form.general
    )


@bp.route("/projects/<int:project_id>/commitments/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def commitment_new(project_id: int):
    """Record a promise made to the investor."""
    project = _recordable(project_id)
    form = CommitmentForm()
    form.fill_units("delivering_unit_id")
    if request.method == "GET":
        form.delivering_unit_id.data = project.unit_id
    general = None
    if form.validate_all(
        lambda: services.commitment_problems(
            form.promise.data or "",
            form.delivering_unit_id.data,
            form.due_on.data,
            form.evidence_note.data,
        )
    ):
        general = _save(
            lambda: services.add_commitment(
                project,
                form.promise.data,
                form.delivering_unit_id.data,
                form.due_on.data,
                form.evidence_note.data,
                current_user,
                submission_id=form.submission_id.data,
            ),
            form,
            lambda: flash("承诺事项已登记", "success"),
        )
        if general is None:
            return redirect(project_url(project.id))
    return render_template(
        "care/commitment_form.html", form=form, project=project, general=general or form.general
    )


@bp.route("/commitments/<int:commitment_id>/fulfil", methods=["GET", "POST"])
@requires(WritesBusinessData)
def commitment_fulfil(commitment_id: int):
    """Mark a commitment kept, with the date and the evidence."""
    commitment = get_or_404(Commitment, commitment_id, current_user)
    if not access.can_record(current_user, commitment.project):
        abort(403)
    form = FulfilForm()
    if request.method == "GET":
        form.fulfilled_on.data = today()
        form.evidence_note.data = commitment.evidence_note
        form.version.data = commitment.version
    general = None
    if form.validate_all(
        lambda: services.fulfilment_problems(form.fulfilled_on.data, form.evidence_note.data)
    ):
        general = _save(
            lambda: services.fulfil_commitment(
                commitment,
                form.fulfilled_on.data,
                form.evidence_note.data,
                current_user,
                form.version.data,
            ),
            form,
            lambda: flash("承诺事项已标记兑现", "success"),
        )
        if general is None:
            return redirect(project_url(commitment.project_id))
        commitment = get_or_404(Commitment, commitment_id, current_user)
        form.version.data = commitment.version
    return render_template(
        "care/fulfil_form.html",
        form=form,
        commitment=commitment,
        on=today(),
        general=general or form.general,
    )


# ---------------------------------------------------------------- stalled projects


@bp.route("/stalled")
@requires(ReadsBusinessData)
def stalled():
    """进而不快 and 超时限未开工, each paged, sorted and exported, with tallies by unit and by
    responsible leader over all their rows (not the page)."""
    f = care_lists.attention_filters(request.args)
    on = today()
    all_stalled = attention.stalled_projects(current_user, on, f)
    all_late = attention.not_started_projects(current_user, on, f)
    stalled = lists.show(care_lists.STALLED, current_user)
    late = care_lists.show_second(care_lists.NOT_STARTED, current_user, request.args, "late_")
    leaders = db.session.execute(
        select(Leader.id, Leader.name, Leader.post).order_by(Leader.id)
    ).all()
    return render_template(
        "care/stalled.html",
        stalled=stalled,
        stalled_rows=care_lists.stalled_rows(stalled),
        late=late,
        late_rows=care_lists.not_started_rows(late),
        by_unit=attention.tallies(all_stalled, all_late, "unit"),
        by_leader=attention.tallies(all_stalled, all_late, "leader"),
        f=f,
        on=on,
        limits=[(BY_KEY[k].label, days) for k, days in attention.stage_limits().items()],
        start_limit=attention.not_started_limit(),
        units=unit_choices(active_only=False) if current_user.role != "unit" else [],
        leaders=[(r.id, f"{r.name}（{r.post}）") for r in leaders],
    )
