"""Writes on a project's contacts and follow-ups, and the follow-ups' `is_latest` flag."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, event, inspect, or_, select, update
from sqlalchemy.orm import Session

from app.core import phones, submissions
from app.core.dates import today
from app.core.db import utcnow
from app.core.forms import ServiceError
from app.extensions import db
from app.projects.models import FOLLOW_UP_KINDS, FollowUp, Project, ProjectContact


@dataclass
class ContactData:
    """A contact person as typed."""

    name: str
    title: str | None = None
    phone: str | None = None
    email: str | None = None


def _contact_values(data: ContactData) -> dict[str, str | None]:
    errors = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = "请输入姓名"
    phone, problem = phones.normalise(data.phone)
    if problem:
        errors["phone"] = problem
    email = (data.email or "").strip() or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = "电子邮箱格式不正确"
    if errors:
        raise ServiceError(errors)
    return {
        "name": name,
        "title": (data.title or "").strip() or None,
        "phone": phone,
        "email": email,
    }


def add_contact(project: Project, data: ContactData, actor: Any) -> ProjectContact:
    """Add a contact to a project."""
    contact = ProjectContact(project_id=project.id, **_contact_values(data))
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(contact: ProjectContact, data: ContactData, actor: Any) -> None:
    """Correct a contact's details."""
    for key, value in _contact_values(data).items():
        setattr(contact, key, value)


def remove_contact(contact: ProjectContact, actor: Any) -> None:
    """Soft-delete a contact (it stays in the history)."""
    contact.deleted_at = utcnow()
    contact.deleted_by_id = actor.id


@dataclass
class FollowUpData:
    """A follow-up as typed."""

    happened_on: date | None
    kind: str
    summary: str
    next_step: str | None = None
    next_due_on: date | None = None


def add_follow_up(
    project: Project, data: FollowUpData, actor: Any, *, submission_id: str | None = None
) -> FollowUp:
    """Record what happened with a project and the next step (once per submission id)."""
    earlier = submissions.earlier(FollowUp, submission_id)
    if earlier is not None and earlier.project_id == project.id:
        return earlier
    errors = {}
    if data.happened_on is None:
        errors["happened_on"] = "请填写跟进日期"
    elif data.happened_on > today():
        errors["happened_on"] = "跟进日期不能晚于今天"
    if data.kind not in FOLLOW_UP_KINDS:
        errors["kind"] = "跟进方式须为 " + " / ".join(FOLLOW_UP_KINDS)
    if not (data.summary or "").strip():
        errors["summary"] = "请填写跟进情况"
    next_step = (data.next_step or "").strip() or None
    if data.next_due_on and not next_step:
        errors["next_step"] = "填写了下一步期限，请同时写明下一步做什么"
    if data.next_due_on and data.happened_on and data.next_due_on < data.happened_on:
        errors["next_due_on"] = "下一步期限不能早于跟进日期"
    if errors:
        raise ServiceError(errors)
    follow_up = FollowUp(
        submission_id=submissions.normalised(submission_id),
        project_id=project.id,
        user_id=actor.id,
        happened_on=data.happened_on,
        kind=data.kind,
        summary=data.summary.strip(),
        next_step=next_step,
        next_due_on=data.next_due_on,
    )
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


# What decides which follow-up of a project is its latest one.
_ORDERING = ("project_id", "happened_on", "deleted_at")
_CHUNK = 500


def _latest_condition():
    """True for a live follow-up that no later live one of the same project supersedes."""
    table = FollowUp.__table__
    later = table.alias("later")
    superseded = (
        select(later.c.id)
        .where(
            later.c.project_id == table.c.project_id,
            later.c.deleted_at.is_(None),
            or_(
                later.c.happened_on > table.c.happened_on,
                and_(later.c.happened_on == table.c.happened_on, later.c.id > table.c.id),
            ),
        )
        .exists()
    )
    return and_(table.c.deleted_at.is_(None), ~superseded)


def refresh_latest(project_ids: Iterable[int], session: Session | None = None) -> None:
    """Recompute `FollowUp.is_latest` for these projects' follow-ups (one UPDATE per 500
    projects). Runs on the session's connection: unscoped, in the writing transaction."""
    session = session or db.session
    ids = sorted({i for i in project_ids if i is not None})
    table = FollowUp.__table__
    connection = session.connection()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        connection.execute(
            update(table).where(table.c.project_id.in_(chunk)).values(is_latest=_latest_condition())
        )


def _touched_projects(session: Session) -> set[int]:
    """Projects whose follow-ups this flush adds, deletes, moves, re-dates or (un)deletes."""
    ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, FollowUp):
            ids.add(obj.project_id)
    for obj in session.deleted:
        if isinstance(obj, FollowUp):
            ids.add(obj.project_id)
    for obj in session.dirty:
        if not isinstance(obj, FollowUp):
            continue
        state = inspect(obj)
        changed = [state.attrs[key].history for key in _ORDERING]
        if any(h.has_changes() for h in changed):
            ids.add(obj.project_id)
            ids.update(changed[0].deleted)  # a follow-up moved away (a merge)
    return ids


@event.listens_for(Session, "after_flush")
def _keep_latest(session: Session, flush_context) -> None:
    """Every write of follow-ups (a service, a merge, the demo, a factory) keeps the flag."""
    ids = _touched_projects(session)
    if ids:
        refresh_latest(ids, session)
        session.info.setdefault("latest_refreshed", set()).update(ids)


@event.listens_for(Session, "after_flush_postexec")
def _expire_latest(session: Session, flush_context) -> None:
    """Loaded follow-ups of the refreshed projects read the flag afresh."""
    ids = session.info.pop("latest_refreshed", None)
    if not ids:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, FollowUp) and obj.project_id in ids:
            session.expire(obj, ["is_latest"])
