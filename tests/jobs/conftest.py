"""Running a test's queued jobs as a worker would."""

from __future__ import annotations

import pytest


def run_queued(app) -> int:
    """Run every job waiting in the app's queue, in order, each in its own app context."""
    queue = app.extensions["jobs"]
    ran = 0
    while (task := queue.huey.dequeue()) is not None:
        queue.huey.execute(task)
        ran += 1
    return ran


@pytest.fixture
def worker(app):
    """Call to run the queued jobs (what `flask jobs-worker` does on a real host)."""
    return lambda: run_queued(app)
