"""Projects at scale: 100,000 projects and 300,000 follow-ups; the filtered list, the search and
the board through the test client (server time), beside the raw SQL of the same queries."""

from __future__ import annotations

import dataclasses
import itertools
import os
import random
import time
from datetime import date, timedelta
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import insert

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.core.pagination import paginate
from app.core.uscc import ALPHABET, check_character
from app.events.models import PromotionEvent
from app.extensions import db
from app.leaders.models import Leader
from app.projects import demo_words as words
from app.projects import names
from app.projects.models import SOURCES, FollowUp, Project
from app.projects.queries import ProjectFilters, board_cards, board_columns, project_statement
from app.units.models import Unit
from bench.common import analyze, bench_app, captured_sql, databases, replay_ms, time_ms

PROJECTS = int(os.environ.get("BENCH_PROJECTS", 100_000))
FOLLOW_UPS = 3 * PROJECTS
UNITS = 40
PASSWORD = "Bench@2026x"
BATCH = 5_000
REPEAT = int(os.environ.get("BENCH_REPEAT", 30))
TODAY = date(2026, 11, 22)
STEPS = ("negotiating_on", "signed_on", "registered_on", "started_on", "operating_on")

# (label, URL): the list pages are 50 rows with their exact total; the board loads 7 columns.
PAGES = [
    (
        "列表 阶段=签约 产业=工业 按计划投资排序",
        "/projects/?stage=signed&industry=工业&sort=-planned",
    ),
    ("列表 全部（默认排序）", "/projects/"),
    ("搜索 两个汉字 q=华润", "/projects/?q=华润"),
    ("搜索 拼音首字母 q=hrzd", "/projects/?q=hrzd"),
    ("搜索 四个汉字 q=鑫泰新能", "/projects/?q=鑫泰新能"),
    ("看板 /projects/board", "/projects/board"),
]


def _investor_pool(rng: random.Random, size: int) -> list[tuple[str, str]]:
    """(chain, investor) pairs; one in two hundred is a 华润 company, so searches find some."""
    pool = []
    chains = list(words.CHAINS)
    cities = [c for _p, c, _w in words.ORIGINS]
    for i in range(size):
        chain = rng.choice(chains)
        trade = rng.choice(words.CHAINS[chain][2])
        brand = "华润" if i % 200 == 0 else rng.choice(words.BRANDS)
        if i % 400 == 0:
            pool.append((chain, f"华润置地（{rng.choice(cities)[:2]}）有限公司"))
        elif rng.random() < 0.3:
            pool.append((chain, f"{brand}{trade}（{rng.choice(cities)[:2]}）有限公司"))
        else:
            pool.append((chain, f"{rng.choice(cities)}{brand}{trade}有限公司"))
    return pool


def _milestones(rng: random.Random, lead_on: date) -> dict:
    dates, on = {}, lead_on
    for field in STEPS[: rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5])]:
        on = on + timedelta(days=rng.randint(10, 120))
        if on > TODAY:
            break
        dates[field] = on
    return dates


def references() -> tuple[list[Leader], list[PromotionEvent]]:
    """The 12 包保 leaders and 30 promotion events the filled projects point at."""
    leaders = [Leader(name=f"领导{i}", post="副区长", is_baobao=True) for i in range(12)]
    events = [
        PromotionEvent(name=f"{2024 + i % 3} 招商推介会 {i}", kind="推介会", city="深圳市",
                       held_on=date(2024 + i % 3, 1 + i % 12, 10))
        for i in range(30)
    ]  # fmt: skip
    return leaders, events


def _project_rows(rng, count, unit_ids, leader_ids, event_ids, pool, creator_id):
    for _ in range(count):
        chain, investor = rng.choice(pool)
        industry, templates, _ = words.CHAINS[chain]
        name = rng.choice(words.BRANDS) + rng.choice(templates).format(n=rng.choice([5, 10, 20]))
        lead_on = date(2024, 1, 1) + timedelta(days=rng.randint(0, 1050))
        dates = _milestones(rng, lead_on)
        planned = rng.randrange(300, 100_000, 50) * 10_000
        code = None
        if "registered_on" in dates:
            body = "91411102MA" + "".join(rng.choices(ALPHABET, k=7))
            code = body + check_character(body)
        province, city, _w = rng.choice(words.ORIGINS)
        yield {
            "name": name,
            "investor_name": investor,
            "investor_key": names.normalise_investor(investor),
            "uscc": code,
            "origin_province": province,
            "origin_city": city,
            "foreign_funded": rng.random() < 0.05,
            "industry": industry,
            "chain_tag": chain,
            "planned_investment": planned,
            "contract_investment": planned * 9 // 10 if "signed_on" in dates else None,
            "unit_id": rng.choice(unit_ids),
            "leader_id": rng.choice(leader_ids) if rng.random() < 0.5 else None,
            "source": rng.choice(SOURCES),
            "event_id": rng.choice(event_ids) if rng.random() < 0.3 else None,
            "lead_on": lead_on,
            **{f: dates.get(f) for f in STEPS},
            "dropped_on": TODAY - timedelta(days=5) if rng.random() < 0.05 else None,
            "search_text": names.search_text(name, investor, code),
            "created_by_id": creator_id,
            "version": 1,
        }


