"""Work a session's writes leave for after their commit (seal the history they appended, raise
the data generation): noted during the transaction, run once the root transaction has
committed and given its connection back, so that the work never holds a second pooled
connection beside it; forgotten if the transaction rolls back. The work runs in transactions
of its own: the writes are committed whatever becomes of it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING = "after_commit_pending"  # session.info: {kind: items} of the open transaction
_COMMITTED = "after_commit_committed"  # ... of a commit, until its connection is given back
_WORK: dict[str, Callable[[Session, set], None]] = {}
_LEFT_OVER: dict[str, Callable[[Engine], object]] = {}


def register(
    kind: str,
    work: Callable[[Session, set], None],
    left_over: Callable[[Engine], object] | None = None,
) -> None:
    """Name the work run, with the items noted under `kind`, after each commit that noted any;
    and `left_over`, what finishes such work a process left undone (killed between its commit
    and the work), run by the workers' heartbeat."""
    _WORK[kind] = work
    if left_over is not None:
        _LEFT_OVER[kind] = left_over


def finish_left_over(engine: Engine) -> None:
    """Finish every kind of after-commit work left undone (the heartbeat's path); a failure
    of one kind is logged and the others still run."""
    for kind, finish in sorted(_LEFT_OVER.items()):
        try:
            finish(engine)
        except Exception:  # noqa: BLE001 - the next beat tries again
            log.exception("finishing left-over %s work failed", kind)


def noted(session: Session, kind: str) -> set:
    """The items of `kind` the open transaction has noted so far."""
    return session.info.get(_PENDING, {}).get(kind, set())


def note(session: Session, kind: str, items: Iterable[Any] = (True,)) -> None:
    """Leave items for the work of `kind` after this transaction commits."""
    session.info.setdefault(_PENDING, {}).setdefault(kind, set()).update(items)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        committed = session.info.setdefault(_COMMITTED, {})
        for kind, items in pending.items():
            committed.setdefault(kind, set()).update(items)


@event.listens_for(Session, "after_transaction_end")
def _run(session: Session, transaction: Any) -> None:
    if transaction.parent is not None or _COMMITTED not in session.info:
        return
    for kind, items in sorted(session.info.pop(_COMMITTED).items()):
        _WORK[kind](session, items)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
