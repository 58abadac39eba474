"""What a job can be: each domain registers its kinds (an import, an export, a month close);
a kind runs with the job's parameters and a progress reporter, inside one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class JobRefused(Exception):
    """The work cannot be done as asked (bad rows, a vanished file): nothing is written; the
    message (Chinese) and any details (the error rows) are kept for the user."""

    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


@dataclass
class JobResult:
    """What a finished job leaves: a file to download, a page to open, a short summary."""

    summary: str = ""
    file: str | None = None  # a path under JOB_RESULTS_DIR, written by the kind
    file_name: str | None = None  # the name it downloads under
    url: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # {"attention": True}: shown amber


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its name, its title as users read it, and the work."""

    name: str
    title: str
    run: Callable[[dict[str, Any], Any], JobResult]
    unit: str = "行"  # what its progress counts: rows, or steps


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Make a kind runnable by name; return it."""
    KINDS[kind.name] = kind
    return kind
