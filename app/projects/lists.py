"""The projects' lists (app/core/lists.py): the project list and the follow-ups due."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from app.core import lists
from app.core.permissions import WritesBusinessData
from app.core.spreadsheets import Column
from app.projects import queries
from app.projects.models import FollowUp, Project


def _filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The project list's filter as kept in the URL (its sort apart: the list bar adds it)."""
    kept = queries.ProjectFilters.from_args(args).to_args()
    kept.pop("sort", None)
    return kept


def _projects(actor: Any, args: Mapping[str, Any]) -> Select:
    return queries.project_statement(actor, queries.ProjectFilters.from_args(args))


# Its export is the registry's `projects` (the import-compatible sheet of
# app/projects/transfer.py, the same statement and order): `export_url` names it, so this spec
# is not registered and has no export columns of its own.
PROJECTS = lists.ListSpec(
    name="projects",
    title="招商项目",
    endpoint="projects.index",
    statement=_projects,
    columns=(),
    row=lambda project: (),
    sorts=queries.SORTS,
    default_sort="-id",
    tiebreak=queries.TIEBREAK,
    filter_args=_filters,
    key=Project.id,
)


def _due(actor: Any, args: Mapping[str, Any]) -> Select:
    return queries.due_follow_ups(actor)


def _due_row(follow_up: FollowUp) -> list[Any]:
    return [
        follow_up.project.name,
        follow_up.project.unit.name,
        follow_up.next_step or "",
        follow_up.next_due_on,
        follow_up.happened_on,
    ]


DUE = lists.register(
    lists.ListSpec(
        name="follow-ups-due",
        title="到期的跟进",
        endpoint="projects.due",
        statement=_due,
        columns=[
            Column("项目名称", width=30), Column("责任单位", width=14), Column("下一步", width=40),
            Column("计划日期", "date"), Column("上次跟进", "date"),
        ],
        row=_due_row,
        sorts={"due": FollowUp.next_due_on, "project": Project.name,
               "happened": FollowUp.happened_on},
        default_sort="due",
        tiebreak=(FollowUp.id,),
        permission=WritesBusinessData,
    )
)  # fmt: skip
