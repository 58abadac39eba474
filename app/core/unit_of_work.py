"""One unit of work per request and per CLI command: commit once at the end, roll back otherwise.

How a view uses it
------------------
A view never calls ``db.session.commit()`` or ``rollback()``. The application (``UnitOfWorkFlask``,
made by ``create_app``) commits once after the view returned a response below 400, and rolls back
when the view raised or answered an error status. The commit runs *inside* Flask's dispatch, so an
exception raised by the commit itself (``StaleDataError``, ``IntegrityError``, a lost connection)
goes through the app's error handlers like any other: a stale version becomes the 409 page, a lost
database the 503 page. Flash messages added by a request that is rolled back are dropped with it.

A view that calls a service which may refuse (``ServiceError``) and re-renders its form::

    outcome = attempt(lambda: services.drop_project(project, on, reason, current_user), form)
    if outcome:
        flash("项目已终止", "success")
        return redirect(...)
    return render_template("...", form=form, general=outcome.general)

``attempt`` runs the call and flushes (so a stale version or a unique-constraint hit surfaces
there, not at the commit). On ``ServiceError`` it rolls back the refused call's partial flushes
(the whole session: nothing the request did before is kept either) and puts the messages beside
the form's fields; ``outcome.general`` holds those that fit no field, ``outcome.value`` the
service's result, ``outcome.error`` the ServiceError itself (e.g. a ``DuplicateFound`` with its
matches). ``attempt(call, form, conflict={"name": "名称已存在"})`` also turns an IntegrityError
into that refusal. An action without a form calls ``outcome.flash_refusal()``. A ``StaleDataError``
is not caught: it becomes the 409 page showing the record's current values and what was typed.

Side effects outside the database follow the transaction: ``on_rollback(fn)`` (delete a file
this request stored) and ``on_commit(fn)`` (delete an upload once its rows are saved).

A view (or a before_request hook) that must keep what it wrote although it answers an error
status (a failed login's counter and log entry, answered 200/401/429) calls ``keep_changes()``.

A CLI command is decorated with ``@transactional`` (innermost, just above the function): it
commits once when the command returns (or exits with code 0) and rolls back when it raises or
exits with another code.

Named exceptions: the security log of refusals written while answering an error
(``app.core.web``) and of a lost database commit on their own, because the request's unit of work
has already been rolled back by then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Generic, TypeVar

from flask import Flask, flash, g, request, session
from sqlalchemy import event, inspect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core.db import VersionedMixin
from app.core.forms import ServiceError
from app.extensions import db

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WROTE = "unit_of_work.wrote"
_SAVING = "unit_of_work.saving"


@dataclass
class Outcome(Generic[T]):
    """What `attempt` got: the service's value, or its refusal with the messages for the page."""

    value: T | None = None
    error: ServiceError | None = None
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.error is None

    def flash_refusal(self, category: str = "danger") -> None:
        """Show the refusal's messages on the next page (for actions without a form)."""
        for message in self.general:
            flash(message, category)


def attempt(
    call: Callable[[], T], form: Any = None, *, conflict: dict[str, str] | str | None = None
) -> Outcome[T]:
    """Run a service call and flush; on ServiceError roll back and put its messages on the form.

    With `conflict` (messages by field), a unique constraint hit by a concurrent save
    (IntegrityError) is refused the same way instead of raised.
    """
    try:
        value = call()
        db.session.flush()
        return Outcome(value=value)
    except ServiceError as error:
        return _refused(error, form)
    except IntegrityError:
        if conflict is None:
            raise
        return _refused(ServiceError(conflict), form)


def _refused(error: ServiceError, form: Any) -> Outcome:
    db.session.rollback()
    _rolled_back()
    if form is not None:
        general = form.apply_errors(error)
    else:
        general = [message for message in error.errors.values() if message]
    return Outcome(error=error, general=general)


def on_rollback(undo: Callable[[], Any]) -> None:
    """Run `undo` if this request's writes are rolled back (e.g. delete a file it stored)."""
    g.setdefault("unit_of_work_undo", []).append(undo)


