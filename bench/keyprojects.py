"""Key projects at scale: 5,000 key projects × 12 monthly reports × 30 units. The ledger page
(HTTP GET as the bureau), the roll call (`key_ledger` + `roll_call_sentence`) and the ledger's
.xlsx export, each beside one aggregate SQL query giving the same figures on a bare cursor."""

from __future__ import annotations

import io
import os
import random
import time
from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.core import scoping
from app.core.spreadsheets import Column, Sheet, write_workbook
from app.extensions import db
from app.keyprojects.models import (
    CATEGORIES,
    LEVELS,
    KeyMonthlyReport,
    KeyProject,
)
from app.leaders.models import Leader
from app.reports.figures.period import Period
from app.units.models import Unit
from bench.bench_projects import _insert
from bench.common import analyze, bench_app, databases, time_ms

KEY_PROJECTS = int(os.environ.get("BENCH_KEY_PROJECTS", 5_000))
MONTHS = 12
UNITS = 30
PASSWORD = "Bench@2026x"
REPEAT = int(os.environ.get("BENCH_REPEAT", 10))
YEAR = 2026
PERIOD = Period(YEAR, 11)
W = 10_000  # 元 per 万元
PROGRAMMES = ("基础设施工程", "产业升级工程", "民生保障工程", "城市更新工程", "生态环保工程")
LEDGER_URL = f"/key-projects/figures/ledger?year={PERIOD.year}&month={PERIOD.month}"
EXPORT_URL = f"/exports/key-ledger?year={PERIOD.year}&month={PERIOD.month}"

# One aggregate query: per key project its total, plan and completed to date; the figures
# every output of this benchmark is made of, grouped by programme in the database.
RAW_LEDGER = """
SELECT k.programme, count(*), sum(k.total_investment), sum(k.annual_plan), sum(coalesce(r.done, 0)),
       sum(CASE WHEN k.total_investment >= 100000000 THEN 1 ELSE 0 END),
       sum(CASE WHEN k.started_on IS NOT NULL AND NOT k.in_statistics THEN 1 ELSE 0 END)
FROM key_projects k
LEFT JOIN (SELECT key_project_id, sum(invested) AS done FROM key_monthly_reports
           WHERE year = :year AND month <= :month GROUP BY key_project_id) r
       ON r.key_project_id = k.id
WHERE k.year = :year AND k.deleted_at IS NULL
GROUP BY k.programme ORDER BY k.programme
"""
RAW_ROLL_CALL = """
SELECT category, count(*), sum(CASE WHEN started_on IS NOT NULL THEN 1 ELSE 0 END)
FROM key_projects WHERE year = :year AND deleted_at IS NULL GROUP BY category
"""
RAW_ROWS = """
SELECT k.id, k.name, k.programme, k.category, k.level, u.name, l.name, k.total_investment,
       k.annual_plan, coalesce(r.done, 0), coalesce(r.this_month, 0), k.in_statistics
FROM key_projects k
JOIN units u ON u.id = k.unit_id
LEFT JOIN leaders l ON l.id = k.leader_id
LEFT JOIN (SELECT key_project_id, sum(invested) AS done,
                  sum(CASE WHEN month = :month THEN invested ELSE 0 END) AS this_month
           FROM key_monthly_reports WHERE year = :year AND month <= :month
           GROUP BY key_project_id) r ON r.key_project_id = k.id
WHERE k.year = :year AND k.deleted_at IS NULL
ORDER BY k.programme, k.id
"""


def _reference_rows() -> tuple[list[int], list[int]]:
    """Units, the bureau's user, and 包保 leaders."""
    units = [Unit(name=f"测试镇{i:02d}", kind="乡镇街道") for i in range(UNITS)]
    db.session.add_all(units)
    db.session.flush()
    db.session.add(
        User(
            username="bench_bureau",
            name="bench_bureau",
            role="bureau",
            password_hash=hash_password(PASSWORD),
            must_change_password=False,
            session_token=new_session_token(),
        )
    )
    leaders = [Leader(name=f"副区长{i:02d}", post="副区长", is_baobao=True) for i in range(12)]
    db.session.add_all(leaders)
    db.session.commit()
    return [u.id for u in units], [x.id for x in leaders]


def _key_rows(rng: random.Random, unit_ids: list[int], leader_ids: list[int]):
    for n in range(1, KEY_PROJECTS + 1):
        total = rng.randint(2_000, 300_000) * W
        category = rng.choice(CATEGORIES)
        started = category == "续建" or rng.random() < 0.5
        started_on = date(YEAR, 1, 1) + timedelta(days=rng.randint(0, 300)) if started else None
        yield {
            "id": n,
            "year": YEAR,
            "name": f"重点项目{n:05d}",
            "programme": rng.choice(PROGRAMMES),
            "category": category,
            "level": rng.choice(LEVELS),
            "total_investment": total,
            "annual_plan": total // rng.randint(2, 6),
            "leader_id": rng.choice(leader_ids),
            "unit_id": rng.choice(unit_ids),
            "funding_channel": "社会投资",
            "started_on": started_on,
            "in_statistics": started and rng.random() < 0.8,
            "version": 1,
        }


