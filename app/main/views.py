"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from app.core.navigation import visible_items
from app.core.permissions import Authenticated, public, requires
from app.extensions import db

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
@requires(Authenticated)
def home():
    """The landing page after login: who you are and what you can do here."""
    return render_template("main/home.html", items=visible_items(current_user))


@bp.route("/healthz")
@public
def health():
    """Liveness and database reachability for the load balancer."""
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
