"""我的待办, the navigation badge and the board at scale (issue 15): server time through the test
client for the bureau and for a heavy user owning most follow-ups, beside the former queries
(the "not superseded" anti-join, every duplicate loaded as an ORM object), and the worker's
memory growth. `python -m bench todo_board`; BENCH_PROJECTS (default 20,000) sets the size."""

from __future__ import annotations

import os
import random
import resource
import time
from datetime import timedelta

from flask import g
from sqlalchemy import and_, func, insert, or_, select

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.core import history, scoping
from app.core.pagination import count
from app.core.scoping import scoped_select
from app.extensions import db
from app.projects.contacts import refresh_latest
from app.projects.duplicates import rebuild_groups
from app.projects.models import FollowUp, Project
from app.projects.queries import due_follow_ups
from app.todo import registry
from app.units.models import Unit
from bench import bench_projects as projects_bench
from bench.common import analyze, bench_app, databases, time_ms

PROJECTS = int(os.environ.get("BENCH_PROJECTS", 20_000))
HEAVY = int(os.environ.get("BENCH_HEAVY_FOLLOW_UPS", 60_000))
OTHERS = 2 * PROJECTS
UNITS = 40
PASSWORD = "Bench@2026x"
REPEAT = int(os.environ.get("BENCH_REPEAT", 15))
TODAY = projects_bench.TODAY


def _users(unit_id: int) -> dict[str, int]:
    password_hash = hash_password(PASSWORD)
    users = [
        User(username=name, name=name, role=role, unit_id=unit, password_hash=password_hash,
             must_change_password=False, session_token=new_session_token())
        for name, role, unit in (
            ("bench_bureau", "bureau", None), ("bench_heavy", "bureau", None),
            ("bench_unit", "unit", unit_id),
        )
    ]  # fmt: skip
    db.session.add_all(users)
    db.session.flush()
    return {u.username: u.id for u in users}


def _follow_ups(rng: random.Random, users: dict[str, int]):
    owners = [users["bench_heavy"]] * HEAVY + [users["bench_bureau"], users["bench_unit"]] * (
        OTHERS // 2
    )
    for owner in owners:
        yield {
            "project_id": rng.randint(1, PROJECTS),
            "user_id": owner,
            "happened_on": TODAY - timedelta(days=rng.randint(0, 900)),
            "kind": "电话",
            "summary": "电话沟通投资意向",
            "next_step": "安排会见",
            "next_due_on": TODAY + timedelta(days=rng.randint(-60, 60)),
        }