def _report_rows(rng: random.Random):
    for n in range(1, KEY_PROJECTS + 1):
        for month in range(1, MONTHS + 1):
            yield {
                "key_project_id": n,
                "year": YEAR,
                "month": month,
                "invested": rng.randint(0, 3_000) * W,
                "progress": rng.choice(("土方开挖", "主体施工", "设备安装", "竣工验收")),
                "reported_on": date(YEAR, month, 5),
                "version": 1,
            }


def fill(app) -> None:
    """Reference rows through the ORM; key projects and reports by Core bulk inserts."""
    rng = random.Random(17)
    started = time.perf_counter()
    with app.app_context():
        unit_ids, leader_ids = _reference_rows()
        _insert(KeyProject, _key_rows(rng, unit_ids, leader_ids))
        _insert(KeyMonthlyReport, _report_rows(rng))
        analyze()
    print(
        f"  填充 {KEY_PROJECTS:,} 个重点项目、{KEY_PROJECTS * MONTHS:,} 条月调度、{UNITS} 个单位："
        f"{time.perf_counter() - started:.0f} 秒"
    )


def _raw(app, sql: str, params: dict):
    """A function running one SQL statement on a bare DB-API cursor, and its closer."""
    with app.app_context():
        raw = db.engine.raw_connection()
        used = {k: v for k, v in params.items() if f":{k}" in sql}
        compiled = db.text(sql).bindparams(**used).compile(db.engine)
        statement = str(compiled)
        parameters = compiled.params
        if db.engine.dialect.paramstyle in ("named", "pyformat"):
            args = parameters
        else:  # positional styles (qmark, numeric, format)
            args = tuple(parameters[k] for k in compiled.positiontup)
    cursor = raw.cursor()

    def run():
        cursor.execute(statement, args)
        return cursor.fetchall()

    return run, raw.close


def _raw_export(app, params: dict):
    """The raw equivalent of the export: the row query, written with a bare XlsxWriter loop."""
    run, close = _raw(app, RAW_ROWS, params)

    def export():
        rows = run()
        write_workbook(io.BytesIO(), [_bare_sheet(rows)])

    return export, close


def _bare_sheet(rows) -> Sheet:
    columns = [Column(str(i)) for i in range(len(rows[0]) if rows else 1)]
    return Sheet("raw", columns, rows)


def _actor(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _roll_call(app) -> None:
    from app.reports.figures import keyprojects as figures

    with app.test_request_context():
        actor = _actor("bench_bureau")
        with scoping.acting_as(db.session, actor):  # no one is logged in: act as the bureau
            ledger = figures.key_ledger(actor, PERIOD)
            assert len(ledger.rows) == KEY_PROJECTS, len(ledger.rows)
            figures.roll_call_sentence(ledger)


def _line(label: str, app_ms: tuple, raw_ms: tuple) -> None:
    median, p95, _n = app_ms
    raw_median, raw_p95, _n = raw_ms
    print(
        f"  {label:<22} 中位 {median:8.1f} ms  p95 {p95:8.1f} ms | 原始 SQL 中位 "
        f"{raw_median:7.1f} ms  p95 {raw_p95:7.1f} ms | 比值 {median / raw_median:6.1f}"
    )


def measure(app) -> None:
    """The ledger page, the roll call and the export, each beside its raw SQL."""
    params = {"year": PERIOD.year, "month": PERIOD.month}
    client = app.test_client()
    response = client.post("/login", data={"username": "bench_bureau", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    print(f"  {'':<22} {'应用':<30} | {'一条聚合 SQL（裸游标）':<34} |")
    raw_ledger, close_ledger = _raw(app, RAW_ROWS, params)
    raw_roll, close_roll = _raw(app, RAW_ROLL_CALL, params)
    raw_export, close_export = _raw_export(app, params)
    raw_groups, close_groups = _raw(app, RAW_LEDGER, params)
    try:
        status = client.get(LEDGER_URL).status_code
        if status == 200:
            _line("台账页面 GET", time_ms(lambda: client.get(LEDGER_URL), REPEAT),
                  time_ms(raw_ledger, REPEAT))  # fmt: skip
        else:
            print(f"  台账页面 {LEDGER_URL} 答复 {status}，未测")
        _line("点名（key_ledger+句子）", time_ms(lambda: _roll_call(app), REPEAT),
              time_ms(raw_roll, REPEAT))  # fmt: skip
        status = client.get(EXPORT_URL).status_code
        if status == 200:
            _line("台账导出 .xlsx", time_ms(lambda: client.get(EXPORT_URL), REPEAT),
                  time_ms(raw_export, REPEAT))  # fmt: skip
        else:
            print(f"  导出 {EXPORT_URL} 答复 {status}，未测")
        median, p95, _n = time_ms(raw_groups, REPEAT)
        print(f"  （参考）按工程汇总的一条 SQL 中位 {median:.1f} ms  p95 {p95:.1f} ms")
    finally:
        close_ledger()
        close_roll()
        close_export()
        close_groups()


def run() -> None:
    print(
        f"重点项目：{KEY_PROJECTS:,} 个重点项目 × {MONTHS} 个月调度，{UNITS} 个单位，"
        f"每项 {REPEAT} 次"
    )
    for label, kind in databases():
        print(f"[{label}]")
        with bench_app(kind) as app:
            fill(app)
            measure(app)
