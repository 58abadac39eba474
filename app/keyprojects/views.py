"""Key-project register screens (项目库): list, page, create/edit with team and 实施方案,
procedures, the start guard, the blocked list, carry-over, and listing a 招商 project."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core import lists
from app.core.dates import today
from app.core.forms import STALE_MESSAGE, ServiceError
from app.core.money import yuan_to_wan
from app.core.params import whole_number
from app.core.permissions import IsBureau, ReadsBusinessData, WritesBusinessData, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import attempt, on_rollback
from app.extensions import db
from app.funds import evidence
from app.keyprojects import access, queries, rules, services
from app.keyprojects import lists as key_lists
from app.keyprojects.forms import (
    TEAM_ROWS,
    CarryOverForm,
    KeyProjectForm,
    ProceduresForm,
    StartForm,
    procedure_rows,
    team_rows,
)
from app.keyprojects.models import CATEGORIES, PROCEDURE_KINDS, PROCEDURE_STATUSES, KeyProject
from app.projects.models import Project
from app.units.queries import unit_choices

bp = Blueprint("keyprojects", __name__, url_prefix="/key-projects", template_folder="templates")

PLAN_AGAIN = "出于安全原因，实施方案文件需要重新选择"


@bp.app_template_global()
def key_projects_of(project) -> list[KeyProject]:
    """The key projects a 招商 project was listed as (for the project page)."""
    return queries.linked_to_project(current_user, project.id)


@bp.app_template_global()
def listable_as_key_project(project) -> bool:
    """Whether the project page offers 列为重点项目: signed, live, not yet listed this year."""
    if project.deleted_at is not None:
        return False
    return not services.project_problems(project, today().year, current_user)


# ---------------------------------------------------------------- list and page


@bp.route("/")
@requires(ReadsBusinessData)
def index():
    """The year's key projects the user may see, filtered, with the filtered set's totals."""
    filters = queries.KeyProjectFilters.from_args(request.args)
    listing = lists.show(key_lists.REGISTER, current_user)
    return render_template(
        "keyprojects/index.html",
        listing=listing,
        filters=filters,
        totals=queries.totals(queries.key_project_statement(current_user, filters)),
        blocked_ids=queries.blocked_ids(listing.items),
        categories=CATEGORIES,
        programmes=queries.programmes(current_user, filters.year),
        units=_unit_options(),
        leaders=queries.leader_choices(),
        names=_filter_names(filters),
    )


def _unit_options() -> list[tuple[int, str]]:
    units = unit_choices(active_only=False)
    if current_user.role == "unit":
        return [(i, n) for i, n in units if i == current_user.unit_id]
    return units


def _filter_names(filters: queries.KeyProjectFilters) -> dict[str, str]:
    """Chips: the chosen filters in words, by query argument."""
    names: dict[str, str] = {}
    if filters.category:
        names["category"] = f"类别：{filters.category}"
    if filters.programme:
        names["programme"] = f"工程：{filters.programme}"
    if filters.unit_id:
        unit = dict(unit_choices(active_only=False)).get(filters.unit_id, filters.unit_id)
        names["unit_id"] = f"责任单位：{unit}"
    if filters.leader_id:
        leader = dict(queries.leader_choices()).get(filters.leader_id, filters.leader_id)
        names["leader_id"] = f"包保领导：{leader}"
    if filters.q:
        names["q"] = f"搜索：{filters.q}"
    if filters.blocked:
        names["blocked"] = "仅受阻"
    return names


@bp.route("/blocked")
@requires(ReadsBusinessData)
def blocked():
    """新建 and 拟开工 projects not started for want of procedures, with what each lacks;
    paged, sortable and exported."""
    listing = lists.show(key_lists.BLOCKED, current_user)
    rows = [queries.blocked_row(kp) for kp in listing.items]
    year = key_lists.blocked_year(request.args)
    return render_template("keyprojects/blocked.html", listing=listing, rows=rows, year=year)


@bp.route("/<int:key_project_id>")
@requires(ReadsBusinessData)
def detail(key_project_id: int):
    """A key project: fields, the 六个一, procedures, monthly reports, the 招商 project."""
    key_project = get_or_404(KeyProject, key_project_id, current_user)
    return _render_detail(key_project)


def _render_detail(key_project: KeyProject, start_form: StartForm | None = None, status=200):
    if start_form is None:
        start_form = StartForm(formdata=None)
        start_form.started_on.data = today()
    by_kind = {p.kind: p for p in key_project.procedures}
    missing = rules.missing_procedures(queries.statuses_of(key_project))
    page = render_template(
        "keyprojects/detail.html",
        kp=key_project,
        procedures=[(kind, by_kind.get(kind)) for kind in PROCEDURE_KINDS],
        statuses=PROCEDURE_STATUSES,
        missing=missing,
        guarded=rules.start_problem(key_project.category, {}) is not None,
        editable=access.can_edit(current_user, key_project),
        start_form=start_form,
    )
    return page, status


@bp.route("/<int:key_project_id>/plan")
@requires(ReadsBusinessData)
def plan_file(key_project_id: int):
    """The 实施方案 file, as a download, to those who may see the key project."""
    key_project = get_or_404(KeyProject, key_project_id, current_user)
    path = evidence.path_of(key_project.plan_path) if key_project.plan_path else None
    if path is None:
        abort(404)
    return send_file(
        path,
        mimetype=key_project.plan_type or "application/octet-stream",
        as_attachment=True,
        download_name=key_project.plan_name or path.name,
    )


# ---------------------------------------------------------------- create and edit


def _prepare(form: KeyProjectForm) -> KeyProjectForm:
    form.fill_choices(_unit_options(), unit_choices(active_only=True), queries.leader_choices())
    return form


def _store(form: KeyProjectForm, errors: dict[str, str]) -> evidence.StoredFile | None:
    upload = form.upload()
    if upload is None:
        return None
    try:
        stored = evidence.store(upload)
    except ServiceError as error:
        errors["plan_file"] = next(iter(error.errors.values())).replace("凭证", "实施方案")
        return None
    on_rollback(lambda: evidence.discard(stored))
    return stored


def _problems(form: KeyProjectForm) -> dict[str, str]:
    """The rules' field checks of what was typed, reported with the form's own (the team's
    rows are checked when the form itself passes)."""
    errors: dict[str, str] = {}
    data = form.data_of(team_rows(request.form), errors)
    found = {**rules.field_problems(data, current_user), **errors}
    return {k: v for k, v in found.items() if not k.startswith("team-")}


def _save(form: KeyProjectForm, save) -> tuple[object, list[str], dict[str, str]]:
    """Run a save with the form's data, team and file; (value, general, team errors)."""
    errors: dict[str, str] = {}
    team = team_rows(request.form)
    data = form.data_of(team, errors)
    stored = _store(form, errors)
    outcome = attempt(lambda: save(data, stored, errors), form)
    if outcome:
        return outcome.value, [], {}
    team_errors = {k: v for k, v in outcome.error.errors.items() if k.startswith("team-")}
    general = [m for m in outcome.general if m not in team_errors.values()]
    if form.plan_file.data and "plan_file" not in outcome.error.errors:
        general.append(PLAN_AGAIN)
    return None, general, team_errors


