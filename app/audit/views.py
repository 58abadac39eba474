"""The auditor's read-only screens."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from app.audit import labels, queries
from app.audit import lists as audit_lists
from app.auth.models import User
from app.core import lists, security_log
from app.core.history import ACTIONS, HistoryEntry
from app.core.permissions import IsAuditor, requires
from app.core.security_log import EVENTS
from app.core.web import client_ip
from app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")


@bp.route("/history")
@requires(IsAuditor)
def history():
    """Every change to every record, filterable."""
    listing = lists.show(audit_lists.HISTORY, current_user)
    return render_template(
        "audit/history.html",
        listing=listing,
        filters=listing.args,
        tables=queries.history_tables(),
        actions=ACTIONS,
        labels=labels,
    )


@bp.route("/history/<int:entry_id>")
@requires(IsAuditor)
def history_entry(entry_id: int):
    """One change with its values before and after; phone numbers masked."""
    entry = db.get_or_404(HistoryEntry, entry_id)
    return _entry_page(entry, full=False)


def _entry_page(entry: HistoryEntry, full: bool) -> str:
    """The change's fields by their Chinese names, values as the screens show them."""
    table = entry.table_name
    changes = {key: (before, after) for key, before, after in entry.changes(full)}
    accounts = _account_names(table, changes)

    def shown(key, value):
        if key in accounts and type(value) is int and value in accounts[key]:
            return f"{value}（{accounts[key][value]}）"
        return labels.shown_value(table, key, value)

    rows = [
        (labels.field_label(table, key), shown(key, changes[key][0]), shown(key, changes[key][1]))
        for key in labels.in_column_order(table, changes)
    ]
    return render_template(
        "audit/history_entry.html",
        entry=entry,
        rows=rows,
        record_kind=labels.table_label(table),
        full=full,
    )


def _account_names(table: str, changes: dict) -> dict[str, dict[int, str]]:
    """For each column naming an account, the user names of the ids this change mentions."""
    keys = [key for key in labels.user_columns(table) if key in changes]
    ids = {v for key in keys for v in changes[key] if isinstance(v, int)}
    if not ids:
        return {}
    names = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    return dict.fromkeys(keys, names)


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
    return _entry_page(entry, full=True)


@bp.route("/security")
@requires(IsAuditor)
def security():
    """Logins, lock-outs, refusals, exports and the other security events, filterable."""
    listing = lists.show(audit_lists.SECURITY, current_user)
    return render_template(
        "audit/security.html",
        listing=listing,
        filters=listing.args,
        events=EVENTS,
        detail_text=audit_lists.detail_text,
    )


@bp.route("/integrity")
@requires(IsAuditor)
def integrity():
    """Recompute both hash chains and show any row that was altered by hand."""
    return render_template("audit/integrity.html", report=queries.chain_report())
