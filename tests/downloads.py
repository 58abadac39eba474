"""Reading what an export route sent: the download name and the security-log record."""

from __future__ import annotations

from urllib.parse import unquote

from sqlalchemy import select

from app.core.security_log import SecurityEvent
from app.extensions import db


def download_name(response) -> str:
    """The file name the browser saves under (RFC 5987 encoded in Content-Disposition)."""
    return unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])


def export_event(app) -> SecurityEvent:
    """The one export recorded in the security log."""
    with app.app_context():
        return db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "export")
        ).scalar_one()
