"""Writes on a project's contacts and follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email

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