def fill(app) -> None:
    """Projects and follow-ups by Core executemany, then the flag by refresh_latest."""
    rng = random.Random(15)
    started = time.perf_counter()
    with app.app_context():
        history.set_actor(db.session, None)
        units = [Unit(name=f"测试镇{i:02d}", kind="乡镇街道") for i in range(UNITS)]
        db.session.add_all(units)
        db.session.flush()
        users = _users(units[0].id)
        db.session.commit()
        pool = projects_bench._investor_pool(rng, PROJECTS // 5)
        rows = projects_bench._project_rows(
            rng, PROJECTS, [u.id for u in units], [None], [None], pool, users["bench_bureau"]
        )
        projects_bench._insert(Project, rows)
        follow_ups = list(_follow_ups(rng, users))
        for start in range(0, len(follow_ups), projects_bench.BATCH):
            db.session.execute(
                insert(FollowUp.__table__), follow_ups[start : start + projects_bench.BATCH]
            )
        refresh_latest(range(1, PROJECTS + 1))
        rebuild_groups(db.session)  # the Core inserts bypassed the flush that keeps them
        db.session.commit()
        analyze()
    took = time.perf_counter() - started
    total = HEAVY + OTHERS
    print(f"  填充 {PROJECTS:,} 个项目、{total:,} 条跟进（重度用户 {HEAVY:,} 条）：{took:.0f} 秒")


def former_due(actor):
    """The former due-follow-ups statement: an anti-join against every later follow-up."""
    later = FollowUp.__table__.alias("later")
    superseded = (
        select(later.c.id)
        .where(
            later.c.project_id == FollowUp.project_id,
            later.c.deleted_at.is_(None),
            (later.c.happened_on > FollowUp.happened_on)
            | and_(later.c.happened_on == FollowUp.happened_on, later.c.id > FollowUp.id),
        )
        .exists()
    )
    return (
        scoped_select(FollowUp, actor)
        .join(Project, Project.id == FollowUp.project_id)
        .where(FollowUp.user_id == actor.id, FollowUp.next_due_on.is_not(None),
               FollowUp.next_due_on <= TODAY, ~superseded, Project.deleted_at.is_(None),
               Project.dropped_on.is_(None))
    )  # fmt: skip


def former_duplicates() -> int:
    """The former duplicate check: every project sharing a key or a USCC, as ORM objects."""
    keys = (
        select(Project.investor_key)
        .where(Project.deleted_at.is_(None))
        .group_by(Project.investor_key)
        .having(func.count() > 1)
    )
    codes = (
        select(Project.uscc)
        .where(Project.deleted_at.is_(None), Project.uscc.is_not(None))
        .group_by(Project.uscc)
        .having(func.count() > 1)
    )
    stmt = select(Project).where(
        Project.deleted_at.is_(None), or_(Project.investor_key.in_(keys), Project.uscc.in_(codes))
    )
    return len(db.session.execute(stmt).scalars().all())


def _rss_mib() -> float:
    """The process's peak resident memory, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_request(app, username: str, fn):
    """Call fn(user) inside a request, the badge cache empty each time."""
    with app.test_request_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        scoping.set_actor(db.session, user)  # else the counts run for nobody and find nothing

        def once():
            g.pop("todo_badge", None)
            return fn(user)

        return time_ms(once, REPEAT)


def _row(label: str, timing) -> None:
    median, p95, n = timing
    print(f"    {label:<34} 中位 {median:8.1f} ms   p95 {p95:8.1f} ms   n={n}")


def measure(app) -> None:
    """Each page and count, and the memory a worker grows by serving them."""
    clients = {}
    for username in ("bench_bureau", "bench_heavy", "bench_unit"):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        clients[username] = client
    before = _rss_mib()
    for username, label in (("bench_bureau", "投资促进局"), ("bench_heavy", "重度用户"),
                            ("bench_unit", "责任单位")):  # fmt: skip
        _row(f"我的待办 / （{label}）", time_ms(lambda c=clients[username]: c.get("/"), REPEAT))
    for username, label in (("bench_bureau", "投资促进局"), ("bench_heavy", "重度用户"),
                            ("bench_unit", "责任单位")):  # fmt: skip
        _row(f"导航待办计数（{label}）", _in_request(app, username, registry.badge_count))
        _row(
            f"  到期跟进计数 is_latest（{label}）",
            _in_request(app, username, lambda user: count(due_follow_ups(user, TODAY))),
        )
        _row(
            f"  原反连接计数（{label}）",
            _in_request(app, username, lambda user: count(former_due(user))),
        )
    for username, label in (("bench_bureau", "投资促进局"), ("bench_unit", "责任单位")):
        board = lambda c=clients[username]: c.get("/projects/board")  # noqa: E731
        _row(f"看板 /projects/board（{label}）", time_ms(board, REPEAT))
    _row("重复项目 /duplicates/", time_ms(lambda: clients["bench_bureau"].get("/duplicates/"), 5))
    grown = _rss_mib() - before
    print(f"    进程峰值内存增长（以上全部请求）      {grown:8.1f} MiB")
    with app.app_context():
        start = _rss_mib()
        started = time.perf_counter()
        loaded = former_duplicates()
        took = (time.perf_counter() - started) * 1000
        print(
            f"    原重复检查（载入 {loaded:,} 个 ORM 对象） {took:8.1f} ms，"
            f"内存增长 {_rss_mib() - start:.1f} MiB"
        )


def run() -> None:
    print(f"我的待办、导航计数、看板：{PROJECTS:,} 个项目，每项 {REPEAT} 次")
    for label, kind in databases():
        print(f"[{label}]")
        with bench_app(kind) as app:
            fill(app)
            measure(app)
