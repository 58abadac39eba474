"""The dashboard at scale: 100,000 projects, 200,000 funds entries, 30 units. The page through
the test client (server time) as the bureau and as a unit user, beside the raw SQL of the same
figures replayed on a bare DB-API cursor; then the monthly bulletin (.docx + .xlsx) once."""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import select

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.care.models import PROBLEM_CATEGORIES, Commitment, Problem
from app.extensions import db
from app.funds.models import ORIGINS, FundsEntry
from app.leaders.models import Leader
from app.projects import names
from app.projects.models import Project
from app.reports import bulletin
from app.reports.dashboard import Period, build
from app.targets.models import Target
from app.trips.models import Trip, TripLeader
from app.units.models import Unit
from bench.bench_projects import _insert, _investor_pool, _project_rows
from bench.common import analyze, bench_app, captured_sql, databases, replay_ms, time_ms

PROJECTS = int(os.environ.get("BENCH_PROJECTS", 100_000))
FUNDS = 2 * PROJECTS
UNITS = 30
PASSWORD = "Bench@2026x"
REPEAT = int(os.environ.get("BENCH_REPEAT", 20))
TODAY = date(2026, 11, 22)
PERIOD = Period(2026, 10)
URL = f"/dashboard?year={PERIOD.year}&month={PERIOD.month}"
W = 10_000


def _reference_rows(rng: random.Random) -> tuple[list[int], list[int], int]:
    """Units, the two users, leaders (a party and a government head per unit), targets."""
    units = [Unit(name=f"测试镇{i:02d}", kind="乡镇街道") for i in range(UNITS)]
    db.session.add_all(units)
    db.session.flush()
    password_hash = hash_password(PASSWORD)
    users = [
        User(username=username, name=username, role=role, unit_id=unit_id,
             password_hash=password_hash, must_change_password=False,
             session_token=new_session_token())
        for username, role, unit_id in (
            ("bench_bureau", "bureau", None), ("bench_unit", "unit", units[0].id),
        )
    ]  # fmt: skip
    leaders = [
        Leader(name="区委书记", post="区委书记", head_kind="party", is_baobao=True),
        Leader(name="区长", post="区长", head_kind="government", is_baobao=True),
    ]
    for unit in units:
        leaders += [
            Leader(name=f"{unit.name}书记", post="党委书记", unit_id=unit.id, head_kind="party"),
            Leader(name=f"{unit.name}镇长", post="镇长", unit_id=unit.id, head_kind="government"),
        ]
    targets = [
        Target(unit_id=u.id, year=PERIOD.year, signed_count=rng.randint(20, 80),
               signed_investment=rng.randint(50, 300) * 10_000 * W,
               funds_total=rng.randint(20, 200) * 10_000 * W, big_count=rng.randint(2, 10),
               started_count=rng.randint(10, 40))
        for u in units
    ]  # fmt: skip
    db.session.add_all(users + leaders + targets)
    db.session.commit()
    return [u.id for u in units], [x.id for x in leaders], users[0].id


def _funds_rows(rng: random.Random, signed: list[int]):
    for n in range(FUNDS):
        ref = f"YH{n:08d}"
        yield {
            "project_id": rng.choice(signed),
            "received_on": date(2024, 1, 1) + timedelta(days=rng.randint(0, 1050)),
            "amount": rng.randint(1, 5_000) * W,
            "origin": rng.choice(ORIGINS),
            "use": "固定资产投资",
            "evidence_ref": ref,
            "evidence_key": ref,
            "status": "verified" if rng.random() < 0.9 else "pending",
            "version": 1,
        }


def _care_rows(rng: random.Random, signed: list[int], unit_ids: list[int]):
    problems = []
    for _ in range(3_000):
        raised = TODAY - timedelta(days=rng.randint(10, 400))
        status = rng.choice(["open", "in_progress", "resolved"])
        problems.append({
            "project_id": rng.choice(signed), "category": rng.choice(PROBLEM_CATEGORIES),
            "description": "用地指标待协调", "raised_on": raised,
            "handling_unit_id": rng.choice(unit_ids),
            "deadline": raised + timedelta(days=rng.randint(5, 120)), "status": status,
            "resolved_on": raised + timedelta(days=5) if status == "resolved" else None,
            "level": 0, "version": 1,
        })  # fmt: skip
    commitments = [
        {"project_id": rng.choice(signed), "promise": "配套道路建成",
         "delivering_unit_id": rng.choice(unit_ids),
         "due_on": TODAY + timedelta(days=rng.randint(-300, 120)), "version": 1}
        for _ in range(2_000)
    ]  # fmt: skip
    return problems, commitments


