"""The register of leaders: list, create, edit, deactivate and reactivate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.core.forms import STALE_MESSAGE, ServiceError, choices
from app.core.pagination import page_number, paginate
from app.core.permissions import IsBureauOrAdmin, ReadsBusinessData, requires
from app.extensions import db
from app.leaders import queries, services
from app.leaders.forms import LeaderForm
from app.leaders.models import Leader

bp = Blueprint("leaders", __name__, url_prefix="/leaders", template_folder="templates")

DISTRICT = "district"  # the list filter value for 全区


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
    where = request.args.get("unit", "")
    active = request.args.get("active", "1")
    q = (request.args.get("q") or "").strip()[:50]
    stmt = queries.leader_statement(
        unit_id=int(where) if where.isdigit() and len(where) < 10 else None,
        district=where == DISTRICT,
        active=active if active in ("1", "0", "all") else "1",
        q=q,
    )
    page = paginate(stmt, page_number(request.args.get("page")))
    return render_template(
        "leaders/index.html",
        page=page,
        where=where,
        active=active,
        q=q,
        units=queries.jurisdiction_choices(),
        district=DISTRICT,
        may_edit=current_user.role in ("bureau", "admin"),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(IsBureauOrAdmin)
def create():
    """Add a leader."""
    form = _prepare(LeaderForm(), None)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            leader = services.create_leader(_data(form), current_user)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            general = form.apply_errors(error)
        else:
            flash(f"已添加领导 {leader.label}", "success")
            return redirect(url_for("leaders.index"))
    return render_template("leaders/form.html", form=form, general=general, leader=None)


@bp.route("/<int:leader_id>/edit", methods=["GET", "POST"])
@requires(IsBureauOrAdmin)
def edit(leader_id: int):
    """Change a leader's record."""
    leader = _load(leader_id)
    form = _prepare(LeaderForm(obj=leader), leader)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            services.update_leader(leader, _data(form), current_user, request.form.get("version"))
            db.session.commit()
        except (ServiceError, StaleDataError) as error:
            db.session.rollback()
            general = (
                [STALE_MESSAGE] if isinstance(error, StaleDataError) else form.apply_errors(error)
            )
            if STALE_MESSAGE in general:
                form.version.data = db.session.get(Leader, leader_id).version
        else:
            flash("已保存", "success")
            return redirect(url_for("leaders.index"))
    return render_template("leaders/form.html", form=form, general=general, leader=leader)


@bp.route("/<int:leader_id>/active", methods=["POST"])
@requires(IsBureauOrAdmin)
def toggle_active(leader_id: int):
    """Deactivate a leader who left office, or bring one back."""
    leader = _load(leader_id)
    try:
        services.set_active(leader, not leader.active, current_user)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        for message in error.errors.values():
            flash(message, "danger")
    else:
        flash(f"已{'启用' if leader.active else '停用'} {leader.label}", "success")
    return redirect(url_for("leaders.index", active="all"))
