"""Reads of the monthly roll-ups, scoped like every ORM read (a unit user reads their cells)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from app.extensions import db
from app.rollups.models import CohortFundsMonth, CohortMonth, FundsMonth


def funds_by_month(first: int, last: int, unit_id: int | None = None) -> dict[tuple[int, int], int]:
    """Verified funds (元) received in each (year, month) of the years first..last."""
    stmt = select(FundsMonth.year, FundsMonth.month, func.sum(FundsMonth.amount)).where(
        FundsMonth.year >= first, FundsMonth.year <= last
    )
    if unit_id is not None:
        stmt = stmt.where(FundsMonth.unit_id == unit_id)
    stmt = stmt.group_by(FundsMonth.year, FundsMonth.month)
    return {(y, m): int(amount or 0) for y, m, amount in db.session.execute(stmt)}


def funds_by_unit(
    year: int, month_from: int, month_to: int, origin: str = "", unit_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """Per unit: (元, entries) of verified funds received in months month_from..month_to of Y."""
    stmt = select(FundsMonth.unit_id, func.sum(FundsMonth.amount), func.sum(FundsMonth.entries))
    stmt = stmt.where(
        FundsMonth.year == year, FundsMonth.month >= month_from, FundsMonth.month <= month_to
    )
    if origin:
        stmt = stmt.where(FundsMonth.origin == origin)
    if unit_id is not None:
        stmt = stmt.where(FundsMonth.unit_id == unit_id)
    stmt = stmt.group_by(FundsMonth.unit_id)
    return {u: (int(a or 0), int(n or 0)) for u, a, n in db.session.execute(stmt)}


def cohort_groups(
    year: int, month_to: int, unit_id: int | None = None
) -> list[tuple[int, bool, bool, int, int]]:
    """The live projects signed in months 1..M of Y grouped by where they stand now:
    (stage order, funded, dropped, how many, contracted 元)."""
    keys = (CohortMonth.stage_order, CohortMonth.funded, CohortMonth.dropped)
    stmt = select(*keys, func.sum(CohortMonth.projects), func.sum(CohortMonth.contract)).where(
        CohortMonth.year == year, CohortMonth.month <= month_to
    )
    if unit_id is not None:
        stmt = stmt.where(CohortMonth.unit_id == unit_id)
    return [
        (int(order), bool(funded), bool(dropped), int(count), int(contract or 0))
        for order, funded, dropped, count, contract in db.session.execute(stmt.group_by(*keys))
    ]


def cohort_funds(
    year: int, month_to: int, unit_id: int | None = None, before: tuple[int, int] | None = None
) -> int:
    """Verified funds (元) of the projects signed in months 1..M of Y, received in months
    before `before` (year, month), or in any month without it."""
    stmt = select(func.coalesce(func.sum(CohortFundsMonth.amount), 0)).where(
        CohortFundsMonth.year == year, CohortFundsMonth.month <= month_to
    )
    if unit_id is not None:
        stmt = stmt.where(CohortFundsMonth.unit_id == unit_id)
    if before is not None:
        by_year = CohortFundsMonth.received_year < before[0]
        stmt = stmt.where(
            or_(
                by_year,
                (CohortFundsMonth.received_year == before[0])
                & (CohortFundsMonth.received_month < before[1]),
            )
        )
    return int(db.session.execute(stmt).scalar_one())


def cohort_latest(year: int, month_to: int, unit_id: int | None = None) -> date | None:
    """The latest milestone or drop date of any project signed in months 1..M of Y."""
    names = [c.key for c in CohortMonth.__table__.c if c.key.startswith("latest_")]
    stmt = select(*(func.max(getattr(CohortMonth, name)) for name in names)).where(
        CohortMonth.year == year, CohortMonth.month <= month_to
    )
    if unit_id is not None:
        stmt = stmt.where(CohortMonth.unit_id == unit_id)
    found = [day for day in db.session.execute(stmt).one() if day is not None]
    return max(found) if found else None
