"""`make bench`'s table: each page over HTTP through gunicorn (1 worker), beside its SQL floor.

For a bureau user, a unit user and a heavy user (a user of the same unit who owns half of
every follow-up, 150,000 at 100,000 projects; the bureau user owns the rest), each page is
asked BENCH_REPEAT times through a real gunicorn worker on 127.0.0.1:
- HTTP: timed by the client, a new connection per request (gunicorn's sync worker closes
  each one), so it includes connecting;
- 服务器: the app's own time, from the Server-Timing header a bench-only hook adds;
- SQL 下限: the statements the page ran (captured by the same hook with a
  `before_cursor_execute` listener) replayed on a bare DB-API cursor and timed;
- 倍数 = HTTP / SQL; 查询 = statements per page; RSS = the worker's resident memory growth
  over the page's requests.
我的待办 is measured twice: as a user coming back to it while nothing changed (the page kept),
and 改动后首次, each view right after a committed change (the data generation raised before
each request, outside its time), which builds every section afresh.
The table is printed and written as JSON under bench/results/.

Scale: BENCH_PROJECTS (default 20,000; follow-ups ×3, funds entries ×2), BENCH_DISTRICTS (40
units each; default 30 from 1,000,000 projects, else 1), BENCH_REPEAT (default 20).
BENCH_DATABASE_URL adds PostgreSQL (its schema is dropped and rebuilt).
"""

from __future__ import annotations

import json
import os
import pickle
import random
import socket
import subprocess
import sys
import time
import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.core import generation
from app.extensions import db
from app.funds.models import ORIGINS, FundsEntry
from app.projects import names
from app.projects.models import FollowUp, Project
from app.units.models import Unit
from bench.bench_projects import _insert, _investor_pool, _project_rows, references
from bench.common import analyze, bench_app, replay_ms, stats

PROJECTS = int(os.environ.get("BENCH_PROJECTS", 20_000))
DISTRICTS = int(os.environ.get("BENCH_DISTRICTS", 30 if PROJECTS >= 1_000_000 else 1))
UNITS = 40 * DISTRICTS
REPEAT = int(os.environ.get("BENCH_REPEAT", 20))
PASSWORD = "Bench@2026x"
TODAY = date(2026, 11, 22)
RESULTS = Path(__file__).with_name("results")
SQL_FILE_ENV = "BENCH_SQL_FILE"
USERS = (
    ("bench_bureau", "投资促进局"),
    ("bench_unit", "责任单位"),
    ("bench_heavy", "跟进很多的责任单位用户"),
)
RATIO_FLOOR_MS = 1.0  # under it a page's time is rendering, not SQL: its ratio reads —
AFRESH = " 改动后首次"  # a title ending so is viewed after a committed change: built afresh
PAGES = (
    ("我的待办", "/"),
    ("我的待办" + AFRESH, "/"),
    ("项目列表 签约·工业·按计划投资", "/projects/?stage=signed&industry=工业&sort=-planned"),
    ("搜索 两字 华润", "/projects/?q=华润"),
    ("搜索 四字 鑫泰新能", "/projects/?q=鑫泰新能"),
    ("搜索 拼音首字母 hrzd", "/projects/?q=hrzd"),
    ("看板", "/projects/board"),
    ("驾驶舱 本月", f"/dashboard?year={TODAY.year}&month={TODAY.month}"),
    ("驾驶舱 已结月份 2026-06", "/dashboard?year=2026&month=6"),
    ("到位资金台账", "/funds/"),
    ("到位资金台账" + AFRESH, "/funds/"),
)


# ---- the server side: what gunicorn loads ---------------------------------------------------


