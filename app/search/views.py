"""The search page behind the top bar's search box."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.core.permissions import ReadsBusinessData, requires
from app.search import queries

bp = Blueprint("search", __name__, template_folder="templates")


@bp.route("/search")
@requires(ReadsBusinessData)
def index():
    """Projects, key projects and events matching every word of `q`, within the user's scope."""
    query = queries.SearchQuery.read(request.args.get("q"))
    return render_template(
        "search/index.html",
        query=query,
        results=queries.search(current_user, query),
        shown=queries.SHOWN,
    )
