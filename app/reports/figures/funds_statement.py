"""到位资金情况表, the report statistics offices publish (docs/domain.md, "The 到位资金情况表"):
for months 1..M of Y, verified funds by origin, by industry, for 亿元以上 projects and in total,
each with its 履约项目 (distinct projects whose verified funds of the period add up to more
than nothing), how many of those were newly signed in the period, the amount, its share of
the total and, where a target exists, completion and lag; per unit beneath, for those who see
the whole district. Every amount links to the ledger entries that add up to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, select

from app.core.money import format_wan
from app.extensions import db
from app.funds.models import ORIGINS, FundsEntry
from app.funds.queries import LedgerFilters, apply_ledger_filters, scoped_entries
from app.projects.models import BIG_PROJECT_YUAN, INDUSTRIES, Project
from app.reports.figures.period import Period
from app.reports.figures.targets import (
    BY_KEY as MEASURES,
)
from app.reports.figures.targets import (
    FUNDS_KEY,
    completion_rate,
    round_half_up,
    target_table,
)
from app.units.models import Unit

ORIGIN_MEASURES = {m.origin: m.key for m in MEASURES.values() if m.origin}


def decimals() -> int:
    """Places for shares and lags (setting FIGURE_DECIMALS, two by default)."""
    return int(current_app.config.get("FIGURE_DECIMALS", 2))


@dataclass(frozen=True)
class StatementRow:
    """One line of the report."""

    group: str  # 合计 / 按资金来源 / 按产业 / 亿元以上项目 / 按责任单位
    label: str
    projects: int  # 履约项目: distinct projects with verified funds in the period
    new_projects: int  # of which signed in the period
    amount: int  # 元
    share: Decimal | None  # of the total, in percent
    target: int | None  # 元, where one is set
    rate: Decimal | None  # completion, in percent
    lag: Decimal | None  # points behind time progress (negative: ahead)
    link: dict[str, str] = field(default_factory=dict)  # the ledger's query string

    @property
    def phrase(self) -> str:
        """The row as a published report writes it: "国内省外N万元（K个项目）"."""
        return f"{self.label}{format_wan(self.amount)}万元（{self.projects}个项目）"


@dataclass
class FundsStatement:
    """The whole report for one period, as the actor may see it."""

    period: Period
    as_of: date
    total: StatementRow
    by_origin: list[StatementRow]
    by_industry: list[StatementRow]
    big: StatementRow
    by_unit: list[StatementRow]  # empty for a unit user

    @property
    def rows(self) -> list[StatementRow]:
        """Every row in the printed order: total, origins, industries, 亿元以上, units."""
        return [self.total, *self.by_origin, *self.by_industry, self.big, *self.by_unit]

    @property
    def sentence(self) -> str:
        """到位资金N万元,完成全年目标任务的X.XX%,超进度Y.YY%;其中国内省外N万元(K个项目)…"""
        total = self.total
        text = f"到位资金{format_wan(total.amount)}万元"
        if total.rate is not None:
            text += f"，完成全年目标任务的{total.rate}%，{lag_phrase(total.lag)}"
        parts = [r.phrase for r in self.by_origin if r.amount]
        if parts:
            text += "；其中" + "，".join(parts)
        return text + "。"


def lag_phrase(lag: Decimal | None) -> str:
    """落后进度Y.YY个百分点 / 超进度Y.YY% / 与时间进度持平, as reports write it."""
    if lag is None:
        return ""
    if lag > 0:
        return f"落后进度{lag}个百分点"
    if lag < 0:
        return f"超进度{-lag}%"
    return "与时间进度持平"


def _lag(achieved: int, target: int | None, month: int) -> Decimal | None:
    if not target:
        return None
    return round_half_up((Fraction(month, 12) - Fraction(achieved, target)) * 100, decimals())


def _share(amount: int, total: int) -> Decimal | None:
    if not total:
        return None
    return round_half_up(Fraction(amount, total) * 100, decimals())


def _grouped(actor: Any, filters: LedgerFilters, key: ColumnElement, signed_from: date,
             signed_to: date) -> dict[Any, tuple[int, int, int]]:  # fmt: skip
    """key -> (履约项目, of which newly signed, amount) over the period's verified entries."""
    per_project = apply_ledger_filters(
        scoped_entries(
            select(
                key.label("k"),
                FundsEntry.project_id,
                Project.signed_on,
                func.sum(FundsEntry.amount).label("amount"),
            ),
            actor,
        ),
        filters,
    ).group_by(key, FundsEntry.project_id, Project.signed_on)  # signed_on: one per project
    sub = per_project.subquery()
    counted = sub.c.amount > 0
    new = and_(counted, sub.c.signed_on >= signed_from, sub.c.signed_on <= signed_to)
    stmt = select(
        sub.c.k,
        func.sum(case((counted, 1), else_=0)),
        func.sum(case((new, 1), else_=0)),
        func.coalesce(func.sum(sub.c.amount), 0),
    ).group_by(sub.c.k)
    return {k: (int(p or 0), int(n or 0), int(a or 0)) for k, p, n, a in db.session.execute(stmt)}


