"""Writes on units."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.forms import ServiceError
from app.extensions import db
from app.units.models import UNIT_KINDS, Unit


def _check(name: str, kind: str, existing: Unit | None) -> str:
    name = " ".join(name.split())
    errors = {}
    if not name:
        errors["name"] = "请输入单位名称"
    if kind not in UNIT_KINDS:
        errors["kind"] = "类别须为 " + " / ".join(UNIT_KINDS)
    clash = db.session.execute(
        select(Unit.id).where(func.lower(Unit.name) == name.lower())
    ).scalar_one_or_none()
    if clash is not None and (existing is None or clash != existing.id):
        errors["name"] = "已有同名单位"
    if errors:
        raise ServiceError(errors)
    return name


def create_unit(name: str, kind: str, actor) -> Unit:
    """Add an active unit."""
    unit = Unit(name=_check(name, kind, None), kind=kind, active=True)
    db.session.add(unit)
    db.session.flush()
    return unit


def update_unit(unit: Unit, name: str, kind: str, actor) -> None:
    """Rename or re-classify a unit."""
    unit.name = _check(name, kind, unit)
    unit.kind = kind


def set_unit_active(unit: Unit, active: bool, actor) -> None:
    """Deactivate (it keeps its records and history) or reactivate a unit."""
    unit.active = active
