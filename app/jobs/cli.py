"""`flask --app wsgi jobs-worker`: the worker that runs queued jobs (any host, any number)."""

from __future__ import annotations

import logging
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core import after_commit
from app.extensions import db
from app.jobs import runner
from app.jobs.queue import HEARTBEAT_SECONDS

log = logging.getLogger(__name__)


@click.command("jobs-worker")
@with_appcontext
@click.option("--threads", default=2, show_default=True, help="同时运行的任务数")
def jobs_worker(threads):
    """Run queued jobs until stopped (Ctrl+C or SIGTERM finish the running ones first)."""
    queue = current_app.extensions["jobs"]
    failed = runner.fail_interrupted(stale_before_seconds=current_app.config["JOB_STALE_SECONDS"])
    if failed:
        click.echo(f"上次中断的任务 {failed} 个已标记为失败，可在任务页重新运行")
    stop = threading.Event()
    app = current_app._get_current_object()

    def beat():
        while not stop.is_set():
            queue.beat()
            _finish_left_over(app)
            stop.wait(HEARTBEAT_SECONDS)

    threading.Thread(target=beat, daemon=True).start()
    click.echo(f"后台任务进程已启动（{threads} 个线程），等待任务……")
    consumer = queue.huey.create_consumer(workers=threads, worker_type="thread")
    try:
        consumer.run()
    finally:
        stop.set()


def _finish_left_over(app) -> None:
    """Finish what a process left undone after its commit (killed in between): seal its
    history, index its imported projects for search; one indexed query each when none is."""
    try:
        with app.app_context():
            after_commit.finish_left_over(db.engine)
    except Exception:  # noqa: BLE001 - the database may be away; the next beat tries again
        log.exception("finishing the left-over after-commit work failed")


def init_app(app) -> None:
    app.cli.add_command(jobs_worker)
