"""Reads on the register of leaders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from app.auth.models import User
from app.extensions import db
from app.leaders.models import Leader
from app.units.models import Unit

# A leader's jurisdiction: the district, or one 乡镇街道 / 园区 (docs/domain.md, "Leaders").
JURISDICTION_KINDS = ("乡镇街道", "园区")


def leader_statement(
    *, unit_id: int | None = None, district: bool = False, active: str = "1", q: str = ""
) -> Select:
    """Leaders, the district's first, then by jurisdiction; filtered as the list asks."""
    stmt = select(Leader).outerjoin(Unit, Unit.id == Leader.unit_id)
    if district:
        stmt = stmt.where(Leader.unit_id.is_(None))
    elif unit_id is not None:
        stmt = stmt.where(Leader.unit_id == unit_id)
    if active == "1":
        stmt = stmt.where(Leader.active.is_(True))
    elif active == "0":
        stmt = stmt.where(Leader.active.is_(False))
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Leader.name.like(like, escape="\\") | Leader.post.like(like, escape="\\"))
    return stmt.order_by(
        Leader.unit_id.is_not(None), Unit.name, Leader.head_kind.is_(None), Leader.id
    )


def leader_for_user(user: Any) -> Leader | None:
    """The active leader record a `leader` account logs in as, if any."""
    if getattr(user, "role", None) != "leader":
        return None
    return db.session.execute(
        select(Leader).where(Leader.user_id == user.id, Leader.active.is_(True))
    ).scalar_one_or_none()


def jurisdiction_choices() -> list[tuple[int, str]]:
    """Units a leader may head: active 乡镇街道 and 园区."""
    rows = db.session.execute(
        select(Unit.id, Unit.name)
        .where(Unit.kind.in_(JURISDICTION_KINDS), Unit.active.is_(True))
        .order_by(Unit.kind, Unit.name)
    ).all()
    return [(r.id, r.name) for r in rows]


def account_choices(leader: Leader | None) -> list[tuple[int, str]]:
    """Active `leader` accounts not yet linked to another leader record."""
    taken = select(Leader.user_id).where(Leader.user_id.is_not(None))
    if leader is not None:
        taken = taken.where(Leader.id != leader.id)
    rows = db.session.execute(
        select(User.id, User.name, User.username)
        .where(User.role == "leader", User.active.is_(True), User.id.not_in(taken))
        .order_by(User.username)
    ).all()
    return [(r.id, f"{r.name}（{r.username}）") for r in rows]


def active_head(unit_id: int | None, head_kind: str, exclude: int | None = None) -> Leader | None:
    """The active party or government head of a jurisdiction, if there is one."""
    stmt = select(Leader).where(
        Leader.head_kind == head_kind,
        Leader.active.is_(True),
        Leader.unit_id.is_(None) if unit_id is None else Leader.unit_id == unit_id,
    )
    if exclude is not None:
        stmt = stmt.where(Leader.id != exclude)
    return db.session.execute(stmt.limit(1)).scalar_one_or_none()
