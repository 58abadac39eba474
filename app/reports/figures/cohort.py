"""Cohort figures: the funnel of a set of projects, how many signed and landed, and the rates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import ColumnElement, Select, case, func, select

from app.extensions import db
from app.projects.stages import BY_KEY, STAGES, Stage

SIGNED = BY_KEY["signed"]


@dataclass(frozen=True)
class StageCount:
    """One step of the funnel: how many reached the stage, and how many stand in it now."""

    stage: Stage
    reached: int
    current: int


@dataclass(frozen=True)
class Funnel:
    """The funnel of a cohort of projects (dropped ones included, as DOMAIN.md counts them)."""

    total: int
    dropped: int
    stages: list[StageCount]
    signed: int
    landed: int
    landed_stage: Stage
    signed_contract: int  # whole 元
    landed_contract: int  # whole 元

    @property
    def landed_rate(self) -> Decimal | None:
        """签约落地率 in percent, one decimal; None when nothing signed (shown as —)."""
        return rate(self.landed, self.signed)

    @property
    def landed_amount_rate(self) -> Decimal | None:
        """Contracted investment of the landed ones over that of all signed, in percent."""
        return rate(self.landed_contract, self.signed_contract)

    def reached(self, key: str) -> int:
        """How many reached the stage with this key."""
        return next(s.reached for s in self.stages if s.stage.key == key)


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal, or None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def landed_stage(config=None) -> Stage:
    """The stage that counts as landed (setting LANDED_STAGE: started, registered or funded)."""
    key = (config if config is not None else current_app.config).get("LANDED_STAGE", "started")
    return BY_KEY.get(key, BY_KEY["started"])


def reached_condition(columns, stage: Stage) -> ColumnElement[bool]:
    """True for projects that reached the stage: its milestone or a later one is dated (a
    signing implies the negotiation). Except 资金到位: only the verified funds ledger reaches
    it, and funds may come after groundbreaking, so a started project has not by that alone.
    `columns` is Project or a subquery's `.c` over it."""
    if stage.key == "funded":
        return columns.funded_on.is_not(None)
    return columns.stage_order >= stage.order


def funnel(projects: Select, landed: Stage | None = None) -> Funnel:
    """The funnel of the projects a statement over Project selects (scoped and filtered by
    the caller), by reached_condition; signed means reached 签约, landed reached LANDED_STAGE."""
    landed = landed or landed_stage()
    cohort = projects.order_by(None).subquery()
    order, contract = cohort.c.stage_order, func.coalesce(cohort.c.contract_investment, 0)

    def at_least(stage: Stage, value=1):
        condition = reached_condition(cohort.c, stage)
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    columns = [
        func.count(),
        func.coalesce(func.sum(case((cohort.c.dropped_on.is_not(None), 1), else_=0)), 0),
        at_least(SIGNED, contract),
        at_least(landed, contract),
    ]
    columns += [at_least(s) for s in STAGES]
    columns += [func.coalesce(func.sum(case((order == s.order, 1), else_=0)), 0) for s in STAGES]
    row = db.session.execute(select(*columns).select_from(cohort)).one()
    total, dropped, signed_contract, landed_contract = (int(v) for v in row[:4])
    reached = [int(v) for v in row[4 : 4 + len(STAGES)]]
    current = [int(v) for v in row[4 + len(STAGES) :]]
    return Funnel(
        total=total,
        dropped=dropped,
        stages=[StageCount(s, reached[i], current[i]) for i, s in enumerate(STAGES)],
        signed=reached[SIGNED.order],
        landed=reached[landed.order],
        landed_stage=landed,
        signed_contract=signed_contract,
        landed_contract=landed_contract,
    )