def funds_statement(actor: Any, period: Period, on: date | None = None) -> FundsStatement:
    """The 到位资金情况表 of months 1..M of Y, counted as of the period's end."""
    year, month = period.year, period.month
    as_of = period.as_of(on)
    filters = LedgerFilters(year=year, month_from=1, month_to=month, status="verified")
    signed = (date(year, 1, 1), as_of)
    table = target_table(actor, year, month)
    own = table.total or next(iter(table.rows), None)  # a unit user's own row
    targets = {} if own is None else {k: f.target for k, f in own.figures.items()}

    def row(group: str, label: str, found: tuple[int, int, int], total: int,
            target: int | None, **link: Any) -> StatementRow:  # fmt: skip
        projects, new, amount = found
        return StatementRow(
            group, label, projects, new, amount, _share(amount, total), target,
            completion_rate(amount, target), _lag(amount, target, month),
            filters.to_args(**link),
        )  # fmt: skip

    # every live entry of the period has a live project: one group, the total
    everything = _true(_grouped(actor, filters, Project.deleted_at.is_(None), *signed))
    grand = everything[2]
    origins = _grouped(actor, filters, FundsEntry.origin, *signed)
    industries = _grouped(actor, filters, Project.industry, *signed)
    big = _grouped(actor, filters, Project.planned_investment >= BIG_PROJECT_YUAN, *signed)
    statement = FundsStatement(
        period=period,
        as_of=as_of,
        total=row("合计", "到位资金合计", everything, grand, targets.get(FUNDS_KEY)),
        by_origin=[
            row(
                "按资金来源",
                o,
                origins.get(o, (0, 0, 0)),
                grand,
                targets.get(ORIGIN_MEASURES.get(o, "")),
                origin=o,
            )  # fmt: skip
            for o in ORIGINS
        ],
        by_industry=[
            row("按产业", i, industries.get(i, (0, 0, 0)), grand, None, industry=i)
            for i in INDUSTRIES
        ],
        big=row("亿元以上项目", "亿元以上项目", _true(big), grand, None, big=True),
        by_unit=[],
    )
    if table.total is not None:
        units = _grouped(actor, filters, Project.unit_id, *signed)
        unit_targets = {r.unit_id: r.figures[FUNDS_KEY].target for r in table.rows}
        names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
        statement.by_unit = [
            row("按责任单位", names.get(uid, str(uid)), units.get(uid, (0, 0, 0)), grand,
                unit_targets.get(uid), unit_id=uid)  # fmt: skip
            for uid in sorted(set(units) | {r.unit_id for r in table.rows if r.target},
                              key=lambda u: (-units.get(u, (0, 0, 0))[2], names.get(u, "")))
        ]  # fmt: skip
    return statement


def _true(found: dict[Any, tuple[int, int, int]]) -> tuple[int, int, int]:
    """The group of a boolean key that is true (SQLite gives 1, PostgreSQL True)."""
    return next((v for k, v in found.items() if k), (0, 0, 0))
