"""The to-do page (我的待办, the home page) and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
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
        items=[i for i in visible_items(current_user) if i.endpoint != "main.home"],
        on=today(),
    )


@bp.route("/healthz")
@public
def health():
    """Liveness and database reachability for the load balancer."""
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
