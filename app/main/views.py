"""The to-do page (我的待办, the home page) and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from app.core.dates import today
from app.core.navigation import visible_items
from app.core.permissions import Authenticated, public, requires
from app.extensions import db
from app.todo import sections_for

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
@requires(Authenticated)
def home():
    """我的待办, the landing page after login: what needs doing, per role, each item linking to
    where it is dealt with; below it, the functions this role can open."""
    sections = sections_for(current_user)
    return render_template(
        "main/home.html",
        sections=sections,
        waiting=sum(s.badge or 0 for s in sections),
        waiting_beyond=any(s.beyond and s.badge for s in sections),
        items=[i for i in visible_items(current_user) if i.endpoint != "main.home"],
        on=today(),
    )


@bp.route("/healthz")
@public
def health():
    """For the load balancer: the database and the job queue reachable (else 503), and whether
    a job worker has reported lately (shown, not failing: web pages work without one)."""
    checks = {"database": "ok", "queue": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ready", never a 500 page
        db.session.rollback()
        checks["database"] = "unreachable"
    queue = current_app.extensions["jobs"]
    try:
        queue.pending()
    except Exception:  # noqa: BLE001
        checks["queue"] = "unreachable"
    ready = all(v == "ok" for v in checks.values())
    alive = ready and queue.worker_alive(current_app.config["JOB_STALE_SECONDS"])
    body = {"status": "ok" if ready else "unavailable", **checks,
            "workers": "reporting" if alive else "silent"}  # fmt: skip
    return jsonify(body), 200 if ready else 503
