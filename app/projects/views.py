"""Project list, board, page, create and edit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core import lists, phones
from app.core.dates import today
from app.core.forms import STALE_MESSAGE, ServiceError, choices, read_wan
from app.core.pagination import page_number
from app.core.panels import panels_for
from app.core.params import whole_number
from app.core.permissions import ReadsBusinessData, WritesBusinessData, requires
from app.core.scoping import get_or_404
from app.core.unit_of_work import Outcome, attempt
from app.extensions import db
from app.projects import access, queries, services
from app.projects import lists as project_lists
from app.projects.duplicates import DuplicateFound
from app.projects.forms import FollowUpForm, ProjectForm
from app.projects.models import INDUSTRIES, SOURCES, Project
from app.projects.stages import STAGES, next_manual_stage, time_limits
from app.search.queries import TOO_SHORT, SearchQuery

bp = Blueprint("projects", __name__, url_prefix="/projects", template_folder="templates")


def _prepare(form: ProjectForm) -> ProjectForm:
    refs = queries.reference_choices(current_user)
    form.unit_id.choices = choices(refs["units"], blank="请选择")
    form.leader_id.choices = choices(refs["leaders"], blank="（无）")
    form.event_id.choices = choices(refs["events"], blank="（无）")
    return form


def _data(form: ProjectForm) -> services.ProjectData:
    """The form's values; a bad amount is reported together with every other problem."""
    amount_errors: dict[str, str] = {}
    data = services.ProjectData(
        name=form.name.data or "",
        investor_name=form.investor_name.data or "",
        unit_id=form.unit_id.data,
        source=form.source.data or "",
        industry=form.industry.data or "",
        uscc=form.uscc.data,
        origin_province=form.origin_province.data or "",
        origin_city=form.origin_city.data or "",
        foreign_funded=form.foreign_funded.data,
        chain_tag=form.chain_tag.data,
        planned_wan=read_wan(form.planned_wan, amount_errors),
        leader_id=form.leader_id.data,
        event_id=form.event_id.data,
        trip_id=int(str(form.trip_id.data)) if str(form.trip_id.data or "").isdigit() else None,
        notes=form.notes.data,
    )
    if amount_errors:
        raise ServiceError({**services.field_problems(data, current_user), **amount_errors})
    return data


def _list_context() -> dict:
    refs = queries.reference_choices(current_user)
    return {
        "refs": refs,
        "stages": STAGES,
        "industries": INDUSTRIES,
        "sources": SOURCES,
        "limits": time_limits(current_app.config),
    }


def _search_messages(q: str) -> list[str]:
    """What of the search was left out (too long, too many words), as the top bar says it."""
    return [m for m in SearchQuery.read(q).messages if m != TOO_SHORT]


@bp.route("/")
@requires(ReadsBusinessData)
def index():
    """Every project the user may see, filtered, searched, sorted, 50 a page."""
    filters = queries.ProjectFilters.from_args(request.args)
    return render_template(
        "projects/index.html",
        listing=lists.show(project_lists.PROJECTS, current_user),
        filters=filters,
        search_messages=_search_messages(filters.q),
        over_limit=queries.over_limit,
        days_in_stage=queries.days_in_stage,
        on=today(),  # one date for every row of the page
        **_list_context(),
    )


@dataclass(frozen=True)
class CardLinks:
    """A board card's links, built from two url_for calls per page rather than two per card."""

    detail_prefix: str
    advance_head: str
    advance_tail: str

    @classmethod
    def for_board(cls, back: str) -> CardLinks:
        """Links whose 推进 button comes back to `back` (the board the card is on)."""
        detail = url_for("projects.detail", project_id=0)
        advance = url_for("projects.advance", project_id=0, stage_key="KEY", next=back)
        head, tail = advance.split("/0/advance/KEY", 1)
        return cls(detail.removesuffix("0"), head, tail)

    def detail(self, project_id: int) -> str:
        """The project's page."""
        return f"{self.detail_prefix}{project_id}"

    def advance(self, project_id: int, stage_key: str) -> str:
        """The page that moves the project on to `stage_key`."""
        return f"{self.advance_head}/{project_id}/advance/{stage_key}{self.advance_tail}"


def _card_context(filters: queries.ProjectFilters, back: str) -> dict:
    """What the cards template needs besides the cards."""
    return {
        "filters": filters,
        "over_limit": queries.over_limit,
        "days_in_stage": queries.days_in_stage,
        "on": today(),  # one date for every card of the page
        "next_stage": next_manual_stage,
        "can_edit": access.can_edit,
        "links": CardLinks.for_board(back),
    }


@bp.route("/board")
@requires(ReadsBusinessData)
def board():
    """The pipeline: a column per stage with exact counts and sums, 50 cards each."""
    filters = queries.ProjectFilters.from_args(request.args)
    columns = queries.board_columns(current_user, filters)
    for column in columns:
        column["cards"] = queries.board_cards(current_user, filters, column["stage"].order)
    return render_template(
        "projects/board.html",
        columns=columns,
        **_card_context(filters, request.full_path),
        **_list_context(),
    )


