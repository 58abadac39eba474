"""The aftercare lists (app/core/lists.py): problems, with their filter, sorts and export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Integer, Select, case, literal, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.care import queries
from app.care.models import CareVisit, Commitment, Problem
from app.core import lists
from app.core.dates import today
from app.core.params import whole_number
from app.core.scoping import scoped_select
from app.core.spreadsheets import Column
from app.core.templating import url_with
from app.projects.models import Project
from app.projects.stages import BY_KEY
from app.reports.figures import attention
from app.units.models import Unit


def problem_filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The problem list's filter as kept in the URL."""
    return queries.ProblemFilters.from_args(args).to_args()


def _problems(actor: Any, args: Mapping[str, Any]) -> Select:
    return queries.problem_statement(actor, queries.ProblemFilters.from_args(args))


def _state(problem: Problem, on) -> str:
    """The status as the list's badges say it."""
    words = [problem.status_label]
    if problem.is_overdue(on):
        words.append(f"逾期 {(on - problem.deadline).days} 天")
    if problem.is_resolved and problem.resolved_in_time() is False:
        words.append("超期办结")
    if not problem.is_resolved and not problem.handling_unit_id:
        words.append("待交办")
    return "，".join(words)


def _problem_row(problem: Problem) -> list[Any]:
    subject = problem.key_project or problem.project
    return [
        problem.id,
        problem.category,
        problem.description,
        ("重点项目：" if problem.key_project_id else "") + problem.subject_label,
        subject.unit.name if subject else "",
        problem.handling_unit.name if problem.handling_unit else "",
        problem.raised_on,
        problem.deadline,
        _state(problem, today()),
        problem.level_label,
    ]


PROBLEMS = lists.register(
    lists.ListSpec(
        name="problems",
        title="问题交办",
        endpoint="care.problems",
        statement=_problems,
        sorts={"raised": Problem.raised_on, "deadline": Problem.deadline,
               "status": Problem.status, "level": Problem.level},
        tiebreak=(Problem.id.desc(),),
        columns=[
            Column("编号", "int", width=7), Column("类别", width=8), Column("问题", width=40),
            Column("项目", width=26), Column("项目责任单位", width=14),
            Column("承办单位", width=14), Column("提出日期", "date"), Column("办理期限", "date"),
            Column("状态", width=18), Column("层级", width=10),
        ],
        row=_problem_row,
        filter_args=problem_filters,
    )
)  # fmt: skip


# ---------------------------------------------------------------- 进而不快 and 超时限未开工


class day_number(FunctionElement):  # noqa: N801  (an SQL function's name)
    """SQL: a date as a whole number of days (SQLite: its Julian day; PostgreSQL: days since
    2000-01-01), so days between two dates is a subtraction on both."""

    type = Integer()
    name = "day_number"
    inherit_cache = True


@compiles(day_number)
def _day_number_sqlite(element, compiler, **kw) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element, compiler, **kw) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) - DATE '2000-01-01')"


def attention_filters(args: Mapping[str, Any]) -> attention.AttentionFilters:
    """The unit and leader narrowing of the stalled lists, from the URL."""
    return attention.AttentionFilters(
        unit_id=whole_number(args.get("unit_id")), leader_id=whole_number(args.get("leader_id"))
    )


def _attention_args(args: Mapping[str, Any]) -> dict[str, str]:
    f = attention_filters(args)
    kept = {"unit_id": f.unit_id, "leader_id": f.leader_id}
    return {k: str(v) for k, v in kept.items() if v is not None}


def _with_unit(statement: Select) -> Select:
    return statement.join(Unit, Unit.id == Project.unit_id)


def _stalled(actor: Any, args: Mapping[str, Any]) -> Select:
    """The 进而不快 statement, with each row's days over its stage's limit (`days_over`)."""
    on, limits = today(), attention.stage_limits()
    condition = attention.stalled_condition(on, limits)
    limit = case(
        {BY_KEY[k].order: days for k, days in limits.items()}, value=Project.stage_order, else_=0
    )
    over = day_number(literal(on, Date)) - day_number(Project.stage_since) - limit
    statement = attention.rows_statement(condition, actor, attention_filters(args))
    return _with_unit(statement.add_columns(over.label("days_over")))


def _not_started(actor: Any, args: Mapping[str, Any]) -> Select:
    """The 超时限未开工 statement."""
    condition = attention.not_started_condition(today(), attention.not_started_limit())
    return _with_unit(attention.rows_statement(condition, actor, attention_filters(args)))


def _project_cells(project: Project) -> list[Any]:
    return [
        project.name,
        project.investor_name or "",
        project.unit.name,
        project.leader.name if project.leader else "",
        project.stage.label,
    ]


def _stalled_row(item) -> list[Any]:
    r = attention.stalled_row(item[0], item[1], today(), attention.stage_limits())
    return [*_project_cells(r.project), r.project.stage_since, r.days, r.limit, r.days_over,
            r.last_follow_up]  # fmt: skip


def _not_started_row(item) -> list[Any]:
    r = attention.not_started_row(item[0], item[1], today(), attention.not_started_limit())
    return [*_project_cells(r.project), r.project.signed_on, r.days, r.days_over,
            r.last_follow_up]  # fmt: skip


_PROJECT_COLUMNS = [
    Column("项目", width=28), Column("投资方", width=24), Column("责任单位", width=14),
    Column("包保领导", width=10), Column("阶段", width=8),
]  # fmt: skip
_LAST = literal_column("last_on")
_COMMON_SORTS = {"unit": Unit.name, "name": Project.name, "follow": _LAST}

