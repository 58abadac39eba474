"""The auditor's read-only screens."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.audit import queries
from app.core import security_log
from app.core.history import ACTIONS, HistoryEntry
from app.core.pagination import page_number, paginate
from app.core.permissions import IsAuditor, requires
from app.core.security_log import EVENTS
from app.core.web import client_ip
from app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")

HISTORY_FILTERS = ("table", "action", "actor", "record_id", "from", "to")
SECURITY_FILTERS = ("event", "username", "ip", "from", "to")


def _filters(names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.args.get(name, "").strip() for name in names}


@bp.route("/history")
@requires(IsAuditor)
def history():
    """Every change to every record, filterable."""
    filters = _filters(HISTORY_FILTERS)
    page = paginate(queries.history_statement(filters), page_number(request.args.get("page")))
    return render_template(
        "audit/history.html",
        page=page,
        filters=filters,
        tables=queries.history_tables(),
        actions=ACTIONS,
    )


@bp.route("/history/<int:entry_id>")
@requires(IsAuditor)
def history_entry(entry_id: int):
    """One change with its values before and after; phone numbers masked."""
    entry = db.get_or_404(HistoryEntry, entry_id)
    return render_template("audit/history_entry.html", entry=entry, full=False)


@bp.route("/history/<int:entry_id>/reveal", methods=["POST"])
@requires(IsAuditor)
def history_reveal(entry_id: int):
    """The change with its phone numbers in full; the reveal is logged as on the project page."""
    entry = db.get_or_404(HistoryEntry, entry_id)
    if entry.has_personal_data:
        security_log.record(
            db.session,
            "reveal_phone",
            user=current_user,
            ip=client_ip(),
            history_entry_id=entry.id,
            table=entry.table_name,
            record_id=entry.record_id,
        )
    return render_template("audit/history_entry.html", entry=entry, full=True)


@bp.route("/security")
@requires(IsAuditor)
def security():
    """Logins, lock-outs, refusals, exports and the other security events, filterable."""
    filters = _filters(SECURITY_FILTERS)
    page = paginate(queries.security_statement(filters), page_number(request.args.get("page")))
    return render_template("audit/security.html", page=page, filters=filters, events=EVENTS)


@bp.route("/integrity")
@requires(IsAuditor)
def integrity():
    """Recompute both hash chains and show any row that was altered by hand."""
    return render_template("audit/integrity.html", report=queries.chain_report())
