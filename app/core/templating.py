"""Jinja filters and globals: dates in local time, money, navigation by permission."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask_login import current_user

from app.core import money
from app.core.dates import to_local
from app.core.navigation import can_access, grouped


def _datetime(value) -> str:
    local = to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def _date(value) -> str:
    return value.isoformat() if value else ""


def url_with(**changes) -> str:
    """The current URL with some query parameters replaced (pagination, sorting)."""
    args = request.args.to_dict(flat=True)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return request.path + ("?" + urlencode(args) if args else "")


def init_app(app) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters.update(
        datetime=_datetime,
        date=_date,
        wan=money.format_wan,
        yi=money.format_yi,
    )
    app.jinja_env.globals.update(
        can=lambda endpoint: can_access(endpoint, current_user),
        nav_groups=lambda: grouped(current_user),
        url_with=url_with,
    )
