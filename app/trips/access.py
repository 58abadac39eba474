"""Who may do what to a trip: functions of the user and the trip."""

from __future__ import annotations

from typing import Any

from app.leaders.queries import leader_for_user

LOGGERS = ("bureau", "unit", "leader")


def can_log(user: Any) -> bool:
    """The bureau logs for anyone, a unit for its own leaders, a leader their own trips."""
    return getattr(user, "role", None) in LOGGERS


def may_include(user: Any, leader_ids: list[int], leaders: dict[int, Any]) -> str | None:
    """Why this user may not record a trip with these leaders (None when they may)."""
    if user.role == "bureau":
        return None
    if user.role == "leader":
        own = leader_for_user(user)
        if own is None:
            return "您的账户尚未关联领导信息，请联系投资促进局在领导名录中关联"
        if own.id not in leader_ids:
            return f"只能登记您本人参加的外出：请勾选“{own.name}”"
        return None
    if user.role == "unit":
        others = [leaders[i].name for i in leader_ids if leaders[i].unit_id != user.unit_id]
        if others:
            return "只能登记本单位领导的外出：" + "、".join(others) + " 不是本单位的领导"
        return None
    return "您没有登记外出招商的权限"


def can_edit(user: Any, trip: Any) -> bool:
    """Edit or delete a trip: the bureau; a leader on it; a unit whose leaders it is all about."""
    if trip.deleted_at is not None or not can_log(user):
        return False
    ids = [link.leader_id for link in trip.leader_links]
    return (
        may_include(user, ids, {link.leader_id: link.leader for link in trip.leader_links}) is None
    )


def can_link(user: Any, trip: Any) -> bool:
    """Link projects to the trip: whoever may edit the trip."""
    return can_edit(user, trip)


def leader_writes(user: Any, row: Any) -> bool:
    """The write guard's rule for a leader: their own trip, its leaders and its project links."""
    from app.extensions import db
    from app.trips.models import Trip

    trip = row if isinstance(row, Trip) else getattr(row, "trip", None)
    if trip is None and getattr(row, "trip_id", None) is not None:
        trip = db.session.get(Trip, row.trip_id)
    own = leader_for_user(user)
    if trip is None or own is None:
        return False
    return own.id in {link.leader_id for link in trip.leader_links}
