"""The bureau sets targets: one editable table for every unit, or a sheet; claims overview."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.core.dates import today
from app.core.money import yuan_to_wan
from app.core.permissions import IsBureau, requires
from app.core.unit_of_work import attempt
from app.core.web import client_ip
from app.extensions import db
from app.imports.exports import send_workbook
from app.targets import exports, importer, services
from app.targets.forms import GridForm, ImportForm
from app.targets.models import MEASURES, Target
from app.targets.views import bp, years_offered
from app.units.models import UNIT_KINDS, Unit


def _year() -> int:
    return exports.year_from(request.values)


def grid_units(year: int) -> list[Unit]:
    """Active units, and inactive ones that hold a target that year."""
    with_target = select(Target.unit_id).where(Target.year == year)
    units = db.session.execute(
        select(Unit).where(Unit.active.is_(True) | Unit.id.in_(with_target))
    ).scalars()
    order = {kind: i for i, kind in enumerate(UNIT_KINDS)}
    return sorted(units, key=lambda u: (order.get(u.kind, 99), u.name))


def _typed(measure, value: int | None) -> str:
    if value is None:
        return ""
    if not measure.money:
        return str(value)
    wan = yuan_to_wan(value)
    return f"{wan:.0f}" if wan == wan.to_integral_value() else f"{wan:.2f}"


def _cells(targets: dict[int, Target], units: list[Unit]) -> dict[str, str]:
    return {
        f"t-{u.id}-{m.key}": _typed(m, targets[u.id].value(m.key) if u.id in targets else None)
        for u in units
        for m in MEASURES
    }


def _read_grid(units: list[Unit]) -> tuple[dict, dict, dict, dict[str, str]]:
    """The posted cells: values per unit, versions, the raw text, and the errors."""
    values, versions, raw, errors = {}, {}, {}, {}
    for unit in units:
        if f"v-{unit.id}" not in request.form:
            continue  # not on the page the user saw
        versions[unit.id] = request.form.get(f"v-{unit.id}", "")
        row = {}
        for m in MEASURES:
            name = f"t-{unit.id}-{m.key}"
            raw[name] = (request.form.get(name) or "")[:30]
            try:
                row[m.key] = services.parse_value(m.key, raw[name])
            except ValueError as error:
                errors[name] = str(error)
        values[unit.id] = row
    return values, versions, raw, errors


@bp.route("/set", methods=["GET", "POST"])
@requires(IsBureau)
def grid():
    """Every unit's targets for a year on one editable table; who has claimed them."""
    year = _year()
    units = grid_units(year)
    targets = services.targets_of_year(year)
    form = GridForm()
    errors: dict[str, str] = {}
    cells = _cells(targets, units)
    versions = {u.id: str(targets[u.id].version) if u.id in targets else "" for u in units}
    if form.validate_on_submit():
        values, posted_versions, cells, errors = _read_grid(units)
        cells = {**_cells(targets, units), **cells}
        versions.update(posted_versions)
        if not errors:
            outcome = attempt(
                lambda: services.set_targets(year, values, current_user, posted_versions)
            )
            if outcome:
                flash(f"已保存 {year} 年目标：{outcome.value} 个单位有变动", "success")
                return redirect(url_for("targets.grid", year=year))
            errors = outcome.error.errors
        flash("有填写错误，未保存任何内容；请按红色提示修改后再保存", "danger")
    claimed = [targets[u.id] for u in units if u.id in targets and not targets[u.id].is_empty]
    return render_template(
        "targets/grid.html",
        form=form,
        year=year,
        years=years_offered(year),
        units=units,
        targets=targets,
        measures=MEASURES,
        cells=cells,
        versions=versions,
        errors=errors,
        holders=claimed,
        unclaimed=[t for t in claimed if not t.claimed],
    )


@bp.route("/import", methods=["GET", "POST"])
@requires(IsBureau)
def import_sheet():
    """Targets from a sheet: every row checked first; any error and nothing is written."""
    form = ImportForm()
    if request.method == "GET":
        form.year.data = _year()
    result = None
    if form.validate_on_submit():
        year = form.year.data or today().year
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = ["请选择要导入的文件"]
        else:
            result = importer.parse_sheet(upload.read(), upload.filename, year)
            if not result.errors:
                changed = services.set_targets(year, result.values, current_user)
                flash(f"已导入 {year} 年目标：{result.rows} 行，{changed} 个单位有变动", "success")
                return redirect(url_for("targets.grid", year=year))
    return render_template("targets/import.html", form=form, result=result)


@bp.route("/template")
@requires(IsBureau)
def template():
    """The import sheet, filled in with every unit and its current targets for the year."""
    year = _year()
    units = grid_units(year)
    sheet = exports.template_sheet(year, units, services.targets_of_year(year))
    return send_workbook(
        [sheet],
        f"{year}年目标任务导入模板.xlsx",
        name="targets-template",
        title="目标任务导入模板",
        filters={"year": str(year)},
        actor=current_user,
        ip=client_ip(),
    )
