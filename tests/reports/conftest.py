"""Bulletin and month-close fixtures: a district whose figures were computed by hand."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from app.core import scoping
from app.extensions import db
from app.reports.figures.period import Period

W = 10_000  # 元 per 万元
OCTOBER = Period(2026, 10)
BUREAU = SimpleNamespace(role="bureau", unit_id=None, is_authenticated=True, id=None)


@pytest.fixture
def district(make, people):
    """2026, months 1—10, hand-computed:

    signed in period: p1 (1亿, planned 1.2亿 → 亿元以上, started → landed), p2 (5,000 万,
    registered), p3 (2,500 万); p4 signed in November is outside. 3 signed, contract 17,500 万
    = 1.75 亿元; landed 1/3 = 33.3 %; by amount 10,000/17,500 = 57.1 %; registered 2/3 = 66.7 %;
    operating 0.0 %. Cohort funds (verified, dated up to 31 October): p1 5,000 + p3 1,000 =
    6,000 万 = 0.60 亿元, rate 34.3 % (p2's 1,234 of November counts only from 1—11月).
    2025 cohort: p5 signed and started, 1/1.

    Funds received Jan—Oct 2026 (verified): 3,000 + 2,000 (p1) + 1,000 (p3) + 500 (p5) = 6,500 万
    = 0.65 亿元 (the pending 999 and November's 1,234 do not count). Targets: 城关街道 8,000,
    北山镇 4,000 → 12,000 万 = 1.20 亿元; 6,500/12,000 = 54.17 %; lag 83.333… − 54.166… =
    29.17. 城关街道 5,500/8,000 = 68.75 % (red, lag 14.58) ranks first (红榜); 北山镇
    1,000/4,000 = 25.00 % (red, lag 58.33) last (黑榜). One district party head with no trip: 10
    missed months."""
    a, b = people["unit_a"], people["unit_b"]
    p1 = make.project(a, "智能制造产业园", "华润置地（深圳）有限公司", lead_on=date(2026, 1, 5),
                      signed_on=date(2026, 2, 10), contract_investment=10_000 * W,
                      planned_investment=12_000 * W, started_on=date(2026, 5, 1))  # fmt: skip
    p2 = make.project(a, "新能源电池项目", "宁德新能源有限公司", lead_on=date(2026, 1, 5),
                      signed_on=date(2026, 3, 15), contract_investment=5_000 * W,
                      registered_on=date(2026, 4, 1))  # fmt: skip
    p3 = make.project(b, "文旅综合体", "北山文旅集团有限公司", lead_on=date(2026, 1, 5),
                      signed_on=date(2026, 6, 20), contract_investment=2_500 * W)  # fmt: skip
    p4 = make.project(b, "冷链物流园", "顺丰冷链有限公司", lead_on=date(2026, 1, 5),
                      signed_on=date(2026, 11, 5), contract_investment=3_000 * W)  # fmt: skip
    p5 = make.project(a, "去年项目", "去年投资有限公司", lead_on=date(2025, 1, 5),
                      signed_on=date(2025, 8, 1), contract_investment=4_000 * W,
                      started_on=date(2025, 12, 1))  # fmt: skip
    make.funds_entry(p1, "3000", received_on=date(2026, 3, 5))
    make.funds_entry(p1, "2000", received_on=date(2026, 9, 10))
    make.funds_entry(p1, "999", status="pending", received_on=date(2026, 8, 1))
    make.funds_entry(p3, "1000", received_on=date(2026, 7, 1))
    make.funds_entry(p5, "500", received_on=date(2026, 4, 1))
    make.funds_entry(p2, "1234", received_on=date(2026, 11, 3))
    make.target(a, 2026, funds_total="8000")
    make.target(b, 2026, funds_total="4000")
    make.leader("张建华", "区委书记", head_kind="party")
    return SimpleNamespace(p1=p1, p2=p2, p3=p3, p4=p4, p5=p5, a=a, b=b)


@pytest.fixture
def in_request(app):
    """Run a function inside a request context of the app (the figures read settings)."""

    def run(fn, *args, **kwargs):
        # No one is logged in: the session acts as the system, and the figures' own actor
        # arguments decide the scope (an anonymous request would see no unit's rows).
        with app.test_request_context(), scoping.acting_as(db.session, None):
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.rollback()

    return run


@pytest.fixture
def login_as(client, login):
    """Log in, first logging out whoever is logged in (these tests switch users)."""

    def do(user, **kwargs):
        client.post("/logout")
        return login(user, **kwargs)

    return do
