"""Trip screens: list, record, change, delete, a trip's page with its projects."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import lists
from app.core.forms import STALE_MESSAGE, ServiceError, choices
from app.core.permissions import ReadsBusinessData, has_role, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import attempt
from app.extensions import db
from app.leaders.queries import leader_for_user
from app.projects import access as project_access
from app.projects.models import Project
from app.reports.figures import trips as figures
from app.trips import access, queries, services
from app.trips import lists as trip_lists
from app.trips.forms import DeleteForm, LinkForm, TripForm
from app.trips.models import PROVINCES, RELATIONS, STATUSES, Trip

bp = Blueprint("trips", __name__, url_prefix="/trips", template_folder="templates")

LogsTrips = has_role(*access.LOGGERS)


def _prepare(form: TripForm, trip: Trip | None = None) -> TripForm:
    keep = [link.leader_id for link in trip.leader_links] if trip else None
    form.leader_ids.choices = choices(queries.leader_choices(current_user, keep))
    return form


def _data(form: TripForm) -> services.TripData:
    return services.TripData(
        leader_ids=list(form.leader_ids.data or []),
        status=form.status.data or "",
        started_on=form.started_on.data,
        ended_on=form.ended_on.data,
        province=form.province.data or "",
        city=form.city.data or "",
        enterprises=form.enterprises.data,
        report=form.report.data,
    )


def _warn_overlaps(trip: Trip) -> None:
    for o in figures.overlaps_of_trip(trip, current_user):
        flash(
            f"注意：{o.jurisdiction}党政主要负责人 {o.party.name}、{o.government.name} "
            f"{o.first_day} 至 {o.last_day} 同时外出（共 {o.days} 天），"
            "不符合“一个在家主持、一个外出招商”的要求",
            "warning",
        )


@bp.route("/")
@requires(ReadsBusinessData)
def index():
    """The trips the user may see, newest first."""
    listing = lists.show(trip_lists.TRIPS, current_user)
    return render_template(
        "trips/index.html",
        listing=listing,
        filters=queries.TripFilters.from_args(request.args),
        years=queries.trip_years(current_user),
        leaders=queries.leader_choices(current_user),
        provinces=PROVINCES,
        statuses=STATUSES,
        yields={y.trip.id: y for y in figures.trip_yields(current_user, listing.items)},
        window=figures.yield_days(),
        may_log=access.can_log(current_user),
    )


def _render_form(form: TripForm, trip: Trip | None, general: list[str]):
    if request.method == "POST" and not general and not form.csrf_token.errors:
        # A field WTForms could not read (a malformed date): report the service's rules too,
        # so every problem shows at once.
        problems = services.problems(_data(form), current_user, trip)
        form.apply_errors(ServiceError({k: v for k, v in problems.items() if not form[k].errors}))
    return render_template("trips/form.html", form=form, trip=trip, general=general)


@bp.route("/new", methods=["GET", "POST"])
@requires(LogsTrips)
def create():
    """Record a trip: a leader their own, a unit its leaders', the bureau anyone's."""
    form = _prepare(TripForm())
    if request.method == "GET":
        own = leader_for_user(current_user)
        if own is not None:
            form.leader_ids.data = [own.id]
    general: list[str] = []
    if form.validate_on_submit():
        outcome = attempt(
            lambda: services.create_trip(
                _data(form), current_user, submission_id=form.submission_id.data
            ),
            form,
        )
        if outcome:
            trip = outcome.value
            flash(f"已登记外出：{trip.leader_names} 赴{trip.destination}", "success")
            _warn_overlaps(trip)
            return redirect(url_for("trips.detail", trip_id=trip.id))
        general = outcome.general
    return _render_form(form, None, general)


def _linkable(trip_id: int) -> Trip:
    """A trip whose projects the user may change (a leader: only their own trips)."""
    trip = get_or_404(Trip, trip_id, current_user)
    if not access.can_link(current_user, trip):
        abort(403)
    return trip


def _editable(trip_id: int) -> Trip:
    trip = get_or_404(Trip, trip_id, current_user)
    if not access.can_edit(current_user, trip):
        abort(403)
    return trip


@bp.route("/<int:trip_id>/edit", methods=["GET", "POST"])
@requires(LogsTrips)
def edit(trip_id: int):
    """Change a trip."""
    trip = _editable(trip_id)
    form = _prepare(TripForm(obj=trip), trip)
    if request.method == "GET":
        form.leader_ids.data = [link.leader_id for link in trip.leader_links]
    general: list[str] = []
    if form.validate_on_submit():
        outcome = attempt(
            lambda: services.update_trip(
                trip, _data(form), current_user, request.form.get("version")
            ),
            form,
        )
        if outcome:
            flash("已保存", "success")
            _warn_overlaps(trip)
            return redirect(url_for("trips.detail", trip_id=trip.id))
        general = outcome.general
        if STALE_MESSAGE in general:
            form.version.data = db.session.get(Trip, trip_id).version
    return _render_form(form, trip, general)


@bp.route("/<int:trip_id>")
@requires(ReadsBusinessData)
def detail(trip_id: int):
    """A trip: who, when, where, the report, the projects it produced or advanced."""
    trip = get_or_404(Trip, trip_id, current_user)
    return render_detail(trip)


def render_detail(trip: Trip, link_form: LinkForm | None = None, delete_form=None):
    """The trip page; a failed form comes back with what was typed."""
    produced = queries.produced_projects(trip, current_user)
    advanced = queries.advanced_links(trip, current_user)
    linked = {p.id for p in produced} | {link.project_id for link in advanced}
    q = (request.args.get("q") or "").strip()[:100]
    may_link = access.can_link(current_user, trip) and trip.status == "done"
    return render_template(
        "trips/detail.html",
        trip=trip,
        produced=produced,
        advanced=advanced,
        result=figures.trip_yields(current_user, [trip])[0],
        overlaps=figures.overlaps_of_trip(trip, current_user),
        may_edit=access.can_edit(current_user, trip),
        may_link=may_link,
        may_create_project=may_link and current_user.role in ("bureau", "unit"),
        can_edit_project=lambda p: project_access.can_edit(current_user, p),
        candidates=queries.linkable_projects(current_user, q, linked) if may_link and q else [],
        q=q,
        relations=RELATIONS,
        link_form=link_form or LinkForm(formdata=None),
        delete_form=delete_form or DeleteForm(formdata=None),
        window=figures.yield_days(),
    )


@bp.route("/<int:trip_id>/delete", methods=["POST"])
@requires(LogsTrips)
def delete(trip_id: int):
    """Remove a trip recorded by mistake, with a reason (kept in the history)."""
    trip = _editable(trip_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return render_detail(trip, delete_form=form), 400
    if not attempt(lambda: services.delete_trip(trip, current_user, form.reason.data), form):
        return render_detail(trip, delete_form=form), 400
    flash("外出记录已删除", "success")
    return redirect(url_for("trips.index"))


@bp.route("/<int:trip_id>/projects", methods=["POST"])
@requires(LogsTrips)
def link(trip_id: int):
    """Link an existing project: produced by (促成) or advanced by (推进) the trip."""
    trip = _linkable(trip_id)
    form = LinkForm()
    if not form.validate_on_submit():
        flash("请选择要关联的项目", "danger")
        return redirect(url_for("trips.detail", trip_id=trip.id))
    project = get_or_404(Project, form.project_id.data, current_user)
    outcome = attempt(
        lambda: services.link_project(
            trip, project, form.relation.data, form.note.data, current_user
        )
    )
    if outcome:
        flash(f"已关联项目“{project.name}”（{RELATIONS[form.relation.data]}）", "success")
    outcome.flash_refusal()
    return redirect(url_for("trips.detail", trip_id=trip.id) + "#projects")


@bp.route("/<int:trip_id>/projects/<int:project_id>/unlink", methods=["POST"])
@requires(LogsTrips)
def unlink(trip_id: int, project_id: int):
    """Take a project off the trip."""
    trip = _linkable(trip_id)
    project = get_or_404(Project, project_id, current_user)
    outcome = attempt(lambda: services.unlink_project(trip, project, current_user))
    if outcome:
        flash(f"已取消关联“{project.name}”", "success")
    outcome.flash_refusal()
    return redirect(url_for("trips.detail", trip_id=trip.id) + "#projects")