STALLED = lists.register(
    lists.ListSpec(
        name="stalled",
        title="进而不快项目",
        endpoint="care.stalled",
        statement=_stalled,
        sorts={"over": literal_column("days_over"), "days": -day_number(Project.stage_since),
               **_COMMON_SORTS},
        default_sort="-over",
        tiebreak=(Unit.name, Project.id),
        columns=[*_PROJECT_COLUMNS, Column("进入本阶段", "date"), Column("本阶段天数", "int"),
                 Column("时限（天）", "int"), Column("超出天数", "int"),
                 Column("最近跟进", "date")],
        row=_stalled_row,
        filter_args=_attention_args,
        scalars=False,
    )
)  # fmt: skip

NOT_STARTED = lists.register(
    lists.ListSpec(
        name="not-started",
        title="超时限未开工项目",
        endpoint="care.stalled",
        statement=_not_started,
        sorts={"over": -day_number(Project.signed_on), "days": -day_number(Project.signed_on),
               **_COMMON_SORTS},
        default_sort="-over",
        tiebreak=(Unit.name, Project.id),
        columns=[*_PROJECT_COLUMNS, Column("签约日期", "date"), Column("签约天数", "int"),
                 Column("超出天数", "int"), Column("最近跟进", "date")],
        row=_not_started_row,
        filter_args=_attention_args,
        scalars=False,
    )
)  # fmt: skip


@dataclass
class SecondListing(lists.Listing):
    """A second list on one page: its sort and page in their own parameters (`late_sort`,
    `late_page`), so paging or sorting one list leaves the other as it is."""

    prefix: str = "late_"

    def sort_link(self, key: str) -> tuple[str, str]:
        """(URL, state) of a header, changing only this list's sort."""
        state = "asc" if self.sort == key else "desc" if self.sort == f"-{key}" else ""
        following = f"-{key}" if state == "asc" else key
        return url_with(**{f"{self.prefix}sort": following, f"{self.prefix}page": None}), state


def show_second(spec: lists.ListSpec, actor: Any, args: Mapping[str, Any], prefix: str):
    """The second list of a page, paged and sorted by `<prefix>page` and `<prefix>sort`."""
    own = {**args, "page": args.get(f"{prefix}page"), "sort": args.get(f"{prefix}sort")}
    shown = lists.show(spec, actor, own)
    return SecondListing(shown.spec, shown.page, shown.sort, shown.args, prefix)


def stalled_rows(listing: lists.Listing) -> list[attention.AttentionRow]:
    """The shown page of the 进而不快 list as rows with their days."""
    on, limits = today(), attention.stage_limits()
    return [attention.stalled_row(item[0], item[1], on, limits) for item in listing.items]


def not_started_rows(listing: lists.Listing) -> list[attention.AttentionRow]:
    """The shown page of the 超时限未开工 list as rows with their days."""
    on, limit = today(), attention.not_started_limit()
    return [attention.not_started_row(item[0], item[1], on, limit) for item in listing.items]


# ---------------------------------------------------------------- commitments and visits

COMMITMENT_STATES = {"open": "未兑现", "overdue": "逾期未兑现", "fulfilled": "已兑现"}


def commitment_state(args: Mapping[str, Any]) -> str:
    """The commitments' state filter ("" for all)."""
    state = str(args.get("state") or "")
    return state if state in COMMITMENT_STATES else ""


def _commitments(actor: Any, args: Mapping[str, Any]) -> Select:
    """The actor's commitments on live projects, narrowed by state."""
    statement = (
        scoped_select(Commitment, actor)
        .join(Project, Project.id == Commitment.project_id)
        .where(Project.deleted_at.is_(None), Commitment.deleted_at.is_(None))
    )
    state = commitment_state(args)
    if state == "fulfilled":
        statement = statement.where(Commitment.fulfilled_on.is_not(None))
    elif state == "open":
        statement = statement.where(Commitment.fulfilled_on.is_(None))
    elif state == "overdue":
        statement = statement.where(attention.overdue_commitment_condition(today()))
    return statement


def _commitment_row(c: Commitment) -> list[Any]:
    state = "已兑现" if c.fulfilled_on else "逾期未兑现" if c.is_overdue(today()) else "未兑现"
    return [c.project.name, c.promise, c.delivering_unit.name, c.due_on, c.fulfilled_on, state]


COMMITMENTS = lists.register(
    lists.ListSpec(
        name="commitments",
        title="服务承诺",
        endpoint="care.commitments",
        statement=_commitments,
        sorts={"due": Commitment.due_on, "project": Project.name,
               "fulfilled": Commitment.fulfilled_on},
        default_sort="due",
        tiebreak=(Commitment.id,),
        columns=[Column("项目", width=28), Column("承诺事项", width=40),
                 Column("落实单位", width=14), Column("期限", "date"), Column("兑现日期", "date"),
                 Column("状态", width=10)],
        row=_commitment_row,
        filter_args=lambda args: {"state": s} if (s := commitment_state(args)) else {},
    )
)  # fmt: skip


def _visits(actor: Any, args: Mapping[str, Any]) -> Select:
    """The actor's visits on live projects."""
    return (
        scoped_select(CareVisit, actor)
        .join(Project, Project.id == CareVisit.project_id)
        .where(Project.deleted_at.is_(None), CareVisit.deleted_at.is_(None))
    )


VISITS = lists.register(
    lists.ListSpec(
        name="visits",
        title="走访记录",
        endpoint="care.visits",
        statement=_visits,
        sorts={"visited": CareVisit.visited_on, "project": Project.name},
        default_sort="-visited",
        tiebreak=(CareVisit.id.desc(),),
        columns=[Column("走访日期", "date"), Column("项目", width=28), Column("走访人", width=20),
                 Column("情况", width=50)],
        row=lambda v: [v.visited_on, v.project.name, v.visitors, v.notes],
    )
)  # fmt: skip
