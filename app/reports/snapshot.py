"""The key figures of a bulletin as issued (the month-close snapshot) and their comparison.

Every value is taken from the dashboard, never recomputed: counts and 元 as integers, rates
and points as decimal strings, None where a figure cannot be computed (shown as —)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.core.money import format_wan, format_yi

SNAPSHOT_VERSION = 1

# kind -> how a value is shown
COUNT, YUAN, RATE, POINTS, RANK = "count", "yuan", "rate", "points", "rank"


@dataclass(frozen=True)
class KeyFigure:
    """One issued figure: key, Chinese label, kind, value. Every figure is counted as of its
    period's end, so a live value that differs from the issued one means a back-dated change
    or a correction, never mere progress."""

    key: str
    label: str
    kind: str
    value: Any

    @property
    def text(self) -> str:
        return shown(self.kind, self.value)


def shown(kind: str, value: Any) -> str:
    """A snapshot value as the bulletin writes it."""
    if value is None:
        return "—"
    if kind == COUNT:
        return f"{value} 个"
    if kind == YUAN:
        return f"{format_wan(value)} 万元（{format_yi(value)} 亿元）"
    if kind == RATE:
        return f"{value}%"
    if kind == RANK:
        return f"第{value}名"
    return f"{value} 个百分点"


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def key_figures(dash: Any) -> list[KeyFigure]:
    """The district's key figures of the period, in the order the bulletin gives them."""
    cohort, funnel = dash.cohort, dash.cohort.funnel
    landed = funnel.landed_stage.label
    total = dash.table.total
    big = total.figures["big_count"].achieved if total and "big_count" in total.figures else None
    funds = dash.funds_figure
    out = [
        KeyFigure("signed", "新签约项目", COUNT, cohort.signed),
        KeyFigure("signed_contract", "合同投资额", YUAN, funnel.signed_contract),
        KeyFigure("big_signed", "亿元以上签约项目", COUNT, big),
        KeyFigure("landed", f"已落地（{landed}）项目", COUNT, cohort.landed),
        KeyFigure("landed_rate", "签约落地率", RATE, _decimal(cohort.landed_rate)),
        KeyFigure(
            "landed_amount_rate",
            "签约落地率（按金额）",
            RATE,
            _decimal(cohort.landed_amount_rate),
        ),
    ]
    for key, label in (("registered", "注册"), ("started", "开工"), ("operating", "投产")):
        out.append(KeyFigure(key, f"已{label}项目", COUNT, funnel.reached(key)))
        out.append(
            KeyFigure(f"{key}_rate", f"{label}率", RATE, _decimal(cohort.stage_rate(key)))
        )
    out += [
        KeyFigure("cohort_funds", "签约项目到位资金", YUAN, cohort.funds_verified),
        KeyFigure("cohort_funds_rate", "资金到位率", RATE, _decimal(cohort.funds_rate)),
        KeyFigure("funds_received", "到位资金", YUAN, dash.funds_received),
        KeyFigure("funds_target", "到位资金年度目标", YUAN, funds.target if funds else None),
        KeyFigure(
            "funds_rate", "到位资金目标完成率", RATE, _decimal(funds.rate) if funds else None
        ),
        KeyFigure("funds_lag", "落后时间进度", POINTS, _decimal(funds.lag) if funds else None),
    ]
    return out


def unit_figures(dash: Any) -> list[dict[str, Any]]:
    """Per unit: funds received, signed projects and investment, funds completion rate, rank."""
    rows = []
    for row in dash.table.rows:
        figures = row.figures
        rows.append(
            {
                "unit_id": row.unit_id,
                "name": row.unit_name,
                "funds": figures["funds_total"].achieved,
                "funds_rate": _decimal(figures["funds_total"].rate),
                "signed": figures["signed_count"].achieved,
                "signed_investment": figures["signed_investment"].achieved,
                "rank": row.rank,
            }
        )
    return rows


def statement_rows(statement: Any) -> list[dict[str, Any]]:
    """The 到位资金情况表 as issued: every row's counts, amounts (元) and rates as text."""
    return [
        {
            "group": r.group,
            "label": r.label,
            "projects": r.projects,
            "new_projects": r.new_projects,
            "amount": r.amount,
            "share": _decimal(r.share),
            "target": r.target,
            "rate": _decimal(r.rate),
            "lag": _decimal(r.lag),
        }
        for r in statement.rows
    ]


def snapshot(dash: Any, statement: Any = None) -> dict[str, Any]:
    """The JSON kept with a closed month (with the 到位资金情况表 when the bulletin has one)."""
    kept = {
        "version": SNAPSHOT_VERSION,
        "year": dash.period.year,
        "month": dash.period.month,
        "generated_on": dash.generated_on.isoformat(),
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "kind": f.kind,
                "value": f.value,
            }
            for f in key_figures(dash)
        ],
        "units": unit_figures(dash),
    }
    if statement is not None:
        kept["statement"] = statement_rows(statement)
    return kept


@dataclass(frozen=True)
class FigureChange:
    """A figure whose live value differs from the issued one."""

    key: str
    label: str
    issued: str
    live: str


UNIT_MEASURES = (
    ("funds", "到位资金", YUAN),
    ("funds_rate", "到位资金完成率", RATE),
    ("signed", "签约项目", COUNT),
    ("signed_investment", "签约投资额", YUAN),
    ("rank", "排名", RANK),
)


def compare(issued: dict[str, Any], live: dict[str, Any]) -> list[FigureChange]:
    """Each district and unit figure whose live value is not the issued one."""
    changes = []
    now = {f["key"]: f for f in live["figures"]}
    for old in issued["figures"]:
        new = now.get(old["key"])
        if new is not None and new["value"] != old["value"]:
            changes.append(
                FigureChange(
                    old["key"],
                    old["label"],
                    shown(old["kind"], old["value"]),
                    shown(new["kind"], new["value"]),
                )
            )
    live_units = {u["unit_id"]: u for u in live["units"]}
    for old in issued["units"]:
        new = live_units.get(old["unit_id"], {})
        for key, label, kind in UNIT_MEASURES:
            if new.get(key) != old.get(key):
                changes.append(
                    FigureChange(
                        f"unit:{old['unit_id']}:{key}",
                        f"{old['name']} {label}",
                        shown(kind, old.get(key)),
                        shown(kind, new.get(key)),
                    )
                )
    return changes
