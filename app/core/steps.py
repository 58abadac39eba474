"""Work told to a progress reporter step by step (a job's page or a terminal's bar): any object
with `set_total(n, step)`, `advance()` and a `step` attribute, or None for no reporting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def stepper(progress: Any, total: int, title: str = "") -> Callable[[str], None]:
    """A function naming the step now starting; each call after the first counts the step
    before it as done, and a last call with "" ends the work (every step done)."""
    started: list[str] = []
    if progress is not None:
        progress.set_total(total, title)

    def step(name: str) -> None:
        if progress is None:
            return
        if started:
            progress.advance()
        started.append(name)
        if name:
            progress.step = name

    return step
