"""Promotion event screens: list, create, edit, and an event's page with its funnel."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import lists
from app.core.forms import STALE_MESSAGE, choices
from app.core.permissions import ReadsBusinessData, WritesBusinessData, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import attempt
from app.events import lists as event_lists
from app.events import queries, services
from app.events.forms import EventForm
from app.events.lists import BUREAU_HOSTED
from app.events.models import EVENT_KINDS, PromotionEvent
from app.extensions import db
from app.projects.stages import BY_KEY, STAGES
from app.reports.figures.cohort import funnel
from app.reports.figures.period import EARLIEST_YEAR, last_ended, read_period, this_month
from app.units.queries import unit_choices

bp = Blueprint("events", __name__, url_prefix="/events", template_folder="templates")


def _prepare(form: EventForm) -> EventForm:
    """Host choices: the bureau sees every active unit; a unit user only their own."""
    units = unit_choices(active_only=True)
    if current_user.role == "unit":
        form.host_unit_id.choices = choices((i, n) for i, n in units if i == current_user.unit_id)
    else:
        form.host_unit_id.choices = choices(units, blank=f"{BUREAU_HOSTED}（不指定单位）")
    return form


def _data(form: EventForm) -> services.EventData:
    return services.EventData(
        name=form.name.data or "",
        kind=form.kind.data or "",
        city=form.city.data or "",
        held_on=form.held_on.data,
        host_unit_id=form.host_unit_id.data,
        notes=form.notes.data,
    )


@bp.route("/")
@requires(ReadsBusinessData)
def index():
    """Every event, filtered by year, kind and a search; counts only over visible projects."""
    # `year` here is the year events were held: the counts are as of the default period's
    # end, and an event's page offers the other periods.
    period = last_ended()
    listing = lists.show(event_lists.EVENTS, current_user)
    return render_template(
        "events/index.html",
        listing=listing,
        yields=queries.event_yields(current_user, [e.id for e in listing.items], period.as_of()),
        period=period,
        filters=queries.EventFilters.from_args(request.args),
        kinds=EVENT_KINDS,
        years=queries.event_years(),
        may_create=services.can_create(current_user),
        can_edit=services.can_edit,
        bureau_hosted=BUREAU_HOSTED,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def create():
    """Record an event; a unit records the events it hosts."""
    form = _prepare(EventForm())
    if request.method == "GET" and current_user.role == "unit":
        form.host_unit_id.data = current_user.unit_id
    general = []
    if form.validate_all(lambda: services.event_problems(_data(form), current_user, None)):
        outcome = attempt(  # a conflict: the same name saved meanwhile (a double submit)
            lambda: services.create_event(
                _data(form), current_user, submission_id=form.submission_id.data
            ),
            form,
            conflict={"name": services.NAME_TAKEN},
        )
        if outcome:
            flash(f"已登记活动“{outcome.value.name}”", "success")
            return redirect(url_for("events.detail", event_id=outcome.value.id))
        general = outcome.general
    return render_template(
        "events/form.html", form=form, general=general or form.general, event=None
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@requires(WritesBusinessData)
def edit(event_id: int):
    """Change an event; a save from a page opened before the last change is refused."""
    event = get_or_404(PromotionEvent, event_id, current_user)
    if not services.can_edit(current_user, event):
        abort(403)
    form = _prepare(EventForm(obj=event))
    general, stale = [], None
    if form.validate_all(lambda: services.event_problems(_data(form), current_user, event)):
        outcome = attempt(
            # The version as posted: the form falls back to the record's own when it is missing.
            lambda: services.update_event(
                event, _data(form), current_user, request.form.get("version")
            ),
            form,
            conflict={"name": services.NAME_TAKEN},
        )
        if outcome:
            flash("活动已保存", "success")
            return redirect(url_for("events.detail", event_id=event.id))
        general = outcome.general
        if STALE_MESSAGE in general:
            stale = db.session.get(PromotionEvent, event_id)
            form.version.data = stale.version
    return render_template(
        "events/form.html",
        form=form,
        general=general or form.general,
        event=event,
        stale=stale,
        bureau_hosted=BUREAU_HOSTED,
    )


@bp.route("/<int:event_id>")
@requires(ReadsBusinessData)
def detail(event_id: int):
    """An event: its data, the funnel of the projects it sourced, and those projects."""
    event = get_or_404(PromotionEvent, event_id, current_user)
    period, message = read_period(request.args)
    if message:
        flash(message, "warning")
    as_of = period.as_of()
    reached = request.args.get("reached", "")
    reached = reached if reached in BY_KEY else ""
    standing = request.args.get("standing", "")
    standing = standing if standing in BY_KEY and not reached else ""
    figures = funnel(queries.sourced_projects(current_user, event.id, as_of), as_of=as_of)
    args = {**request.args.to_dict(flat=True), "event_id": str(event.id)}
    listing = lists.show(event_lists.EVENT_PROJECTS, current_user, args)
    return render_template(
        "events/detail.html",
        event=event,
        funnel=figures,
        listing=listing,
        period=period,
        this_month=this_month(),
        years=list(range(as_of.year, EARLIEST_YEAR - 1, -1))[:8],
        standing=BY_KEY.get(standing),
        reached=BY_KEY.get(reached),
        stages=STAGES,
        editable=services.can_edit(current_user, event),
        bureau_hosted=BUREAU_HOSTED,
    )
