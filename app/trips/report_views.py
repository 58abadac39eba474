"""Trip compliance screens (月度外出情况, 同时外出, 外出成效) and their .xlsx export."""

from __future__ import annotations

import io

from flask import render_template, request, send_file
from flask_login import current_user

from app.core import security_log
from app.core.dates import today
from app.core.permissions import ReadsBusinessData, requires
from app.core.spreadsheets import write_workbook
from app.core.web import client_ip
from app.extensions import db
from app.reports.figures import trips as figures
from app.trips import exports, queries
from app.trips.views import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year() -> int:
    raw = request.args.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return today().year


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
    """Each trip's yield for the year; those with nothing after the window marked."""
    year = _year()
    barren_only = request.args.get("barren") == "1"
    trips = [t for t in queries.trips_in_year(current_user, year) if t.started_on.year == year]
    results = figures.trip_yields(current_user, list(reversed(trips)))
    if barren_only:
        results = [r for r in results if r.barren]
    return render_template(
        "trips/yields.html",
        year=year,
        years=_years(year),
        results=results,
        barren_only=barren_only,
        window=figures.yield_days(),
    )


@bp.route("/export")
@requires(ReadsBusinessData)
def export():
    """The year's compliance grid, overlaps and yields as one printable workbook."""
    year = _year()
    sheets = exports.compliance_workbook(current_user, year, today())
    buffer = io.BytesIO()
    rows = write_workbook(buffer, sheets)
    security_log.record(
        db.session,
        "export",
        user=current_user,
        ip=client_ip(),
        what="外出招商情况",
        filter={"year": year},
        rows=rows,
    )
    db.session.commit()
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{year}年领导外出招商情况.xlsx",
    )