def server_app():
    """The application gunicorn serves (`bench.http_table:server_app()`), with the bench hook."""
    from flask import g, request

    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_SERVER_URI"],
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "TESTING": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    captured: list = []
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda _c, _cur, statement, parameters, _ctx, _many: captured.append(
                (statement, parameters)
            ),
        )

    @app.before_request
    def _start():
        captured.clear()
        g.bench_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        elapsed = (time.perf_counter() - g.bench_started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.2f}"
        response.headers["X-Bench-Queries"] = str(len(captured))
        response.headers["X-Bench-Pid"] = str(os.getpid())
        if request.headers.get("X-Bench-Capture"):
            Path(os.environ[SQL_FILE_ENV]).write_bytes(pickle.dumps(list(captured)))
        return response

    return app


# ---- filling ---------------------------------------------------------------------------------


def fill(app) -> dict:
    """Units, users, leaders and events through the ORM; the bulk by Core inserts."""
    rng = random.Random(7)
    started = time.perf_counter()
    with app.app_context():
        units = [Unit(name=f"测试镇{i:03d}", kind="乡镇街道") for i in range(UNITS)]
        db.session.add_all(units)
        db.session.flush()
        users = _users(units[0].id)
        leaders, events = references()
        db.session.add_all(users + leaders + events)
        db.session.commit()
        ids = {u.username: u.id for u in users}
        add_projects(
            rng, PROJECTS, [u.id for u in units], [x.id for x in leaders],
            [e.id for e in events], ids["bench_bureau"],
            (ids["bench_bureau"],), heavy=(ids["bench_heavy"], units[0].id),
        )  # fmt: skip
    seconds = time.perf_counter() - started
    print(f"  填充 {PROJECTS:,} 个项目（{UNITS} 个单位）、{3 * PROJECTS:,} 条跟进、"
          f"{2 * PROJECTS:,} 条到位资金：{seconds:.0f} 秒")  # fmt: skip
    return {"projects": PROJECTS, "units": UNITS, "fill_seconds": round(seconds, 1)}


def _users(unit_id: int) -> list[User]:
    password_hash = hash_password(PASSWORD)
    return [
        User(username=username, name=username, role=role, unit_id=unit, password_hash=password_hash,
             must_change_password=False, session_token=new_session_token())
        for username, role, unit in (
            ("bench_bureau", "bureau", None), ("bench_unit", "unit", unit_id),
            ("bench_heavy", "unit", unit_id),
        )
    ]  # fmt: skip


