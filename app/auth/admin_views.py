"""The administrator's screens: create, edit, disable users and reset passwords."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth import lists as user_lists
from app.auth import services
from app.auth.forms import NewUserForm, ResetPasswordForm, UserForm
from app.auth.models import ROLES, User
from app.core import lists
from app.core.forms import choices
from app.core.permissions import IsAdmin, requires
from app.core.unit_of_work import attempt
from app.core.web import client_ip
from app.extensions import db
from app.units.queries import unit_choices

bp = Blueprint("users", __name__, url_prefix="/admin/users", template_folder="templates")


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def _form_data(form: UserForm) -> services.UserData:
    return services.UserData(
        username=form.username.data or "",
        name=form.name.data or "",
        role=form.role.data or "",
        unit_id=form.unit_id.data,
        phone=form.phone.data,
    )


def _prepare(form: UserForm) -> UserForm:
    form.unit_id.choices = choices(unit_choices(active_only=True), blank="（无）")
    return form


@bp.route("/")
@requires(IsAdmin)
def index():
    """Every account, filterable by role, unit, status and a name search."""
    listing = lists.show(user_lists.USERS, current_user)
    return render_template("users/index.html", listing=listing, filters=listing.args, roles=ROLES)


@bp.route("/new", methods=["GET", "POST"])
@requires(IsAdmin)
def create():
    """Create an account with an initial password the user must change."""
    form = _prepare(NewUserForm())
    general = []
    if form.validate_all(lambda: services.user_problems(_form_data(form), None)):
        outcome = attempt(
            lambda: services.create_user(_form_data(form), form.password.data, current_user), form
        )
        if outcome:
            flash(f"已创建账户 {outcome.value.username}，首次登录须修改密码", "success")
            return redirect(url_for("users.index"))
        general = outcome.general
    return render_template("users/form.html", form=form, general=general or form.general, user=None)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@requires(IsAdmin)
def edit(user_id: int):
    """Edit an account's name, role and unit."""
    user = _user_or_404(user_id)
    form = _prepare(UserForm(obj=user))
    general = []
    if form.validate_all(lambda: services.user_problems(_form_data(form), user)):
        outcome = attempt(
            lambda: services.update_user(user, _form_data(form), current_user, client_ip()), form
        )
        if outcome:
            flash("账户已保存", "success")
            return redirect(url_for("users.index"))
        general = outcome.general
    return render_template("users/form.html", form=form, general=general or form.general, user=user)


@bp.route("/<int:user_id>/active", methods=["POST"])
@requires(IsAdmin)
def toggle_active(user_id: int):
    """Disable or re-enable an account."""
    user = _user_or_404(user_id)
    outcome = attempt(lambda: services.set_active(user, not user.active, current_user, client_ip()))
    if outcome:
        flash(f"账户 {user.username} 已{'启用' if user.active else '停用'}", "success")
    outcome.flash_refusal()
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@requires(IsAdmin)
def reset_password(user_id: int):
    """Set a temporary password for an account."""
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    general = []
    if form.validate_on_submit():
        outcome = attempt(
            lambda: services.reset_password(user, form.password.data, current_user, client_ip()),
            form,
        )
        if outcome:
            flash(f"已重置 {user.username} 的密码，其下次登录须修改", "success")
            return redirect(url_for("users.index"))
        general = outcome.general
    return render_template("users/password.html", form=form, general=general, user=user)
