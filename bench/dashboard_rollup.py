"""The dashboard read from the monthly roll-ups against the same figures from the records:
20,000 projects / 40,000 funds entries by default (BENCH_PROJECTS), filled by bulk inserts, the
roll-ups rebuilt once; the page's server time for the current month and for a closed one."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

os.environ.setdefault("BENCH_PROJECTS", "20000")

from app.core.dates import today  # noqa: E402
from app.extensions import db  # noqa: E402
from app.reports.dashboard import build  # noqa: E402
from app.reports.figures import overview  # noqa: E402
from app.reports.figures.period import Period, last_ended  # noqa: E402
from app.rollups import maintain  # noqa: E402
from bench import bench_dashboard  # noqa: E402
from bench.common import bench_app, databases, time_ms  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", 20))


@contextmanager
def from_records():
    """The figures computed from the records, as before the roll-ups."""
    original = overview.rollup_reads
    overview.rollup_reads = lambda actor: False
    try:
        yield
    finally:
        overview.rollup_reads = original


def _client(app, username: str):
    client = app.test_client()
    response = client.post(
        "/login", data={"username": username, "password": bench_dashboard.PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    return client


def measure(app) -> None:
    """Median / p95 server time of the page, current and closed month, both ways."""
    on = today()
    current = f"/dashboard?year={on.year}&month={on.month}"
    ended = last_ended(on)
    closed = f"/dashboard?year={ended.year}&month={ended.month}"
    for username, label in (("bench_bureau", "投资促进局"), ("bench_unit", "责任单位")):
        client = _client(app, username)
        for title, url in (("本月", current), ("上月", closed)):
            for how, context in (("记录计算", from_records), ("月度汇总", _nothing)):
                with context():
                    status = client.get(url).status_code
                    assert status == 200, status
                    median, p95, _ = time_ms(lambda u=url, c=client: c.get(u), REPEAT)
                    figures, _, _ = time_ms(lambda u=username, t=url: _build(app, u, t), REPEAT)
                print(f"  {label:<6} {title:<6} {how}：页面中位 {median:7.1f} ms  p95 {p95:7.1f} ms"
                      f"  | build() 中位 {figures:7.1f} ms")  # fmt: skip


def _build(app, username: str, url: str) -> None:
    """The dashboard's figures alone (no template, no month-close comparison)."""
    year, month = (int(part.split("=")[1]) for part in url.split("?")[1].split("&"))
    with app.test_request_context():
        actor = bench_dashboard._actor(username)
        build(actor, Period(year, month))


@contextmanager
def _nothing():
    yield


def run() -> None:
    print(f"驾驶舱（月度汇总）：{bench_dashboard.PROJECTS:,} 个项目，"
          f"{bench_dashboard.FUNDS:,} 条到位资金，每项 {REPEAT} 次")  # fmt: skip
    for label, kind in databases():
        print(f"[{label}]")
        with bench_app(kind) as app:
            bench_dashboard.fill(app)
            with app.app_context():
                started = time.perf_counter()
                maintain.rebuild(db.session)
                db.session.commit()
                print(f"  重算月度汇总：{(time.perf_counter() - started) * 1000:.0f} ms")
            measure(app)


if __name__ == "__main__":
    run()