def _render_form(
    form, key_project=None, project=None, general=(), team_errors=None, stale=None, status=200
):
    team = (
        team_rows(request.form)
        if request.method == "POST"
        else ([(m.name, m.post) for m in key_project.team] if key_project else [])
    )
    rows = team + [("", "")] * max(TEAM_ROWS, 2 if team else TEAM_ROWS)
    page = render_template(
        "keyprojects/form.html",
        form=form,
        kp=key_project,
        project=project,
        general=list(general),
        team=rows,
        team_errors=team_errors or {},
        stale=stale,
    )
    return page, status


def _create(form: KeyProjectForm, project: Project | None):
    """The POST of the create form (plain or from a 招商 project)."""
    found = services.key_project_by_submission(form.submission_id.data)
    if found is not None:
        return redirect(url_for("keyprojects.detail", key_project_id=found.id))
    try:
        value, general, team_errors = _save(
            form,
            lambda data, stored, errors: services.create_key_project(
                data,
                current_user,
                stored=stored,
                submission_id=form.submission_id.data,
                project=project,
                problems=errors,
            ),
        )
    except IntegrityError:  # the same submission saved by a concurrent request
        db.session.rollback()
        found = services.key_project_by_submission(form.submission_id.data)
        if found is None:
            raise
        return redirect(url_for("keyprojects.detail", key_project_id=found.id))
    if value is not None:
        flash(f"已列入重点项目“{value.name}”", "success")
        return redirect(url_for("keyprojects.detail", key_project_id=value.id))
    return _render_form(form, project=project, general=general, team_errors=team_errors)


