"""Trip compliance screens (月度外出情况, 同时外出, 外出成效); their .xlsx is the registered
export "trips" (app/imports/exports.py)."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from app.core.dates import today
from app.core.permissions import ReadsBusinessData, requires
from app.reports.figures import trips as figures
from app.reports.figures.period import read_period, this_month
from app.trips import exports, queries
from app.trips.views import bp


def _year() -> int:
    return exports.year_from(request.args)


def _years(year: int) -> list[int]:
    return sorted({*queries.trip_years(current_user), today().year, year}, reverse=True)


@bp.route("/compliance")
@requires(ReadsBusinessData)
def compliance():
    """Trips per leader per month, the heads' misses, this month's missing, the overlaps."""
    year = _year()
    on = today()
    return render_template(
        "trips/compliance.html",
        year=year,
        years=_years(year),
        rows=figures.compliance(current_user, year, on),
        missing=figures.missing_this_month(current_user, on) if year == on.year else [],
        overlaps=figures.overlaps(current_user, year),
        on=on,
        months=figures.MONTHS,
        states=figures,
    )


@bp.route("/yields")
@requires(ReadsBusinessData)
def yields():
    """Each trip of months 1..M of the chosen year with its yield as of the period's end
    (default: the last month that has ended); those with nothing after the window marked."""
    period, message = read_period(request.args)
    if message:
        flash(message, "warning")
    as_of = period.as_of()
    barren_only = request.args.get("barren") == "1"
    trips = exports.trips_of_period(current_user, period.year, as_of)
    results = figures.trip_yields(current_user, list(reversed(trips)), as_of=as_of)
    if barren_only:
        results = [r for r in results if r.barren]
    return render_template(
        "trips/yields.html",
        year=period.year,
        period=period,
        this_month=this_month(),
        years=_years(period.year),
        results=results,
        barren_only=barren_only,
        window=figures.yield_days(),
    )
