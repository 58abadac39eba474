"""The register of leaders: list, create, edit, deactivate and reactivate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import lists
from app.core.forms import STALE_MESSAGE, choices
from app.core.permissions import IsBureau, ReadsBusinessData, requires
from app.core.unit_of_work import attempt
from app.extensions import db
from app.leaders import lists as leader_lists
from app.leaders import queries, services
from app.leaders.forms import LeaderForm
from app.leaders.models import Leader

bp = Blueprint("leaders", __name__, url_prefix="/leaders", template_folder="templates")


def _prepare(form: LeaderForm, leader: Leader | None) -> LeaderForm:
    form.unit_id.choices = choices(queries.jurisdiction_choices(), blank="全区")
    form.user_id.choices = choices(queries.account_choices(leader), blank="（不关联账户）")
    return form


def _data(form: LeaderForm) -> services.LeaderData:
    return services.LeaderData(
        name=form.name.data or "",
        post=form.post.data or "",
        unit_id=form.unit_id.data,
        head_kind=form.head_kind.data or None,
        is_baobao=form.is_baobao.data,
        user_id=form.user_id.data,
        took_office_on=form.took_office_on.data,
    )


def _load(leader_id: int) -> Leader:
    """Leaders are not owned by a unit: every reader sees the register."""
    return db.get_or_404(Leader, leader_id)


@bp.route("/")
@requires(ReadsBusinessData)
def index():
    """The register: the district's leaders first, then each jurisdiction's."""
    listing = lists.show(leader_lists.LEADERS, current_user)
    return render_template(
        "leaders/index.html",
        listing=listing,
        filters=listing.args,
        units=queries.jurisdiction_choices(),
        district=leader_lists.DISTRICT,
        may_edit=current_user.role in ("bureau", "admin"),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(IsBureau)
def create():
    """Add a leader."""
    form = _prepare(LeaderForm(), None)
    general: list[str] = []
    if form.validate_all(lambda: services.problems(_data(form))):
        outcome = attempt(
            lambda: services.create_leader(
                _data(form), current_user, submission_id=form.submission_id.data
            ),
            form,
        )
        if outcome:
            flash(f"已添加领导 {outcome.value.label}", "success")
            return redirect(url_for("leaders.index"))
        general = outcome.general
    return render_template(
        "leaders/form.html", form=form, general=general or form.general, leader=None
    )


@bp.route("/<int:leader_id>/edit", methods=["GET", "POST"])
@requires(IsBureau)
def edit(leader_id: int):
    """Change a leader's record."""
    leader = _load(leader_id)
    form = _prepare(LeaderForm(obj=leader), leader)
    general: list[str] = []
    if form.validate_all(lambda: services.problems(_data(form), leader)):
        outcome = attempt(
            lambda: services.update_leader(
                leader, _data(form), current_user, request.form.get("version")
            ),
            form,
        )
        if outcome:
            flash("已保存", "success")
            return redirect(url_for("leaders.index"))
        general = outcome.general
        if STALE_MESSAGE in general:
            form.version.data = db.session.get(Leader, leader_id).version
    return render_template(
        "leaders/form.html", form=form, general=general or form.general, leader=leader
    )


@bp.route("/<int:leader_id>/active", methods=["POST"])
@requires(IsBureau)
def toggle_active(leader_id: int):
    """Deactivate a leader who left office, or bring one back."""
    leader = _load(leader_id)
    outcome = attempt(lambda: services.set_active(leader, not leader.active, current_user))
    if outcome:
        flash(f"已{'启用' if leader.active else '停用'} {leader.label}", "success")
    outcome.flash_refusal()
    return redirect(url_for("leaders.index", active="all"))