@bp.route("/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def create():
    """List a new key project (a unit lists only its own)."""
    form = _prepare(KeyProjectForm())
    if request.method == "GET":
        form.year.data = today().year
        if current_user.role == "unit":
            form.unit_id.data = current_user.unit_id
        return _render_form(form)
    if not form.validate_all(lambda: _problems(form)):
        return _render_form(form, general=form.general)
    return _create(form, None)


@bp.route("/from-project/<int:project_id>", methods=["GET", "POST"])
@requires(IsBureau)
def from_project(project_id: int):
    """List a signed 招商 project: the create form prefilled; saving links both ways."""
    project = get_or_404(Project, project_id, current_user)
    year = today().year
    problems = services.project_problems(project, year, current_user)
    if problems:
        for message in problems.values():
            flash(message, "danger")
        return redirect(url_for("projects.detail", project_id=project.id))
    saving = request.method == "POST" and "name" in request.form
    form = _prepare(KeyProjectForm(formdata=None) if not saving else KeyProjectForm())
    if not saving:
        form.year.data = year
        form.name.data = project.name
        form.unit_id.data = project.unit_id
        form.leader_id.data = project.leader_id
        form.total_wan.data = f"{project.planned_wan:.2f}"
        form.project_id.data = project.id
        return _render_form(form, project=project)
    if not form.validate_all(lambda: _problems(form)):
        return _render_form(form, project=project, general=form.general)
    return _create(form, project)


@bp.route("/<int:key_project_id>/edit", methods=["GET", "POST"])
@requires(WritesBusinessData)
def edit(key_project_id: int):
    """Edit a key project; a save from a page opened before the last change answers 409."""
    key_project = get_or_404(KeyProject, key_project_id, current_user)
    if not access.can_edit(current_user, key_project):
        abort(403)
    form = _prepare(KeyProjectForm(obj=key_project))
    if request.method == "GET":
        form.total_wan.data = f"{yuan_to_wan(key_project.total_investment):.2f}"
        form.plan_wan.data = f"{yuan_to_wan(key_project.annual_plan):.2f}"
        return _render_form(form, key_project)
    if not form.validate_all(lambda: _problems(form)):
        return _render_form(form, key_project, general=form.general)
    value, general, team_errors = _save(
        form,
        lambda data, stored, errors: services.update_key_project(
            key_project,
            data,
            current_user,
            request.form.get("version"),
            stored=stored,
            problems=errors,
        ),
    )
    if value is not None:
        flash("重点项目已保存", "success")
        return redirect(url_for("keyprojects.detail", key_project_id=key_project.id))
    if STALE_MESSAGE in general:
        stale = db.session.get(KeyProject, key_project_id)
        form.version.data = stale.version
        return _render_form(
            form, stale, general=general, team_errors=team_errors, stale=stale, status=409
        )
    return _render_form(form, key_project, general=general, team_errors=team_errors)


@bp.route("/<int:key_project_id>/start", methods=["POST"])
@requires(WritesBusinessData)
def start(key_project_id: int):
    """标记开工: refused, with what is missing, while required procedures are outstanding."""
    key_project = get_or_404(KeyProject, key_project_id, current_user)
    if not access.can_edit(current_user, key_project):
        abort(403)
    form = StartForm()
    if form.validate_on_submit():
        outcome = attempt(
            lambda: services.mark_started(key_project, form.started_on.data, current_user), form
        )
        if outcome:
            flash(f"已标记开工（{key_project.started_on}）", "success")
            return redirect(url_for("keyprojects.detail", key_project_id=key_project.id))
        key_project = get_or_404(KeyProject, key_project_id, current_user)
    return _render_detail(key_project, form)


# ---------------------------------------------------------------- procedures


@bp.route("/<int:key_project_id>/procedures", methods=["GET", "POST"])
@requires(WritesBusinessData)
def procedures(key_project_id: int):
    """The eleven procedures (前置要件) with status, dates and 帮办部门; all or nothing saved."""
    key_project = get_or_404(KeyProject, key_project_id, current_user)
    if not access.can_edit(current_user, key_project):
        abort(403)
    form = ProceduresForm()
    rows = services.procedure_rows_of(key_project)
    errors: dict[str, str] = {}
    general: list[str] = []
    if form.validate_on_submit():
        rows, read_errors = procedure_rows(request.form)
        outcome = attempt(
            lambda: services.save_procedures(key_project, rows, current_user, read_errors)
        )
        if outcome:
            flash("前置要件已保存", "success")
            return redirect(url_for("keyprojects.detail", key_project_id=key_project_id))
        errors = {k: v for k, v in outcome.error.errors.items() if k.startswith("row-")}
        general = [v for k, v in outcome.error.errors.items() if not k.startswith("row-")]
        key_project = get_or_404(KeyProject, key_project_id, current_user)
    return render_template(
        "keyprojects/procedures.html",
        kp=key_project,
        form=form,
        rows=list(enumerate(rows)),
        errors=errors,
        general=general,
        statuses=PROCEDURE_STATUSES,
        units=unit_choices(active_only=False),
    )


# ---------------------------------------------------------------- carry-over


@bp.route("/carry-over", methods=["GET", "POST"])
@requires(IsBureau)
def carry_over():
    """Copy last year's unfinished projects into the chosen year as 续建 (confirm first)."""
    form = CarryOverForm()
    if request.method == "GET":
        form.year.data = whole_number(request.args.get("year"), 2001, 2100) or today().year
    year = form.year.data if isinstance(form.year.data, int) else today().year
    general: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        outcome = attempt(lambda: services.carry_over(year, current_user), form)
        if outcome:
            flash(f"已将 {len(outcome.value)} 个项目结转为{year}年续建项目", "success")
            return redirect(url_for("keyprojects.index", year=year))
        general = outcome.general
    plan = services.carry_over_plan(year) if 2001 <= year <= 2100 else None
    return render_template(
        "keyprojects/carry_over.html", form=form, plan=plan, year=year, general=general
    )
