"""Work a session's writes leave for after their commit (seal the history they appended, raise
the data generation): noted during the transaction, run once the root transaction has
committed and given its connection back, so that the work never holds a second pooled
connection beside it; forgotten if the transaction rolls back. The work runs in transactions
of its own: the writes are committed whatever becomes of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING = "after_commit_pending"  # session.info: {kind: items} of the open transaction
_COMMITTED = "after_commit_committed"  # ... of a commit, until its connection is given back
_WORK: dict[str, Callable[[Session, set], None]] = {}


def register(kind: str, work: Callable[[Session, set], None]) -> None:
    """Name the work run, with the items noted under `kind`, after each commit that noted any."""
    _WORK[kind] = work


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
