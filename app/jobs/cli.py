"""`flask --app wsgi jobs-worker`: the worker that runs queued jobs (any host, any number)."""

from __future__ import annotations

import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from app.jobs import runner
from app.jobs.queue import HEARTBEAT_SECONDS


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

    def beat():
        while not stop.is_set():
            queue.beat()
            stop.wait(HEARTBEAT_SECONDS)

    threading.Thread(target=beat, daemon=True).start()
    click.echo(f"后台任务进程已启动（{threads} 个线程），等待任务……")
    consumer = queue.huey.create_consumer(workers=threads, worker_type="thread")
    try:
        consumer.run()
    finally:
        stop.set()


def init_app(app) -> None:
    app.cli.add_command(jobs_worker)
