"""Business writes refused below the services: leaders, auditors and admins edit no business data.

三员分立: the administrator keeps the accounts and the units, the auditor reads the logs, a
leader records their own trips; none of them edits business data. The routes say so with
their permissions; this is the second line, one `before_flush` listener, so a service called
by such an actor from anywhere (a view, a command, a test) cannot write either. Everyone may
write the bookkeeping of their own login on their own account row; the security log and the
history are written by core outside the ORM flush. A domain that lets one of these roles write
one of its tables registers the rule with `allow()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.core import scoping

# The roles whose writes are refused unless a rule below allows them.
GUARDED_ROLES = frozenset({"admin", "auditor", "leader"})

# Columns of a user's own account row that logging in, out and changing the password write.
OWN_LOGIN_COLUMNS = frozenset(
    {
        "failed_logins",
        "locked_until",
        "last_login_at",
        "session_token",
        "password_hash",
        "must_change_password",
        "password_changed_at",
        "updated_at",
    }
)

Rule = Callable[[Any, Any], bool]
_RULES: dict[tuple[str, str], list[Rule]] = {}


class WriteRefused(Exception):
    """A write the acting user's role may not make; answered with a 403 page."""

    def __init__(self, role: str, table: str, action: str):
        self.role, self.table, self.action = role, table, action
        super().__init__(f"{role} may not {action} {table}")


def _always(actor: Any, row: Any) -> bool:
    return True


def allow(role: str, table: str, rule: Rule = _always) -> None:
    """Let `role` write rows of `table` for which `rule(actor, row)` is true."""
    rules = _RULES.setdefault((role, table), [])
    if rule not in rules:  # every app the factory builds registers its domains again
        rules.append(rule)


def _own_login_bookkeeping(actor: Any, row: Any) -> bool:
    """The actor's own account row, with nothing but login bookkeeping changed."""
    if getattr(row, "__tablename__", None) != "users" or getattr(row, "id", None) != actor.id:
        return False
    state = inspect(row)
    if state.pending or state.deleted:
        return False
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return changed <= OWN_LOGIN_COLUMNS


allow("admin", "users")
allow("admin", "units")


def _action(session: Session, row: Any) -> str:
    if row in session.new:
        return "create"
    return "delete" if row in session.deleted else "update"


def check(session: Session, actor: Any, rows: list[Any]) -> None:
    """Raise WriteRefused for the first row the actor's role may not write."""
    role = getattr(actor, "role", None)
    if role not in GUARDED_ROLES:
        return
    for row in rows:
        table = row.__table__.name
        if _own_login_bookkeeping(actor, row):
            continue
        if any(rule(actor, row) for rule in _RULES.get((role, table), ())):
            continue
        raise WriteRefused(role, table, _action(session, row))


@event.listens_for(Session, "before_flush")
def _refuse_business_writes(session: Session, flush_context, instances) -> None:
    """Check every new, changed and deleted row of the flush against the actor's role."""
    dirty = [row for row in session.dirty if session.is_modified(row, include_collections=False)]
    rows = [*session.new, *dirty, *session.deleted]
    if rows:
        check(session, scoping.current_actor(session), rows)


def init_app(app) -> None:
    """Answer a refused write with the 403 page, and log the refusal in the security log."""
    from flask import g

    from app.core.web import error_response

    @app.errorhandler(WriteRefused)
    def refused(error: WriteRefused):
        g.refused = {"write": error.action, "table": error.table, "role": error.role}
        return error_response(403, "您的角色不能修改业务数据（三员分立），此操作未执行")
