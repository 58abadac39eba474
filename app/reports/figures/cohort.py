"""Cohort figures: the funnel of a set of projects, how many signed and landed, and the rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Select, func, select

from app.extensions import db
from app.projects.stages import BY_KEY, STAGES, Stage, reached_condition, stage_order_as_of

SIGNED = BY_KEY["signed"]
FUNDED = BY_KEY["funded"]


@dataclass(frozen=True)
class StageCount:
    """One step of the funnel: how many reached the stage, and how many stand in it now."""

    stage: Stage
    reached: int
    current: int


@dataclass(frozen=True)
class Funnel:
    """The funnel of a cohort, dropped ones included (docs/domain.md, "Cohort rates and funnel")."""

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


class Group(NamedTuple):
    """Projects of a cohort alike in stage, funds and dropped: how many, their contracts."""

    stage_order: int
    funded: bool
    dropped: bool
    count: int
    contract: int  # whole 元

    def reached(self, stage: Stage) -> bool:
        """reached_condition, for the projects of this group."""
        return self.funded if stage.key == "funded" else self.stage_order >= stage.order


def funnel(projects: Select, landed: Stage | None = None, as_of: date | None = None) -> Funnel:
    """The funnel of the projects a statement over Project selects (scoped and filtered by
    the caller), by reached_condition; signed means reached 签约, landed reached LANDED_STAGE.
    With `as_of`, each project counts where it stood at the end of that day (its stage, its
    funds, whether it had been dropped), so the figure of a closed period never moves."""
    return funnel_of(groups_of(projects, as_of), landed)


def groups_of(projects: Select, as_of: date | None = None, now: bool = False) -> list[Group]:
    """The projects a statement selects grouped by stage, funds and dropped (a few dozen
    groups at most), where each stood at the end of `as_of` (now, without it or with `now`)."""
    cohort = projects.order_by(None).subquery()
    if as_of is None or now:
        keys = (
            cohort.c.stage_order,
            cohort.c.funded_on.is_not(None).label("funded"),
            cohort.c.dropped_on.is_not(None).label("dropped"),
        )
    else:
        keys = (
            stage_order_as_of(cohort.c, as_of).label("stage_order"),
            reached_condition(cohort.c, FUNDED, as_of).label("funded"),
            (cohort.c.dropped_on <= as_of).label("dropped"),
        )
    stmt = select(*keys, func.count(), func.sum(cohort.c.contract_investment)).group_by(*keys)
    return [
        Group(order, bool(funded), bool(dropped), int(count), int(contract or 0))
        for order, funded, dropped, count, contract in db.session.execute(stmt)
    ]


def combined(*parts: tuple[int, list[Group]]) -> list[Group]:
    """Groups added (sign 1) and taken away (sign -1): a roll-up corrected by a few projects."""
    totals: dict[tuple[int, bool, bool], list[int]] = {}
    for sign, groups in parts:
        for g in groups:
            cell = totals.setdefault((g.stage_order, g.funded, g.dropped), [0, 0])
            cell[0] += sign * g.count
            cell[1] += sign * g.contract
    return [Group(*key, count, contract) for key, (count, contract) in totals.items() if count]


def funnel_of(groups: list[Group], landed: Stage | None = None) -> Funnel:
    """The funnel's steps summed from the groups of a cohort."""
    landed = landed or landed_stage()

    def reached(stage: Stage) -> list[Group]:
        return [g for g in groups if g.reached(stage)]

    return Funnel(
        total=sum(g.count for g in groups),
        dropped=sum(g.count for g in groups if g.dropped),
        stages=[
            StageCount(
                s,
                sum(g.count for g in reached(s)),
                sum(g.count for g in groups if g.stage_order == s.order),
            )
            for s in STAGES
        ],
        signed=sum(g.count for g in reached(SIGNED)),
        landed=sum(g.count for g in reached(landed)),
        landed_stage=landed,
        signed_contract=sum(g.contract for g in reached(SIGNED)),
        landed_contract=sum(g.contract for g in reached(landed)),
    )
