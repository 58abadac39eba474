"""A small key-project district whose 1—10月 2026 figures were computed by hand; shared by the
ledger export, bulletin and dashboard tests (import `key_district_fixture`;
the fixture's name is `key_district`)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from app.core import scoping
from app.extensions import db
from app.reports.figures.period import Period

OCTOBER = Period(2026, 10)
QUERY = "year=2026&month=10"


@pytest.fixture(name="key_district")
def key_district_fixture(make, people):
    """Time progress 83.33 %.

    城关街道: kp1 城南污水处理厂 (基础设施工程, 续建, total 20,000, plan 6,000 万; 500 a month in
    months 1—10 and 800 in November, which does not count: completed 5,000, this month 500,
    83.33 %, lag 0.00, green); kp2 "=SUM(A1)智能装备园" (产业升级工程, 新建, not started,
    total 8,000, plan 4,000; 1,000 in September and 200 in October: 1,200, 30.00 %, lag 53.33,
    red). 北山镇: kp3 北山文旅综合体 (基础设施工程, 续建, started, not in statistics, total
    12,000, plan 3,000; 3,000 in May: 100.00 %, lag −16.67, green). kp4 of 2025 is another
    year. kp1 and kp3 are 亿元以上.

    基础设施工程: 2 projects, 32,000 / 9,000 / this month 500 / 8,000, 88.89 %, lag −5.56.
    产业升级工程: 1 project, 8,000 / 4,000 / 200 / 1,200, 30.00 %. 合计: 3 projects, 40,000 /
    13,000 / 700 / 9,200, 70.77 %, lag 12.56, red. 城关街道 alone: 2 projects, 28,000 /
    10,000 / 700 / 6,200, 62.00 %, lag 21.33.
    """
    a, b = people["unit_a"], people["unit_b"]
    leader = make.leader("李副区长", "副区长", head_kind=None)
    kp1 = make.key_project(a, "城南污水处理厂", total_wan="20000", plan_wan="6000",
                           category="续建", programme="基础设施工程", leader_id=leader.id,
                           started_on=date(2025, 3, 1), in_statistics=True)  # fmt: skip
    kp2 = make.key_project(a, "=SUM(A1)智能装备园", total_wan="8000", plan_wan="4000",
                           category="新建", programme="产业升级工程", level="市重点")  # fmt: skip
    kp3 = make.key_project(b, "北山文旅综合体", total_wan="12000", plan_wan="3000",
                           category="续建", programme="基础设施工程",
                           started_on=date(2025, 6, 1), in_statistics=False)  # fmt: skip
    kp4 = make.key_project(a, "去年的重点项目", year=2025, total_wan="5000", plan_wan="5000")
    for month in range(1, 11):
        make.key_report(kp1, month, "500", progress=f"主体施工第{month}月")
    make.key_report(kp1, 11, "800", progress="主体封顶")
    make.key_report(kp2, 9, "1000", progress="场地平整")
    make.key_report(kp2, 10, "200", progress="+桩基施工")
    make.key_report(kp3, 5, "3000", progress="装修施工")
    make.key_report(kp4, 10, "5000", year=2025)
    return SimpleNamespace(kp1=kp1, kp2=kp2, kp3=kp3, kp4=kp4, a=a, b=b, leader=leader)


def figures_for(app, user, fn, period: Period = OCTOBER):
    """`fn(ledger)` for the key ledger the user sees (as the figures module computes it)."""
    from app.auth.models import User
    from app.reports.figures.keyprojects import key_ledger

    with app.test_request_context():
        actor = db.session.get(User, user.id)
        with scoping.acting_as(db.session, actor):
            try:
                return fn(key_ledger(actor, period))
            finally:
                db.session.rollback()
