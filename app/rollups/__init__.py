"""Monthly roll-ups of funds and the signed cohort, maintained with every write."""

from __future__ import annotations

from flask import Flask

from app.rollups import maintain, models  # noqa: F401  (the listener is registered on import)


def init_app(app: Flask) -> None:
    """Register `flask rebuild-rollups`."""
    from app.rollups.cli import rebuild_rollups

    app.cli.add_command(rebuild_rollups)
