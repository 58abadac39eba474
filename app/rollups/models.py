"""The monthly roll-ups the dashboard reads: verified funds by unit and month, the signed
cohort by unit and signing month, and the cohort's verified funds by month received.

Each cell is recomputed from the records in the same transaction as the write that changes it
(app/rollups/maintain.py); a unit user reads only their unit's cells (scoped by `unit_id`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, ColumnElement, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.scoping import UnitScoped


class _UnitCell(UnitScoped):
    """A roll-up cell owned by one unit (the unit of the projects it sums)."""

    __history__ = False  # derived from the records, recomputed on every write: no history

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        return cls.unit_id == unit_id


class FundsMonth(_UnitCell, Base):
    """Verified funds of live projects received in (year, month), by unit and origin."""

    __tablename__ = "rollup_funds_months"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(8), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # whole 元
    entries: Mapped[int] = mapped_column(Integer, nullable=False)


class CohortMonth(_UnitCell, Base):
    """Live projects signed in (year, month), by unit and where they stand now: stage,
    funded, dropped; how many and their contracted investment."""

    __tablename__ = "rollup_cohort_months"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_order: Mapped[int] = mapped_column(Integer, primary_key=True)
    funded: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    dropped: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    projects: Mapped[int] = mapped_column(Integer, nullable=False)
    contract: Mapped[int] = mapped_column(BigInteger, nullable=False)  # whole 元
    # The latest date of each milestone and of a drop among the cell's projects: a figure as
    # of a day on or after all of them is the cell as it stands now.
    latest_negotiating_on: Mapped[date | None] = mapped_column(Date)
    latest_signed_on: Mapped[date | None] = mapped_column(Date)
    latest_registered_on: Mapped[date | None] = mapped_column(Date)
    latest_funded_on: Mapped[date | None] = mapped_column(Date)
    latest_started_on: Mapped[date | None] = mapped_column(Date)
    latest_operating_on: Mapped[date | None] = mapped_column(Date)
    latest_dropped_on: Mapped[date | None] = mapped_column(Date)


class CohortFundsMonth(_UnitCell, Base):
    """Verified funds of the live projects signed in (year, month), by unit and by the month
    the funds were received (the cohort's 资金到位率 numerator)."""

    __tablename__ = "rollup_cohort_funds"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_month: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # whole 元
