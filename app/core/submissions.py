"""Submission ids: each create form carries one, so a retried post finds the row the first
post created instead of writing a second one."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select

from app.extensions import db

T = TypeVar("T")


def new_submission_id() -> str:
    """A fresh id for a form about to be shown."""
    return str(uuid.uuid4())


def normalised(raw: Any) -> str | None:
    """The submission id as stored (a UUID's canonical text), or None for anything else."""
    try:
        return str(uuid.UUID(str(raw or "").strip()))
    except ValueError:
        return None


def earlier(model: type[T], submission_id: Any) -> T | None:
    """The row an earlier post of the same form created, if any."""
    key = normalised(submission_id)
    if key is None:
        return None
    return db.session.execute(select(model).where(model.submission_id == key)).scalar_one_or_none()