def add_projects(rng: random.Random, count: int, unit_ids: list[int], leader_ids: list[int],
                 event_ids: list[int], creator_id: int, writer_ids: tuple[int, ...],
                 heavy: tuple[int, int] | None = None) -> None:  # fmt: skip
    """`count` projects over the units, 3 follow-ups each (by the writers; with `heavy`, half
    of them by that user on that unit's projects) and 2 funds entries each, by bulk
    inserts beside whatever the database holds; then the roll-ups and planner statistics."""
    first = (db.session.scalar(select(func.max(Project.id))) or 0) + 1
    pool = _investor_pool(rng, max(20_000, count // 5))
    original = names.initials
    names.initials = lru_cache(maxsize=None)(original)  # the same text, computed once
    try:
        rows = _project_rows(rng, count, unit_ids, leader_ids, event_ids, pool, creator_id)
        _insert(Project, rows)
    finally:
        names.initials = original
    added = list(db.session.scalars(select(Project.id).where(Project.id >= first)))
    _fill_follow_ups(rng, count, added, writer_ids, heavy)
    _fill_funds(rng, count)
    analyze()


def _fill_follow_ups(
    rng: random.Random, count: int, project_ids: list[int], writer_ids: tuple[int, ...],
    heavy: tuple[int, int] | None,
) -> None:  # fmt: skip
    """3 per project; with `heavy`, half of them that user's, on their unit's projects."""
    own = []
    if heavy:
        mine = select(Project.id).where(Project.unit_id == heavy[1], Project.id >= project_ids[0])
        own = list(db.session.scalars(mine))

    def rows():
        for n in range(3 * count):
            by_heavy = n % 2 == 0 and own
            yield {
                "project_id": rng.choice(own) if by_heavy else rng.choice(project_ids),
                "user_id": heavy[0] if by_heavy else rng.choice(writer_ids),
                "happened_on": TODAY - timedelta(days=rng.randint(0, 900)),
                "kind": rng.choice(["电话", "拜访", "来访", "洽谈"]),
                "summary": "电话沟通投资意向，对方计划下月来访考察",
                "next_step": "安排分管副区长会见",
                "next_due_on": TODAY + timedelta(days=rng.randint(-60, 60)),
            }

    _insert(FollowUp, rows())
    if "is_latest" in FollowUp.__table__.c:  # the latest follow-up of each project, as written
        db.session.execute(
            text(
                "UPDATE follow_ups SET is_latest = (id IN "
                "(SELECT max(id) FROM follow_ups GROUP BY project_id))"
            )
        )
        db.session.commit()


def _fill_funds(rng: random.Random, count: int) -> None:
    signed = list(
        db.session.execute(select(Project.id).where(Project.signed_on.is_not(None))).scalars()
    )
    start = db.session.scalar(select(func.count()).select_from(FundsEntry)) or 0

    def rows():
        for n in range(start, start + 2 * count):
            ref = f"YH{n:08d}"
            yield {
                "project_id": rng.choice(signed),
                "received_on": date(2024, 1, 1) + timedelta(days=rng.randint(0, 1050)),
                "amount": rng.randint(1, 5_000) * 10_000,
                "origin": rng.choice(ORIGINS),
                "use": "固定资产投资",
                "evidence_ref": ref,
                "evidence_key": ref,
                "status": "verified" if rng.random() < 0.9 else "pending",
                "version": 1,
            }

    _insert(FundsEntry, rows())
    _rebuild_rollups()


def _rebuild_rollups() -> None:
    """Roll-ups follow ORM flushes; rows written by Core inserts are rebuilt when possible."""
    try:
        from app.rollups.maintain import rebuild  # perf2's module, when merged
    except ImportError:
        return
    rebuild(db.session)
    db.session.commit()


# ---- the server and the client ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(uri: str, sql_file: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn with one sync worker and no control socket (docs/pitfalls.md: they share one)."""
    port = _free_port()
    env = {**os.environ, "BENCH_SERVER_URI": uri, SQL_FILE_ENV: str(sql_file)}
    command = [
        sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", "1", "--timeout", "600",
        "--max-requests", "0",
        "-b", f"127.0.0.1:{port}", "bench.http_table:server_app()",
    ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603 - a fixed command line, no outside input
        command, env=env, cwd=Path(__file__).parent.parent,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn 未能启动")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _changed(app) -> None:
    """As if a record had just been committed elsewhere: the data generation raised, so that
    nothing kept from before is reused (app.core.generation)."""
    with app.app_context(), db.engine.begin() as connection:
        generation.raise_on(connection)


def measure_page(app, client, base: str, url: str, sql_file: Path, changed: bool = False) -> dict:
    """One page REPEAT times as the logged-in client; its SQL captured once and replayed.
    With `changed`, each view follows a committed change (the time to raise it not counted)."""
    before = (lambda: _changed(app)) if changed else (lambda: None)
    client.get(base + url, allow_redirects=False)  # the worker's first view: what it keeps
    before()
    # Captured as measured: a kept page's floor is what the kept view runs, not the first view.
    first = client.get(base + url, headers={"X-Bench-Capture": "1"}, allow_redirects=False)
    pid = int(first.headers.get("X-Bench-Pid", 0))
    result = {"status": first.status_code, "queries": int(first.headers.get("X-Bench-Queries", 0))}
    if first.status_code != 200:
        return result
    statements = pickle.loads(sql_file.read_bytes())  # noqa: S301 - our own worker's file
    rss_before = _rss_mb(pid)
    http, server = [], []
    for _ in range(REPEAT):
        before()
        start = time.perf_counter()
        response = client.get(base + url, allow_redirects=False)
        http.append((time.perf_counter() - start) * 1000)
        server.append(float(response.headers["Server-Timing"].split("dur=")[1]))
    sql_median, sql_p95, _n = replay_ms(app, statements, REPEAT)
    (http_median, http_p95), (server_median, server_p95) = stats(http), stats(server)
    result.update(
        http_median=http_median, http_p95=http_p95, server_median=server_median,
        server_p95=server_p95, sql_median=sql_median, sql_p95=sql_p95,
        ratio=http_median / sql_median if sql_median >= RATIO_FLOOR_MS else None,
        rss_growth_mb=_rss_mb(pid) - rss_before, rss_mb=_rss_mb(pid),
    )  # fmt: skip
    return result


def measure(app, uri: str, folder: Path) -> list[dict]:
    """Every page as every user through one gunicorn worker."""
    import requests

    sql_file = folder / "last_sql.pickle"
    server, base = start_server(uri, sql_file)
    rows = []
    try:
        for username, label in USERS:
            client = requests.Session()
            login = client.post(
                base + "/login", data={"username": username, "password": PASSWORD},
                allow_redirects=False,
            )  # fmt: skip
            if login.status_code != 302:
                print(f"  {label} 登录失败：HTTP {login.status_code}")
                continue
            for title, url in PAGES:
                result = measure_page(app, client, base, url, sql_file, title.endswith(AFRESH))
                rows.append({"user": label, "page": title, "url": url, **result})
                print_row(rows[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


# ---- the table -------------------------------------------------------------------------------


def _pad(text: str, width: int, right: bool = False) -> str:
    """The text padded to a display width (a Chinese character takes two columns)."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    fill = " " * max(width - shown, 0)
    return fill + text if right else text + fill


HEADER = "  " + _pad("用户", 24) + _pad("页面", 32) + "".join(
    _pad(h, w, right=True)
    for h, w in (("HTTP中位", 10), ("HTTP p95", 10), ("服务器中位", 11), ("SQL下限", 9),
                 ("倍数", 7), ("查询", 6), ("RSS增长MB", 11))
)  # fmt: skip


def _cell(value, width: int, digits: int = 1) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def print_row(row: dict) -> None:
    """One line of the table (times in ms)."""
    head = "  " + _pad(row["user"], 24) + _pad(row["page"], 32)
    if row["status"] != 200:
        print(f"{head}HTTP {row['status']}，跳过")
        return
    print(
        head + _cell(row["http_median"], 10) + _cell(row["http_p95"], 10)
        + _cell(row["server_median"], 11) + _cell(row["sql_median"], 9)
        + _cell(row["ratio"], 7) + f"{row['queries']:>6}" + _cell(row["rss_growth_mb"], 11)
    )  # fmt: skip


def targets() -> list[tuple[str, str]]:
    """SQLite always; PostgreSQL when BENCH_DATABASE_URL names one (its schema is rebuilt)."""
    found = [("SQLite", "sqlite")]
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        found.append(("PostgreSQL", url))
    if os.environ.get("BENCH_ONLY"):
        found = [t for t in found if t[0].lower() == os.environ["BENCH_ONLY"].lower()]
    return found


def run() -> None:
    """Fill, serve, measure and print the table for each database; write it as JSON."""
    print(
        f"页面耗时表：{PROJECTS:,} 个项目，每页 {REPEAT} 次；HTTP 为客户端计时（每次新连接），"
        "服务器为 Server-Timing 头，SQL 下限为同一批语句在裸 DB-API 游标上重放（毫秒）"
    )
    RESULTS.mkdir(exist_ok=True)
    for label, kind in targets():
        print(f"[{label}]")
        with bench_app(kind) as app:
            uri = app.config["SQLALCHEMY_DATABASE_URI"]
            scale = fill(app)
            print(HEADER)
            rows = measure(app, uri, Path(uri.removeprefix("sqlite:///")).parent
                           if kind == "sqlite" else RESULTS)  # fmt: skip
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = RESULTS / f"table-{label.lower()}-{PROJECTS}-{stamp}.json"
        target.write_text(
            json.dumps({"database": label, **scale, "repeat": REPEAT, "pages": rows},
                       ensure_ascii=False, indent=1)
        )  # fmt: skip
        print(f"  已写入 {target}")
