"""Writes on targets: the bureau sets them (grid or sheet), the unit claims them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.core import history
from app.core.db import utcnow
from app.core.forms import ServiceError
from app.core.money import parse_wan, wan_to_yuan
from app.core.params import whole_number
from app.extensions import db
from app.targets.models import MEASURES, Target, origin_problems
from app.units.models import Unit

MAX_WAN = Decimal("100000000")  # 1 万亿元: catches a typo in 元 instead of 万元
MAX_COUNT = 100_000
STALE_ROW = "该单位的目标在您编辑期间已被他人修改，请核对后重新保存"

Values = dict[str, int | None]  # measure key -> count or whole 元, None for not set


def parse_count(raw: str) -> int | None:
    """A target count typed by a person; blank is None. Raise ValueError in Chinese."""
    text = raw.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if text.startswith("-"):
        raise ValueError("目标不能为负数")
    if text.endswith(".0"):
        text = text[:-2]
    value = whole_number(text)  # "²".isdigit() is True, yet int("²") fails
    if value is None and text.isascii() and text.isdigit():
        raise ValueError("个数过大，请核对")
    if value is None:
        raise ValueError(f"“{raw.strip()}”不是整数（个数）")
    if value > MAX_COUNT:
        raise ValueError("个数过大，请核对")
    return value


def parse_money(raw: str) -> int | None:
    """A target amount in 万元 typed by a person, as whole 元; blank is None."""
    text = raw.strip()
    if not text:
        return None
    value = parse_wan(text)
    if value < 0:
        raise ValueError("目标不能为负数")
    if value > MAX_WAN:
        raise ValueError("金额过大（超过 1 万亿元），请核对单位是否为万元")
    return wan_to_yuan(value)


def parse_value(key: str, raw: str) -> int | None:
    """One measure's typed value."""
    measure = next(m for m in MEASURES if m.key == key)
    return parse_money(raw) if measure.money else parse_count(raw)


def targets_of_year(year: int) -> dict[int, Target]:
    """unit id -> target, for one year."""
    rows = db.session.execute(select(Target).where(Target.year == year)).scalars()
    return {t.unit_id: t for t in rows}


def _differs(target: Target, values: Values) -> bool:
    return any(target.value(m.key) != values.get(m.key) for m in MEASURES)


def _stale(target: Target | None, row: Values, versions: dict | None, unit_id: int) -> bool:
    """A change to a target that someone else changed since the form was opened."""
    if target is None or versions is None or not _differs(target, row):
        return False
    return str(target.version) != str(versions.get(unit_id, ""))


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ServiceError({"year": "年份须在 2000—2100 之间"})


def set_targets(
    year: int,
    values: dict[int, Values],
    actor: Any,
    versions: dict[int, str] | None = None,
) -> int:
    """Set the given units' targets for a year, all or nothing; return how many changed.
    A claimed target whose figures change must be claimed again."""
    _check_year(year)
    existing = targets_of_year(year)
    units = {u.id: u for u in db.session.execute(select(Unit)).scalars()}
    errors: dict[str, str] = {}
    for unit_id in values:
        target = existing.get(unit_id)
        if unit_id not in units:
            errors[f"unit-{unit_id}"] = "单位不存在"
        elif _stale(target, values[unit_id], versions, unit_id):
            errors[f"unit-{unit_id}"] = STALE_ROW
        for key, problem in origin_problems(values[unit_id]).items():
            errors[f"t-{unit_id}-{key}"] = problem
    if errors:
        raise ServiceError(errors)
    changed = 0
    for unit_id, row in values.items():
        target = existing.get(unit_id)
        if target is None:
            if all(v is None for v in row.values()):
                continue
            target = Target(unit_id=unit_id, year=year)
            db.session.add(target)
        elif not _differs(target, row):
            continue
        for m in MEASURES:
            setattr(target, m.key, row.get(m.key))
        target.set_by_id = getattr(actor, "id", None)
        if target.claimed_at is not None:
            target.claimed_at = None
            target.claimed_by_id = None
        changed += 1
    if changed:
        history.note_reason(db.session, f"下达{year}年目标任务")
    db.session.flush()
    return changed


def claim(target: Target, actor: Any) -> bool:
    """The unit claims (认领) its target; True when this call made the claim. A second claim
    changes nothing: the first claim's who and when stand."""
    if actor.role != "unit" or actor.unit_id != target.unit_id:
        raise ServiceError("只能认领本单位的目标任务")
    if target.is_empty:
        raise ServiceError("该年度的目标尚未下达，暂不能认领")
    if target.claimed_at is not None:
        return False
    target.claimed_at = utcnow()
    target.claimed_by_id = actor.id
    history.note_reason(db.session, f"认领{target.year}年目标任务")
    db.session.flush()
    return True
