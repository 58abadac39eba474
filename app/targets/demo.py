"""Demo targets: every active unit, last year and this year, sized so the lights differ."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import select

from app.auth.models import User
from app.core import history
from app.core.dates import today
from app.extensions import db
from app.reports.figures.targets import funds_by_unit, project_counts
from app.targets.models import Target
from app.units.models import Unit

WAN = 10_000
# Completion relative to time progress, in turn: ahead, on track, a little behind, far behind.
PACE = (Fraction(5, 4), Fraction(21, 20), Fraction(49, 50), Fraction(9, 10), Fraction(4, 5),
        Fraction(3, 5), Fraction(2, 5))  # fmt: skip
# Targets where nothing has been achieved yet, by unit kind: (signed, 万元 signed, 万元 funds).
BASE = {"乡镇街道": (6, 60_000, 30_000), "园区": (10, 150_000, 80_000)}
DEFAULT_BASE = (3, 20_000, 10_000)


def _count(done: int, share: Fraction, base: int) -> int:
    return max(1, math.ceil(done / share)) if done else base


def _money(done: int, share: Fraction, base_wan: int) -> int:
    """A target in whole 元, rounded up to 100 万元."""
    if not done:
        return base_wan * WAN
    step = 100 * WAN
    return max(step, math.ceil(done / share / step) * step)


def _values(unit: Unit, done: dict, funds: int, share: Fraction) -> dict[str, int]:
    signed, signed_wan, funds_wan = BASE.get(unit.kind, DEFAULT_BASE)
    return {
        "signed_count": _count(done.get("signed_count", 0), share, signed),
        "signed_investment": _money(done.get("signed_investment", 0), share, signed_wan),
        "funds_total": _money(funds, share, funds_wan),
        "big_count": _count(done.get("big_count", 0), share, 1),
        "started_count": _count(done.get("started_count", 0), share, max(1, signed // 2)),
    }


def seed() -> list[Target]:
    """Add targets for last year and this year to every active unit."""
    on = today()
    units = db.session.execute(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id))
    units = list(units.scalars())
    claimers = {u.unit_id: u for u in db.session.execute(select(User).where(User.role == "unit"))
                .scalars()}  # fmt: skip
    targets = []
    for year in (on.year - 1, on.year):
        month = 12 if year < on.year else on.month
        counts, funds = project_counts(year, month), funds_by_unit(year, month)
        for i, unit in enumerate(units):
            share = Fraction(month, 12) * PACE[i % len(PACE)]
            target = Target(unit_id=unit.id, year=year, **_values(unit, counts.get(unit.id, {}),
                            funds.get(unit.id, 0), share))  # fmt: skip
            if unit.kind == "乡镇街道" and year == on.year:
                target.funds_out_of_province = target.funds_total * 3 // 5 // WAN * WAN
                target.funds_out_of_city = target.funds_total // 4 // WAN * WAN
            claimer = claimers.get(unit.id)
            if claimer is not None and (year < on.year or i % 4 != 3):
                target.claimed_by_id = claimer.id
                target.claimed_at = datetime(year, 1, 10, 1, 30) + timedelta(days=i % 20)
            targets.append(target)
    db.session.add_all(targets)
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    return targets
