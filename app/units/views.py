"""The administrator's unit screens: list, create, edit, deactivate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import lists
from app.core.forms import ensure_current
from app.core.permissions import IsAdmin, requires
from app.core.unit_of_work import attempt
from app.extensions import db
from app.units import lists as unit_lists
from app.units import services
from app.units.forms import UnitForm
from app.units.models import UNIT_KINDS, Unit

bp = Blueprint("units", __name__, url_prefix="/admin/units", template_folder="templates")


@bp.route("/")
@requires(IsAdmin)
def index():
    """Units by kind, with how many accounts each has."""
    listing = lists.show(unit_lists.UNITS, current_user)
    return render_template(
        "units/index.html", listing=listing, kinds=UNIT_KINDS, kind=listing.args["kind"]
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(IsAdmin)
def create():
    """Add a unit."""
    form = UnitForm()
    general = []
    if form.validate_on_submit():
        outcome = attempt(
            lambda: services.create_unit(form.name.data, form.kind.data, current_user), form
        )
        if outcome:
            flash(f"已添加单位 {outcome.value.name}", "success")
            return redirect(url_for("units.index"))
        general = outcome.general
    return render_template("units/form.html", form=form, general=general, unit=None)


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
@requires(IsAdmin)
def edit(unit_id: int):
    """Rename or re-classify a unit; a stale form is refused, not saved over."""
    unit = db.get_or_404(Unit, unit_id)
    form = UnitForm(obj=unit)
    general = []
    if form.validate_on_submit():

        def save():
            ensure_current(unit, request.form.get("version"))
            services.update_unit(unit, form.name.data, form.kind.data, current_user)

        outcome = attempt(save, form)
        if outcome:
            flash("单位已保存", "success")
            return redirect(url_for("units.index"))
        general = outcome.general
        form.version.data = unit.version
    return render_template("units/form.html", form=form, general=general, unit=unit)


@bp.route("/<int:unit_id>/active", methods=["POST"])
@requires(IsAdmin)
def toggle_active(unit_id: int):
    """Deactivate or reactivate a unit."""
    unit = db.get_or_404(Unit, unit_id)
    services.set_unit_active(unit, not unit.active, current_user)
    flash(f"单位 {unit.name} 已{'启用' if unit.active else '停用'}", "success")
    return redirect(url_for("units.index"))