def on_commit(done: Callable[[], Any]) -> None:
    """Run `done` once this request's writes are committed (e.g. delete an upload's copy)."""
    g.setdefault("unit_of_work_done", []).append(done)


def _rolled_back() -> None:
    g.pop("unit_of_work_done", None)
    for undo in g.pop("unit_of_work_undo", []):
        undo()


def keep_changes() -> None:
    """Commit this request's writes even though its response is an error status."""
    g.unit_of_work_keep = True


def is_connection_lost(error: BaseException) -> bool:
    """True for a driver error that means the database connection is gone."""
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class UnitOfWorkFlask(Flask):
    """Flask that wraps every request in one transaction (see the module's docstring)."""

    def preprocess_request(self):
        """A before_request hook that answers (a redirect, a refusal) ends the unit of work."""
        answer = super().preprocess_request()
        if answer is None:
            return None
        try:
            return _finish(self.make_response(answer))
        except BaseException as error:
            _abandon(error)
            raise

    def dispatch_request(self):
        """Run the view, then commit; a read that lost its connection is run once more."""
        flashes = len(session.get("_flashes", ())) if "_flashes" in session else 0
        try:
            try:
                response = self.make_response(super().dispatch_request())
            except DBAPIError as error:
                if not _may_retry(error):
                    raise
                _abandon()
                response = self.make_response(super().dispatch_request())
            return _finish(response)
        except BaseException as error:
            _abandon(error)
            if "_flashes" in session:
                session["_flashes"] = session["_flashes"][:flashes]
            raise


def _finish(response):
    """Commit after a success (or when asked to keep), roll back after an error status."""
    if response.status_code < 400 or g.pop("unit_of_work_keep", False):
        db.session.commit()
        g.pop("unit_of_work_undo", None)
        for done in g.pop("unit_of_work_done", []):
            done()
    else:
        db.session.rollback()
        _rolled_back()
    return response


def _abandon(error: BaseException | None = None) -> None:
    """Roll back, first noting which versioned records a stale save was about."""
    if isinstance(error, StaleDataError):
        g.stale_records = _stale_identities(db.session, str(error))
    db.session.rollback()
    db.session.info.pop(_WROTE, None)
    _rolled_back()


def _may_retry(error: DBAPIError) -> bool:
    """A lost connection is retried once, for a read whose transaction had written nothing."""
    if not is_connection_lost(error) or request.method not in SAFE_METHODS:
        return False
    if db.session.info.get(_WROTE) or g.get("unit_of_work_retried"):
        return False
    g.unit_of_work_retried = True
    return True


_TABLE = re.compile(r"on table '([^']+)'")


def _stale_identities(session: Session, message: str) -> list[tuple[type, tuple]]:
    """(class, primary key) of the versioned records the failed flush was saving."""
    match = _TABLE.search(message)
    table = match.group(1) if match else None
    saving = session.info.pop(_SAVING, [])
    return [(cls, key) for cls, key in saving if table in (None, cls.__tablename__)]


@event.listens_for(Session, "before_flush")
def _note_flush(session: Session, flush_context, instances) -> None:
    """A flush with changes means the transaction wrote: a lost connection is not retried."""
    if session.new or session.dirty or session.deleted:
        session.info[_WROTE] = True
    # A failed flush leaves no trace of what it was saving: note the versioned records now.
    session.info[_SAVING] = [
        (type(obj), inspect(obj).identity)
        for obj in list(session.dirty) + list(session.deleted)
        if isinstance(obj, VersionedMixin) and inspect(obj).identity is not None
    ]


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_write(orm_execute_state) -> None:
    """An ORM insert/update/delete statement writes too."""
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        orm_execute_state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _forget_writes(session: Session) -> None:
    """A committed transaction's writes are safe; the next one starts clean."""
    session.info.pop(_WROTE, None)


def transactional(command: Callable[..., T]) -> Callable[..., T]:
    """A CLI command's unit of work: commit when it succeeds, roll back when it fails."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
        except SystemExit as exit_:
            if exit_.code in (None, 0):
                db.session.commit()
            else:
                db.session.rollback()
            raise
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return wrapper