@bp.route("/board/<int:stage_order>")
@requires(ReadsBusinessData)
def board_more(stage_order: int):
    """More cards of one column (htmx)."""
    if stage_order not in {s.order for s in STAGES}:
        abort(404)
    filters = queries.ProjectFilters.from_args(request.args)
    offset = page_number(request.args.get("offset")) if request.args.get("offset") else 0
    cards = queries.board_cards(current_user, filters, stage_order, offset=offset)
    return render_template(
        "projects/_cards.html",
        cards=cards,
        stage_order=stage_order,
        offset=offset,
        limits=time_limits(current_app.config),
        **_card_context(filters, url_for("projects.board", **filters.to_args())),
    )


def _refusal(outcome: Outcome) -> tuple[list, list]:
    """(general messages, likely duplicates) of a refused save: a duplicate asks to confirm."""
    if isinstance(outcome.error, DuplicateFound):
        return [], outcome.error.matches
    return outcome.general, []


@bp.route("/new", methods=["GET", "POST"])
@requires(WritesBusinessData)
def create():
    """Record a new lead. A double submit finds the project the first submit created."""
    form = _prepare(ProjectForm())
    general, duplicates = [], []
    if request.method == "GET":
        form.submission_id.data = str(uuid.uuid4())
        if current_user.role == "unit":
            form.unit_id.data = current_user.unit_id
        if whole_number(request.args.get("event_id")):
            form.event_id.data = whole_number(request.args.get("event_id"))
            form.source.data = "招商推介会"
        if request.args.get("source") in SOURCES:
            form.source.data = request.args["source"]
        if whole_number(request.args.get("trip_id")):
            form.trip_id.data = request.args["trip_id"]
            form.source.data = "领导外出招商"
    elif form.validate_all(lambda: services.field_problems(_data(form), current_user)):
        earlier = services.project_by_submission(form.submission_id.data or "")
        if earlier is not None:
            return redirect(url_for("projects.detail", project_id=earlier.id))
        try:
            outcome = attempt(
                lambda: services.create_project(
                    _data(form),
                    current_user,
                    submission_id=form.submission_id.data or None,
                    confirm_duplicate=form.confirm_duplicate.data,
                ),
                form,
            )
        except IntegrityError:  # the same submission saved by a concurrent request
            db.session.rollback()
            earlier = services.project_by_submission(form.submission_id.data or "")
            if earlier is None:
                raise
            return redirect(url_for("projects.detail", project_id=earlier.id))
        if outcome:
            flash(f"已登记项目“{outcome.value.name}”", "success")
            return redirect(url_for("projects.detail", project_id=outcome.value.id))
        general, duplicates = _refusal(outcome)
    return render_template(
        "projects/form.html",
        form=form,
        general=general or form.general,
        duplicates=duplicates,
        project=None,
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@requires(WritesBusinessData)
def edit(project_id: int):
    """Edit a project's data; a save based on an out-of-date page is refused."""
    project = get_or_404(Project, project_id, current_user)
    if not access.can_edit(current_user, project):
        abort(403)
    form = _prepare(ProjectForm(obj=project))
    if request.method == "GET":
        form.planned_wan.data = f"{project.planned_wan:.2f}"
    general, duplicates, stale = [], [], None
    if form.validate_all(lambda: services.field_problems(_data(form), current_user)):
        outcome = attempt(
            lambda: services.update_project(
                project,
                _data(form),
                current_user,
                request.form.get("version"),  # never the record's own version
                confirm_duplicate=form.confirm_duplicate.data,
            ),
            form,
        )
        if outcome:
            flash("项目已保存", "success")
            return redirect(url_for("projects.detail", project_id=project.id))
        general, duplicates = _refusal(outcome)
        if STALE_MESSAGE in general:
            stale = db.session.get(Project, project_id)
            form.version.data = stale.version
    return render_template(
        "projects/form.html",
        form=form,
        general=general or form.general,
        duplicates=duplicates,
        project=project,
        stale=stale,
    ), (409 if stale else 200)


@bp.route("/<int:project_id>")
@requires(ReadsBusinessData)
def detail(project_id: int):
    """A project: its data, milestones, contacts, follow-ups, history and other domains' tabs."""
    return render_detail(get_or_404(Project, project_id, current_user))


def render_detail(project: Project, follow_up_form: FollowUpForm | None = None):
    """The project page; a follow-up form that failed comes back with the user's input."""
    full_phone = access.sees_full_phone(current_user, project)
    contacts = [
        (c, phones.display(c.phone) if full_phone else phones.masked(c.phone))
        for c in project.contacts
    ]
    return render_template(
        "projects/detail.html",
        project=project,
        contacts=contacts,
        full_phone=full_phone,
        editable=access.can_edit(current_user, project),
        follow_ups=queries.follow_ups_of(project),
        history=queries.history_of(project),
        panels=panels_for("project", project, current_user),
        next_stage=next_manual_stage(project.stage_order),
        stages=STAGES,
        can_correct=access.can_correct_milestones(current_user),
        over=queries.over_limit(project, time_limits(current_app.config)),
        days=queries.days_in_stage(project),
        follow_up_form=follow_up_form or FollowUpForm(formdata=None),
        follow_up_open=follow_up_form is not None,
    )