def fill(app) -> None:
    """Reference rows through the ORM; projects and follow-ups by Core executemany."""
    rng = random.Random(7)
    original_initials = names.initials
    names.initials = lru_cache(maxsize=None)(original_initials)  # same text, computed once
    started = time.perf_counter()
    try:
        with app.app_context():
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
            leaders, events = references()
            db.session.add_all(users + leaders + events)
            db.session.commit()
            unit_ids, creator = [u.id for u in units], users[0].id
            leader_ids, event_ids = [x.id for x in leaders], [e.id for e in events]
            pool = _investor_pool(rng, 20_000)
            rows = _project_rows(rng, PROJECTS, unit_ids, leader_ids, event_ids, pool, creator)
            _insert(Project, rows)
            follow_ups = (
                {
                    "project_id": rng.randint(1, PROJECTS),
                    "user_id": users[rng.randint(0, 1)].id,
                    "happened_on": TODAY - timedelta(days=rng.randint(0, 900)),
                    "kind": rng.choice(["电话", "拜访", "来访", "洽谈"]),
                    "summary": "电话沟通投资意向，对方计划下月来访考察",
                    "next_step": "安排分管副区长会见",
                    "next_due_on": TODAY + timedelta(days=rng.randint(-60, 60)),
                }
                for _ in range(FOLLOW_UPS)
            )
            _insert(FollowUp, follow_ups)
            analyze()
    finally:
        names.initials = original_initials
    print(
        f"  填充 {PROJECTS:,} 个项目、{FOLLOW_UPS:,} 条跟进：{time.perf_counter() - started:.0f} 秒"
    )


def _insert(model, rows) -> None:
    """Write the rows in batches: PostgreSQL's COPY (a city's million projects in minutes),
    else executemany inserts."""
    if db.session.get_bind().dialect.name == "postgresql":
        _copy(model, rows)
        db.session.commit()
        return
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(model.__table__), batch)
            batch = []
    if batch:
        db.session.execute(insert(model.__table__), batch)
    db.session.commit()


def _defaults(table, given: set[str]) -> dict:
    """The Python-side defaults an INSERT would have filled in for the columns not given."""
    values = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or column.primary_key:
            continue
        values[column.name] = default.arg(None) if default.is_callable else default.arg
    return values


def _copy(model, rows) -> None:
    table = model.__table__
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    extra = _defaults(table, set(first))
    names = [*first, *extra]
    cursor = db.session.connection().connection.driver_connection.cursor()
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    with cursor.copy(statement) as copy:
        for row in itertools.chain([first], rows):
            copy.write_row([*(row[name] for name in first), *extra.values()])


def _direct(actor, url: str) -> None:
    """What the page runs against the database, called directly (count + 50-row page)."""
    parts = urlsplit(url)
    filters = ProjectFilters.from_args({k: v[0] for k, v in parse_qs(parts.query).items()})
    if parts.path.endswith("/board"):
        for column in board_columns(actor, filters):
            board_cards(actor, filters, column["stage"].order)
    else:
        paginate(project_statement(actor, filters), 1, 50)


def _line(label: str, timing: tuple[float, float, int]) -> None:
    median, p95, n = timing
    print(f"      {label:<14} 中位 {median:8.1f} ms  p95 {p95:8.1f} ms  n={n}")


def _without_badges(app):
    """The navigation without its count badges (the 我的待办 count runs on every page)."""
    return [dataclasses.replace(item, badge=None) for item in app.extensions["crm_nav"]]


def measure(app) -> None:
    """Each page as each user: server time through the test client (with the navigation as
    shipped, and without its 我的待办 count), and the raw SQL time of the page's own queries."""
    shipped, bare = app.extensions["crm_nav"], _without_badges(app)
    users = (("bench_bureau", "投资促进局"), ("bench_unit", "责任单位（1/40 的项目）"))
    for username, label in users:
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        print(f"  登录身份：{label}")
        for title, url in PAGES:
            status = client.get(url).status_code
            if status != 200:
                print(f"    {title:<30} HTTP {status}，跳过")
                continue
            statements = captured_sql(app, username, lambda user, u=url: _direct(user, u))
            raw = replay_ms(app, statements, REPEAT)
            print(f"    {title}")
            for nav, mode in ((shipped, "页面（含导航待办计数）"), (bare, "页面（不含待办计数）")):
                app.extensions["crm_nav"] = nav
                timing = time_ms(lambda c=client, u=url: c.get(u), REPEAT)
                _line(mode, timing)
            app.extensions["crm_nav"] = shipped
            _line("原始 SQL（计数+50 行）", raw)


def run() -> None:
    print(f"项目列表、搜索、看板：{PROJECTS:,} 个项目，{FOLLOW_UPS:,} 条跟进记录，每项 {REPEAT} 次")
    for label, kind in databases():
        print(f"[{label}]")
        with bench_app(kind) as app:
            fill(app)
            measure(app)
