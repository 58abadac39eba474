"""Writes on promotion events: create and edit, with who may do which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.core import submissions
from app.core.dates import today
from app.core.forms import ServiceError, ensure_current
from app.events.models import EVENT_KINDS, PromotionEvent
from app.extensions import db
from app.units.models import Unit

EARLIEST = date(2000, 1, 1)
MAX_YEARS_AHEAD = 3  # events are planned ahead, but not decades ahead (typo guard)
NAME_TAKEN = "已有同名活动，请在名称中注明年份或地点以示区别"


@dataclass
class EventData:
    """An event's fields as a person gives them."""

    name: str
    kind: str
    city: str
    held_on: date | None
    host_unit_id: int | None = None
    notes: str | None = None


def can_create(user: Any) -> bool:
    """The bureau and the units record events."""
    return user.role in ("bureau", "unit")


def can_edit(user: Any, event: PromotionEvent) -> bool:
    """The bureau edits every event; a unit only the events it hosts."""
    if user.role == "bureau":
        return True
    return user.role == "unit" and event.host_unit_id == user.unit_id


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def event_problems(
    data: EventData, actor: Any, existing: PromotionEvent | None
) -> dict[str, str]:
    """Every problem of an event's data, by field (the form shows them all at once)."""
    errors: dict[str, str] = {}
    name = _clean(data.name)
    if not name:
        errors["name"] = "请输入活动名称"
    elif len(name) > 200:
        errors["name"] = "活动名称不能超过 200 字"
    else:
        clash = db.session.execute(
            select(PromotionEvent.id).where(func.lower(PromotionEvent.name) == name.lower())
        ).scalar_one_or_none()
        if clash is not None and (existing is None or clash != existing.id):
            errors["name"] = NAME_TAKEN
    if data.kind not in EVENT_KINDS:
        errors["kind"] = "活动类型须为 " + " / ".join(EVENT_KINDS)
    city = _clean(data.city)
    if not city:
        errors["city"] = "请输入举办城市"
    elif len(city) > 30:
        errors["city"] = "举办城市不能超过 30 字"
    latest = date(today().year + MAX_YEARS_AHEAD, 12, 31)
    if data.held_on is None:
        errors["held_on"] = "请填写举办日期"
    elif not EARLIEST <= data.held_on <= latest:
        errors["held_on"] = f"举办日期须在 {EARLIEST.year} 年至 {latest.year} 年之间"
    errors.update(_host_problems(data.host_unit_id, actor))
    return errors


def _host_problems(host_unit_id: int | None, actor: Any) -> dict[str, str]:
    if actor.role == "unit":
        if host_unit_id != actor.unit_id:
            return {"host_unit_id": "只能登记本单位承办的活动"}
        return {}
    if host_unit_id is None:
        return {}  # hosted by the bureau itself
    unit = db.session.get(Unit, host_unit_id)
    if unit is None or not unit.active:
        return {"host_unit_id": "请选择一个启用的承办单位"}
    return {}


def _apply(event: PromotionEvent, data: EventData) -> None:
    event.name = _clean(data.name)
    event.kind = data.kind
    event.city = _clean(data.city)
    event.held_on = data.held_on
    event.host_unit_id = data.host_unit_id or None
    event.notes = (data.notes or "").strip() or None


def create_event(
    data: EventData, actor: Any, *, submission_id: str | None = None
) -> PromotionEvent:
    """Record a promotion event (a unit records the ones it hosts), once per submission id."""
    if not can_create(actor):
        raise ServiceError("只有投资促进局和责任单位可以登记招商活动")
    earlier = submissions.earlier(PromotionEvent, submission_id)
    if earlier is not None:
        return earlier
    errors = event_problems(data, actor, None)
    if errors:
        raise ServiceError(errors)
    event = PromotionEvent(submission_id=submissions.normalised(submission_id))
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: PromotionEvent, data: EventData, actor: Any, version: Any) -> None:
    """Change an event; a form opened before the last change is refused."""
    if not can_edit(actor, event):
        raise ServiceError("只能修改本单位承办的活动")
    ensure_current(event, version)
    errors = event_problems(data, actor, event)
    if errors:
        raise ServiceError(errors)
    _apply(event, data)
    db.session.flush()
