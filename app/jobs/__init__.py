"""Long work in a job queue (Huey): large exports, the month close, run by workers
while the user watches progress on the job page."""

from __future__ import annotations


def init_app(app) -> None:
    """The queue, the enqueue-after-commit hook, the pages and the worker command."""
    from app.jobs import cli, queue, services, views

    queue.init_app(app)
    services.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)
