"""A running job's progress: rows done of rows total, kept in the queue's storage (readable
by the web while the job's own transaction is open) and in the job's row when it ends."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

REPORT_EVERY_SECONDS = 0.25


def progress_key(job_id: int) -> str:
    return f"progress:{job_id}"


class Progress:
    """Told how much there is and how much is done; reports at most twice a second, and a
    heartbeat every few seconds even when a single step takes long."""

    def __init__(self, queue: Any, job_id: int, heartbeat_seconds: float = 5):
        self.queue = queue
        self.job_id = job_id
        self.total: int | None = None
        self.done = 0
        self.step = ""
        self._reported = 0.0
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, args=(heartbeat_seconds,),
                                      daemon=True)  # fmt: skip

    def __enter__(self) -> Progress:
        self.report(force=True)
        self._beat.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._beat.join(timeout=2)

    def _heartbeat(self, every: float) -> None:
        while not self._stop.wait(every):
            self.report(force=True)

    def set_total(self, total: int, step: str = "") -> None:
        self.total, self.done = total, 0
        if step:
            self.step = step
        self.report(force=True)

    def advance(self, rows: int = 1) -> None:
        self.done += rows
        self.report()

    def report(self, force: bool = False) -> None:
        now = time.time()
        if not force and now - self._reported < REPORT_EVERY_SECONDS:
            return
        self._reported = now
        self.queue.put(
            progress_key(self.job_id),
            {"total": self.total, "done": self.done, "step": self.step, "at": now},
        )


@dataclass(frozen=True)
class Reading:
    """What the job page shows of a job's progress."""

    total: int | None
    done: int
    step: str
    at: float | None  # when the worker last reported (a heartbeat)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))


def read(queue: Any, job: Any) -> Reading:
    """The latest progress of a job: the worker's report while it runs, the row once it ends."""
    if job.finished or job.status == "queued":
        return Reading(job.total, job.done, "", None)
    raw = queue.peek(progress_key(job.id)) or {}
    return Reading(raw.get("total"), int(raw.get("done") or 0), raw.get("step") or "",
                   raw.get("at"))  # fmt: skip


class BarProgress:
    """The same reporter for a command run in a terminal: a tqdm bar on stderr."""

    def __init__(self, description: str = "", unit: str = "行"):
        from tqdm import tqdm

        self.total: int | None = None
        self.done = 0
        tqdm.monitor_interval = 0  # no monitor thread writing from behind the command's back
        self._bar = tqdm(desc=description, unit=unit, dynamic_ncols=True, leave=True)
        self._step = description

    @property
    def step(self) -> str:
        return self._step

    @step.setter
    def step(self, title: str) -> None:
        """A kind names the step it starts (as it does for a job page): the bar shows it."""
        self._step = title
        self._bar.set_description_str(title, refresh=False)

    def __enter__(self) -> BarProgress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._bar.close()

    def set_total(self, total: int, step: str = "") -> None:
        self.total, self.done = total, 0
        if step:
            self.step = step
        self._bar.reset(total=total)

    def advance(self, rows: int = 1) -> None:
        self.done += rows
        self._bar.update(rows)

    def report(self, force: bool = False) -> None:
        self._bar.refresh()
