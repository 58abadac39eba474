"""Values computed from records, kept per app process while no record behind them has changed.

A value is kept under its key with the data generation (app.core.generation) read *before*
its records were: any committed change of business data, on any host, raises the generation,
and the next request for the key computes it afresh. Each value is also dropped after a few
minutes, should a change have failed to raise the number, and under settings other than the
running process's (the landed stage, the stages' time limits…) it is never reused. A few
entries per store at most, the least recently used going first."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

from app.core import generation
from app.extensions import db

KEEP_SECONDS = 300
T = TypeVar("T")


class Kept:
    """One store of the running app: `Kept("name", entries).get(key, compute)`."""

    def __init__(self, name: str, entries: int) -> None:
        self.name = name
        self.entries = entries

    def _store(self) -> tuple[threading.Lock, OrderedDict]:
        stores = current_app.extensions.setdefault("crm_kept", {})
        return stores.setdefault(self.name, (threading.Lock(), OrderedDict()))

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The kept value of `key` if nothing changed since it was computed, else `compute()`."""
        key = (key, settings_fingerprint())
        now = generation.current(db.session)  # before a single record is read
        lock, values = self._store()
        with lock:
            hit = values.get(key)
            if hit and hit[0] == now and time.monotonic() - hit[1] < KEEP_SECONDS:
                values.move_to_end(key)
                return hit[2]
        value = compute()
        with lock:
            values[key] = (now, time.monotonic(), value)
            values.move_to_end(key)
            while len(values) > self.entries:
                values.popitem(last=False)
        return value


def settings_fingerprint() -> int:
    """The settings as the running process has them (values are counted by them)."""
    config: Any = current_app.config
    return hash(repr(sorted((key, repr(value)) for key, value in config.items())))
