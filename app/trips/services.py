"""Writes on trips: record, change, delete, and link the projects a trip produced or advanced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from app.core import history, submissions
from app.core.dates import today
from app.core.db import utcnow
from app.core.forms import ServiceError, ensure_current
from app.extensions import db
from app.leaders.models import Leader
from app.projects import access as project_access
from app.projects.models import Project
from app.trips import access
from app.trips.models import PROVINCES, STATUSES, Trip, TripLeader, TripProject

MAX_DAYS = 60


@dataclass
class TripData:
    """A trip's fields as the form gives them."""

    leader_ids: list[int] = field(default_factory=list)
    status: str = "done"
    started_on: date | None = None
    ended_on: date | None = None
    province: str = ""
    city: str = ""
    enterprises: str | None = None
    report: str | None = None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _date_problems(data: TripData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.status not in STATUSES:
        errors["status"] = "请选择“已完成”或“计划中”"
    if data.started_on is None:
        errors["started_on"] = "请填写开始日期"
    if data.ended_on is None:
        errors["ended_on"] = "请填写结束日期"
    if errors.get("started_on") or errors.get("ended_on"):
        return errors
    days = (data.ended_on - data.started_on).days + 1
    now = today()
    if data.ended_on < data.started_on:
        errors["ended_on"] = f"结束日期（{data.ended_on}）不能早于开始日期（{data.started_on}）"
    elif days > MAX_DAYS:
        errors["ended_on"] = f"一次外出不能超过 {MAX_DAYS} 天（现为 {days} 天），请核对日期"
    elif data.status == "done" and data.ended_on > now:
        errors["ended_on"] = "登记为“已完成”的外出，结束日期不能晚于今天；尚未成行的请选“计划中”"
    elif data.status == "planned" and data.ended_on < now:
        errors["ended_on"] = "计划中的外出，结束日期不能早于今天；已经成行的请选“已完成”"
    return errors


def _busy(leader: Leader, data: TripData, trip: Trip | None) -> str | None:
    """Another trip of the same leader on overlapping days."""
    stmt = (
        select(Trip)
        .join(TripLeader, TripLeader.trip_id == Trip.id)
        .where(
            TripLeader.leader_id == leader.id,
            Trip.deleted_at.is_(None),
            Trip.started_on <= data.ended_on,
            Trip.ended_on >= data.started_on,
        )
    )
    if trip is not None and trip.id is not None:
        stmt = stmt.where(Trip.id != trip.id)
    other = db.session.execute(stmt.limit(1)).scalar_one_or_none()
    if other is None:
        return None
    return (
        f"{leader.name} 在 {other.started_on} 至 {other.ended_on} 已有外出"
        f"（赴{other.city or other.province}），日期不能重叠"
    )


def _leader_problems(data: TripData, actor: Any, trip: Trip | None) -> str | None:
    ids = list(dict.fromkeys(data.leader_ids))
    if not ids:
        return "请选择至少一位外出的领导"
    leaders = {
        x.id: x for x in db.session.execute(select(Leader).where(Leader.id.in_(ids))).scalars()
    }
    if len(leaders) != len(ids):
        return "所选领导不存在，请刷新页面后重新选择"
    kept = {link.leader_id for link in trip.leader_links} if trip is not None else set()
    inactive = [leaders[i].name for i in ids if not leaders[i].active and i not in kept]
    if inactive:
        return "领导 " + "、".join(inactive) + " 已停用，不能登记外出"
    refusal = access.may_include(actor, ids, leaders)
    if refusal:
        return refusal
    if data.started_on and data.ended_on and data.ended_on >= data.started_on:
        for i in ids:
            busy = _busy(leaders[i], data, trip)
            if busy:
                return busy
    return None


def problems(data: TripData, actor: Any, trip: Trip | None = None) -> dict[str, str]:
    """Every problem with the fields, by field name, in Chinese."""
    errors = _date_problems(data)
    leader_problem = _leader_problems(data, actor, trip)
    if leader_problem:
        errors["leader_ids"] = leader_problem
    if data.province not in PROVINCES:
        errors["province"] = "请选择目的地省份（境外选“境外”）"
    city = _clean(data.city)
    if not city:
        errors["city"] = "请填写目的地城市，如 深圳市"
    elif len(city) > 30:
        errors["city"] = "城市不能超过 30 字"
    for name, value in (("enterprises", data.enterprises), ("report", data.report)):
        if value and len(value.strip()) > 2000:
            errors[name] = "不能超过 2000 字"
    return errors


def _apply(trip: Trip, data: TripData) -> None:
    trip.status = data.status
    trip.started_on = data.started_on
    trip.ended_on = data.ended_on
    trip.province = data.province
    trip.city = _clean(data.city)
    trip.enterprises = (data.enterprises or "").strip() or None
    trip.report = (data.report or "").strip() or None
    wanted = list(dict.fromkeys(data.leader_ids))
    for link in list(trip.leader_links):
        if link.leader_id not in wanted:
            trip.leader_links.remove(link)
    present = {link.leader_id for link in trip.leader_links}
    for leader_id in wanted:
        if leader_id not in present:
            trip.leader_links.append(TripLeader(leader_id=leader_id))


def create_trip(data: TripData, actor: Any, *, submission_id: str | None = None) -> Trip:
    """Record a trip (once per submission id: a retried post returns the first one's trip)."""
    earlier = submissions.earlier(Trip, submission_id)
    if earlier is not None and earlier.created_by_id == getattr(actor, "id", None):
        return earlier
    errors = problems(data, actor)
    if errors:
        raise ServiceError(errors)
    trip = Trip(created_by_id=getattr(actor, "id", None))
    trip.submission_id = submissions.normalised(submission_id)
    db.session.add(trip)
    _apply(trip, data)
    db.session.flush()
    return trip


def update_trip(trip: Trip, data: TripData, actor: Any, version: Any) -> None:
    """Change a trip; the actor must be allowed to before and after the change."""
    if not access.can_edit(actor, trip):
        raise ServiceError("您不能修改这次外出")
    ensure_current(trip, version)
    errors = problems(data, actor, trip)
    if errors:
        raise ServiceError(errors)
    _apply(trip, data)
    db.session.flush()


def delete_trip(trip: Trip, actor: Any, reason: str) -> None:
    """Remove a trip recorded by mistake (kept, marked deleted, with the reason)."""
    if not access.can_edit(actor, trip):
        raise ServiceError("您不能删除这次外出")
    if not (reason or "").strip():
        raise ServiceError({"reason": "请填写删除原因"})
    history.note_reason(db.session, "删除外出记录：" + reason.strip())
    trip.deleted_at = utcnow()
    trip.deleted_by_id = getattr(actor, "id", None)
    db.session.flush()


def link_project(trip: Trip, project: Project, relation: str, note: str, actor: Any) -> None:
    """Record that the trip produced (促成) or advanced (推进) an existing project."""
    if not access.can_link(actor, trip):
        raise ServiceError("您不能修改这次外出关联的项目")
    if trip.status != "done":
        raise ServiceError("计划中的外出还没有成果，成行后再关联项目")
    if relation == "produced":
        if not project_access.can_edit(actor, project):
            raise ServiceError("只有投资促进局或项目的责任单位可以把项目记为此次外出促成")
        if project.trip_id and project.trip_id != trip.id:
            raise ServiceError("该项目已记为另一次外出促成的项目")
        project.trip_id = trip.id
    elif relation == "advanced":
        if project.trip_id == trip.id:
            raise ServiceError("该项目已记为此次外出促成")
        found = db.session.execute(
            select(TripProject).where(
                TripProject.trip_id == trip.id, TripProject.project_id == project.id
            )
        ).scalar_one_or_none()
        if found is None:
            db.session.add(
                TripProject(
                    trip_id=trip.id,
                    project_id=project.id,
                    note=_clean(note)[:200] or None,
                    created_by_id=getattr(actor, "id", None),
                )
            )
    else:
        raise ServiceError({"relation": "请选择“促成”或“推进”"})
    db.session.flush()


def unlink_project(trip: Trip, project: Project, actor: Any) -> None:
    """Take a project off the trip (the history keeps the link that was)."""
    if not access.can_link(actor, trip):
        raise ServiceError("您不能修改这次外出关联的项目")
    if project.trip_id == trip.id:
        if not project_access.can_edit(actor, project):
            raise ServiceError("只有投资促进局或项目的责任单位可以取消“促成”关联")
        project.trip_id = None
    for link in db.session.execute(
        select(TripProject).where(
            TripProject.trip_id == trip.id, TripProject.project_id == project.id
        )
    ).scalars():
        db.session.delete(link)
    db.session.flush()