def _trips(rng: random.Random, leader_ids: list[int]) -> None:
    trips, links = [], []
    for n in range(1, 601):
        start = date(2026, 1, 1) + timedelta(days=rng.randint(0, 320))
        trips.append({"id": n, "status": "done", "started_on": start,
                      "ended_on": start + timedelta(days=rng.randint(0, 4)),
                      "province": "广东省", "city": "深圳市", "version": 1})  # fmt: skip
        links.append({"trip_id": n, "leader_id": rng.choice(leader_ids)})
    _insert(Trip, trips)
    _insert(TripLeader, links)


def fill(app) -> None:
    """Reference rows through the ORM; projects, funds, problems and trips by Core inserts."""
    rng = random.Random(11)
    original_initials = names.initials
    names.initials = lru_cache(maxsize=None)(original_initials)
    started = time.perf_counter()
    try:
        with app.app_context():
            unit_ids, leader_ids, creator = _reference_rows(rng)
            pool = _investor_pool(rng, 20_000)
            _insert(Project, _project_rows(rng, PROJECTS, unit_ids, leader_ids[:12], [None],
                                           pool, creator))  # fmt: skip
            signed = list(
                db.session.execute(select(Project.id).where(Project.signed_on.is_not(None)))
                .scalars()
            )  # fmt: skip
            _insert(FundsEntry, _funds_rows(rng, signed))
            problems, commitments = _care_rows(rng, signed, unit_ids)
            _insert(Problem, problems)
            _insert(Commitment, commitments)
            _trips(rng, leader_ids)
            analyze()
    finally:
        names.initials = original_initials
    print(f"  填充 {PROJECTS:,} 个项目、{FUNDS:,} 条到位资金、{UNITS} 个单位："
          f"{time.perf_counter() - started:.0f} 秒")  # fmt: skip


def _actor(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _build(app, username: str) -> None:
    """The dashboard's figures alone, without the page around them (navigation, template)."""
    with app.test_request_context():
        build(_actor(username), PERIOD, TODAY)


def _page(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    if "reports.dashboard" in app.view_functions:
        status = client.get(URL).status_code
        assert status == 200, status
        return "页面 " + URL, lambda: client.get(URL)

    return "build()（驾驶舱页面尚未注册）", lambda: _build(app, username)


def measure(app) -> None:
    """The page as each user, the raw SQL of its figures, and the ratio."""
    for username, label in (("bench_bureau", "投资促进局"), ("bench_unit", "责任单位（1/30）")):
        title, fn = _page(app, username)
        median, p95, _runs = time_ms(fn, REPEAT)
        statements = captured_sql(app, username, lambda user: build(user, PERIOD, TODAY))
        raw_median, raw_p95, _runs = replay_ms(app, statements, REPEAT)
        ratio = median / raw_median
        figures_median, figures_p95, _runs = time_ms(lambda u=username: _build(app, u), REPEAT)
        print(f"  {label:<14} {title}")
        print(f"    中位 {median:7.1f} ms  p95 {p95:7.1f} ms   | 原始 SQL（{len(statements)} 条）"
              f"中位 {raw_median:6.1f} ms  p95 {raw_p95:6.1f} ms")  # fmt: skip
        print(f"    比值（页面 / 原始 SQL）{ratio:4.2f}   | 其中 build() 直接调用 中位 "
              f"{figures_median:7.1f} ms  p95 {figures_p95:7.1f} ms，比值 "
              f"{figures_median / raw_median:4.2f}")  # fmt: skip
    with app.test_request_context():
        actor = _actor("bench_bureau")
        start = time.perf_counter()
        made = bulletin.make_bulletin(actor, PERIOD, TODAY)
        docx = bulletin.docx_bytes(made)
        xlsx, rows = bulletin.xlsx_bytes(made)
        seconds = time.perf_counter() - start
    print(f"  月度通报（Word {len(docx) // 1024} KB + Excel {len(xlsx) // 1024} KB，{rows:,} 行）"
          f"生成一次：{seconds * 1000:.0f} ms")  # fmt: skip


def run() -> None:
    print(f"驾驶舱：{PROJECTS:,} 个项目，{FUNDS:,} 条到位资金，{UNITS} 个单位，每项 {REPEAT} 次")
    for label, kind in databases():
        print(f"[{label}]")
        with bench_app(kind) as app:
            fill(app)
            measure(app)
