"""The aftercare tab on a signed project's page, and aftercare's to-do sections."""

from __future__ import annotations

from typing import Any

from app.care import access, queries
from app.care import todo as care_todo
from app.core import panels
from app.todo import register as register_todo


def context(project: Any, user: Any) -> dict:
    """What the tab shows: visits, commitments, problems, and whether all are answered."""
    return {
        "care": queries.care_summary(project),
        "can_record": access.can_record(user, project),
    }


def init_app(app) -> None:
    """Register the project tab and the to-do provider."""
    panels.register(
        app,
        "project",
        panels.Panel(
            key="care",
            title="安商服务",
            template="care/_project_panel.html",
            context=context,
            visible=lambda project, user: project.signed_on is not None,
            order=30,
        ),
    )
    register_todo(app, care_todo.PROVIDER)
