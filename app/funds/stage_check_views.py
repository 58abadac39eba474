"""The bureau's list of records that skip a stage (funds before signing, milestone gaps)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.core.pagination import count
from app.core.permissions import IsBureau, requires
from app.extensions import db
from app.funds import stage_check
from app.funds.views import bp

SHOWN = 500


@bp.route("/stage-check")
@requires(IsBureau)
def stage_check_list():
    """Funds entries of unsigned projects or dated before signing; projects skipping a step."""
    funds_stmt = stage_check.funds_breaking_signing(current_user)
    gaps_stmt = stage_check.projects_with_gaps(current_user)
    return render_template(
        "funds/stage_check.html",
        funds=db.session.execute(funds_stmt.limit(SHOWN)).scalars().all(),
        funds_total=count(funds_stmt),
        gaps=db.session.execute(gaps_stmt.limit(SHOWN)).scalars().all(),
        gaps_total=count(gaps_stmt),
        missing=stage_check.missing_milestones,
        shown=SHOWN,
    )
