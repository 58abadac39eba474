"""Writes in aftercare: visits, commitments, and raising, assigning, working, escalating and
resolving problems. Each takes the acting user, flushes, never commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.care import access
from app.care.models import (
    LEVELS,
    PROBLEM_CATEGORIES,
    TOP_LEVEL,
    CareVisit,
    Commitment,
    Problem,
    ProblemEscalation,
)
from app.core import bulk, history, submissions
from app.core.dates import today
from app.core.forms import ServiceError, ensure_current
from app.extensions import db
from app.keyprojects.models import KeyProject
from app.projects.models import Project
from app.units.models import Unit

MAX_TEXT = 2000


def _text(value: str | None) -> str:
    return (value or "").strip()


def _past_date(errors: dict, name: str, on: date | None, label: str) -> None:
    if on is None:
        errors[name] = f"请填写{label}"
    elif on > today():
        errors[name] = f"{label}不能晚于今天"


def _long_text(errors: dict, name: str, value: str, label: str, required: bool = True) -> None:
    if required and not value:
        errors[name] = f"请填写{label}"
    elif len(value) > MAX_TEXT:
        errors[name] = f"{label}不能超过 {MAX_TEXT} 字"


def _active_unit(errors: dict, name: str, unit_id: int | None, label: str) -> None:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.active:
        errors[name] = f"请选择一个启用的{label}"


def _require_recorder(project: Project | KeyProject, actor: Any, *, signed: bool = False) -> None:
    if not access.can_record(actor, project):
        raise ServiceError("只有投资促进局和项目所属责任单位可以登记安商服务")
    if signed and project.signed_on is None:
        raise ServiceError("项目尚未签约：走访和承诺事项从签约后开始登记")


def record_visit(
    project: Project,
    visited_on: date | None,
    visitors: str,
    notes: str,
    actor: Any,
    *,
    submission_id: str | None = None,
) -> CareVisit:
    """Record a visit (走访) to a signed project's investor (once per submission id)."""
    _require_recorder(project, actor, signed=True)
    earlier = submissions.earlier(CareVisit, submission_id)
    if earlier is not None and earlier.project_id == project.id:
        return earlier
    errors = visit_problems(visited_on, visitors, notes)
    if errors:
        raise ServiceError(errors)
    visit = CareVisit(
        submission_id=submissions.normalised(submission_id),
        project_id=project.id,
        visited_on=visited_on,
        visitors=_text(visitors),
        notes=_text(notes),
        created_by_id=actor.id,
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def visit_problems(visited_on: date | None, visitors: str, notes: str) -> dict[str, str]:
    """Every problem of a visit's data, by field (the form shows them all at once)."""
    errors: dict[str, str] = {}
    _past_date(errors, "visited_on", visited_on, "走访日期")
    if not _text(visitors):
        errors["visitors"] = "请填写走访人员"
    elif len(_text(visitors)) > 200:
        errors["visitors"] = "走访人员不能超过 200 字"
    _long_text(errors, "notes", _text(notes), "走访情况")
    return errors


def commitment_problems(
    promise: str, delivering_unit_id: int | None, due_on: date | None, evidence_note: str | None
) -> dict[str, str]:
    """Every problem of a commitment's data, by field."""
    errors: dict[str, str] = {}
    _long_text(errors, "promise", _text(promise), "承诺内容")
    _active_unit(errors, "delivering_unit_id", delivering_unit_id, "兑现单位")
    if due_on is None:
        errors["due_on"] = "请填写承诺兑现期限"
    _long_text(errors, "evidence_note", _text(evidence_note), "佐证说明", required=False)
    return errors


def add_commitment(
    project: Project,
    promise: str,
    delivering_unit_id: int | None,
    due_on: date | None,
    evidence_note: str | None,
    actor: Any,
    *,
    submission_id: str | None = None,
) -> Commitment:
    """Record a promise the contract made to the investor (承诺事项), once per submission."""
    _require_recorder(project, actor, signed=True)
    earlier = submissions.earlier(Commitment, submission_id)
    if earlier is not None and earlier.project_id == project.id:
        return earlier
    errors = commitment_problems(promise, delivering_unit_id, due_on, evidence_note)
    if errors:
        raise ServiceError(errors)
    commitment = Commitment(
        submission_id=submissions.normalised(submission_id),
        project_id=project.id,
        promise=_text(promise),
        delivering_unit_id=delivering_unit_id,
        due_on=due_on,
        evidence_note=_text(evidence_note) or None,
        created_by_id=actor.id,
    )
    db.session.add(commitment)
    db.session.flush()
    return commitment


def fulfilment_problems(fulfilled_on: date | None, evidence_note: str | None) -> dict[str, str]:
    """Every problem of a fulfilment's data, by field."""
    errors: dict[str, str] = {}
    _past_date(errors, "fulfilled_on", fulfilled_on, "兑现日期")
    _long_text(errors, "evidence_note", _text(evidence_note), "佐证说明", required=False)
    return errors


def fulfil_commitment(
    commitment: Commitment,
    fulfilled_on: date | None,
    evidence_note: str | None,
    actor: Any,
    version: Any,
) -> None:
    """Mark a commitment kept (兑现), on a date not in the future, with its evidence."""
    _require_recorder(commitment.project, actor)
    ensure_current(commitment, version)
    if commitment.fulfilled_on is not None:
        raise ServiceError(f"该承诺已于 {commitment.fulfilled_on} 兑现")
    errors = fulfilment_problems(fulfilled_on, evidence_note)
    if errors:
        raise ServiceError(errors)
    commitment.fulfilled_on = fulfilled_on
    commitment.evidence_note = _text(evidence_note) or commitment.evidence_note


def assignment_problems(
    raised_on: date | None, handling_unit_id: int | None, deadline: date | None
) -> dict[str, str]:
    """Every problem of a hand-over (交办): the unit and the deadline, by field."""
    errors: dict[str, str] = {}
    _active_unit(errors, "handling_unit_id", handling_unit_id, "承办单位")
    if deadline is None:
        errors["deadline"] = "请填写办理期限"
    elif raised_on is not None and deadline < raised_on:
        errors["deadline"] = f"办理期限不能早于提出日期（{raised_on}）"
    return errors


def problem_problems(
    category: str,
    description: str,
    raised_on: date | None,
    handling_unit_id: int | None = None,
    deadline: date | None = None,
) -> dict[str, str]:
    """Every problem of a new problem's data, by field (a hand-over's too, when given)."""
    errors: dict[str, str] = {}
    if category not in PROBLEM_CATEGORIES:
        errors["category"] = "问题类别须为 " + " / ".join(PROBLEM_CATEGORIES)
    _long_text(errors, "description", _text(description), "问题描述")
    _past_date(errors, "raised_on", raised_on, "提出日期")
    if handling_unit_id is not None or deadline is not None:
        errors.update(assignment_problems(raised_on, handling_unit_id, deadline))
    return errors


def raise_problem(
    project: Project | KeyProject,
    category: str,
    description: str,
    raised_on: date | None,
    actor: Any,
    *,
    handling_unit_id: int | None = None,
    deadline: date | None = None,
    submission_id: str | None = None,
) -> Problem:
    """Record a request or an obstacle (问题) on a 招商 project or a key project (推进问题);
    the bureau may hand it over at once. A retried post (the same submission id) returns the
    problem the first one raised."""
    _require_recorder(project, actor)
    on_key_project = isinstance(project, KeyProject)
    earlier = submissions.earlier(Problem, submission_id)
    if earlier is not None and project.id == (
        earlier.key_project_id if on_key_project else earlier.project_id
    ):
        return earlier
    assigning = handling_unit_id is not None or deadline is not None
    if assigning and not access.can_manage(actor):
        raise ServiceError("交办承办单位由投资促进局负责")
    errors = problem_problems(category, description, raised_on, handling_unit_id, deadline)
    if errors:
        raise ServiceError(errors)
    problem = Problem(
        submission_id=submissions.normalised(submission_id),
        project_id=None if on_key_project else project.id,
        key_project_id=project.id if on_key_project else None,
        category=category,
        description=_text(description),
        raised_on=raised_on,
        raised_by_id=actor.id,
        handling_unit_id=handling_unit_id if assigning else None,
        deadline=deadline if assigning else None,
        level=0,
        status="open",
    )
    db.session.add(problem)
    db.session.flush()
    return problem


def assign_problem(
    problem: Problem,
    handling_unit_id: int | None,
    deadline: date | None,
    actor: Any,
    version: Any,
) -> None:
    """The bureau hands a problem to a unit (交办) with a deadline, or hands it to another."""
    if not access.can_manage(actor):
        raise ServiceError("交办承办单位由投资促进局负责")
    ensure_current(problem, version)
    if problem.is_resolved:
        raise ServiceError("问题已办结，不能再交办")
    errors = assignment_problems(problem.raised_on, handling_unit_id, deadline)
    if errors:
        raise ServiceError(errors)
    if problem.handling_unit_id not in (None, handling_unit_id):
        history.note_reason(db.session, "改交其他单位办理")
    problem.handling_unit_id = handling_unit_id
    problem.deadline = deadline


def describe_problem(problem: Problem) -> str:
    """How a bulk action names a problem it refused."""
    return f"【{problem.category}】{problem.description[:20]}（#{problem.id}）"


def assign_problems(
    problem_ids: list[int],
    handling_unit_id: int | None,
    deadline: date | None,
    actor: Any,
    versions: dict[int, str] | None = None,
) -> list[Problem]:
    """Hand the selected problems to one unit with one deadline, all or none (app.core.bulk):
    each through assign_problem, with its own history entry. `versions` are those the list
    showed; a row changed since is refused as stale."""
    if not access.can_manage(actor):
        raise ServiceError("交办承办单位由投资促进局负责")
    errors = assignment_problems(None, handling_unit_id, deadline)
    if errors:
        raise ServiceError(errors)
    versions = versions or {}
    return bulk.apply_each(
        Problem,
        problem_ids,
        actor,
        lambda p: assign_problem(
            p, handling_unit_id, deadline, actor, versions.get(p.id, p.version)
        ),
        describe_problem,
    )


def start_problem(problem: Problem, actor: Any, version: Any) -> None:
    """The handling unit takes the problem up: 待办 → 办理中."""
    ensure_current(problem, version)
    if problem.handling_unit_id is None:
        raise ServiceError("问题尚未交办承办单位")
    if not access.can_work(actor, problem):
        raise ServiceError("只有承办单位和投资促进局可以办理该问题")
    if problem.status != "open":
        raise ServiceError(f"问题当前为“{problem.status_label}”，不能再开始办理")
    problem.status = "in_progress"


def resolve_problem(
    problem: Problem, resolution: str, resolved_on: date | None, actor: Any, version: Any
) -> None:
    """Close a problem (已办结) with what was done and when."""
    ensure_current(problem, version)
    if problem.is_resolved:
        raise ServiceError(f"问题已于 {problem.resolved_on} 办结")
    if not access.can_work(actor, problem):
        raise ServiceError("只有承办单位和投资促进局可以办结该问题")
    errors: dict[str, str] = {}
    _long_text(errors, "resolution", _text(resolution), "办理结果")
    _past_date(errors, "resolved_on", resolved_on, "办结日期")
    if "resolved_on" not in errors and resolved_on < problem.raised_on:
        errors["resolved_on"] = f"办结日期不能早于提出日期（{problem.raised_on}）"
    if errors:
        raise ServiceError(errors)
    problem.status = "resolved"
    problem.resolution = _text(resolution)
    problem.resolved_on = resolved_on
    problem.resolved_by_id = actor.id


def escalate_problem(problem: Problem, reason: str, actor: Any, version: Any) -> None:
    """The bureau moves a problem one level up: 责任单位 → 包保领导 → 主要领导, never past it."""
    if not access.can_manage(actor):
        raise ServiceError("只有投资促进局可以上报问题")
    ensure_current(problem, version)
    if problem.is_resolved:
        raise ServiceError("问题已办结，无需上报")
    if problem.level >= TOP_LEVEL:
        raise ServiceError({"reason": f"问题已上报至{LEVELS[TOP_LEVEL]}，不能再上报"})
    reason = _text(reason)
    if not reason:
        raise ServiceError({"reason": "请填写上报原因"})
    if len(reason) > MAX_TEXT:
        raise ServiceError({"reason": f"上报原因不能超过 {MAX_TEXT} 字"})
    step = ProblemEscalation(
        problem_id=problem.id,
        from_level=problem.level,
        to_level=problem.level + 1,
        reason=reason,
        escalated_on=today(),
        escalated_by_id=actor.id,
    )
    history.note_reason(db.session, f"上报至{LEVELS[problem.level + 1]}：{reason}")
    problem.level += 1
    db.session.add(step)
    db.session.flush()
