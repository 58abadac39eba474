"""Stages from milestone dates, and their time limits (docs/domain.md, "Milestones and stages")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, or_, true


@dataclass(frozen=True)
class Stage:
    """One stage: its order, key, Chinese label, and the milestone date column that reaches it."""

    order: int
    key: str
    label: str
    date_field: str | None  # None for 线索 (reached on creation)
    manual: bool  # False for 资金到位, which only the verified funds ledger reaches


STAGES: tuple[Stage, ...] = (
    Stage(0, "lead", "线索", None, False),
    Stage(1, "negotiating", "洽谈", "negotiating_on", True),
    Stage(2, "signed", "签约", "signed_on", True),
    Stage(3, "registered", "注册", "registered_on", True),
    Stage(4, "funded", "资金到位", "funded_on", False),
    Stage(5, "started", "开工", "started_on", True),
    Stage(6, "operating", "投产", "operating_on", True),
)
BY_KEY = {s.key: s for s in STAGES}
BY_ORDER = {s.order: s for s in STAGES}
MILESTONE_FIELDS = tuple(s.date_field for s in STAGES if s.date_field)
MANUAL_STAGES = tuple(s for s in STAGES if s.manual)

# The SQL that derives the stage from the dates: the highest milestone reached.
STAGE_SQL = (
    "CASE "
    + " ".join(
        f"WHEN {s.date_field} IS NOT NULL THEN {s.order}" for s in reversed(STAGES) if s.date_field
    )
    + " ELSE 0 END"
)
# The date the current stage was reached.
STAGE_SINCE_SQL = (
    "COALESCE("
    + ", ".join([s.date_field for s in reversed(STAGES) if s.date_field] + ["lead_on"])
    + ")"
)


def stage_of(order: int) -> Stage:
    """The stage with this order number."""
    return BY_ORDER[order]


def next_manual_stage(order: int) -> Stage | None:
    """The next stage a person can move a project to (资金到位 comes from the ledger)."""
    return next((s for s in MANUAL_STAGES if s.order > order), None)


def time_limits(config) -> dict[str, int]:
    """Days each stage may last before the project counts as stalled (settings)."""
    return dict(config["STAGE_TIME_LIMITS"])


def reached_condition(columns, stage: Stage, as_of: date | None = None) -> ColumnElement[bool]:
    """True for projects that reached the stage: its milestone or a later one is dated (a
    signing implies the negotiation). Except 资金到位: only the verified funds ledger reaches
    it, and funds may come after groundbreaking, so a started project has not by that alone.
    With `as_of`, reached on or before that day: what was true at a period's end, so that a
    figure for months 1..M never moves after M (docs/domain.md, "As of the period's end").
    `columns` is Project or a subquery's `.c` over it."""
    if stage.key == "funded":
        funded = columns.funded_on
        return funded.is_not(None) if as_of is None else _dated_by(funded, as_of)
    if as_of is None:
        return columns.stage_order >= stage.order
    if stage.order == 0:
        return true()
    dated = [s.date_field for s in STAGES if s.date_field and s.order >= stage.order]
    return or_(*(_dated_by(getattr(columns, name), as_of) for name in dated))


def _dated_by(column, as_of: date) -> ColumnElement[bool]:
    """SQL: the date is set and on or before `as_of` (never NULL, so it can be negated)."""
    return and_(column.is_not(None), column <= as_of)


def stage_order_as_of(columns, as_of: date) -> ColumnElement[int]:
    """SQL: the order of the stage a project stood in at the end of `as_of` (the highest
    milestone dated on or before it), as STAGE_SQL derives today's."""
    return case(
        *((getattr(columns, s.date_field) <= as_of, s.order) for s in reversed(STAGES)
          if s.date_field),
        else_=0,
    )
