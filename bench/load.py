"""A load test at 127.0.0.1 only, bounded in users and time: `python -m bench.load`.

It fills a throw-away database with the demo data set (`flask seed-demo`; with `--projects N`,
N more projects by bulk inserts), starts the app under gunicorn (`--processes` instances of
`--workers` workers, control sockets disabled) and, with `--job-workers`, job workers; runs
locust headless with the mix of bench/locustfile.py (80 % reads, 20 % writes), each clerk on
one instance; prints throughput, p50/p95/p99 and errors per page, and per instance its
answers, connection failures and 5xx; then checks that every write the server acknowledged
is in the database. Exits 1 on any error or lost write.

With `--kill-after S` the first instance is killed (SIGKILL, master and workers) S seconds into
the run: its clerks move to the others, as behind a proxy. Connection failures to the killed
instance are then expected and counted apart; anything else (a 5xx, a lost write, a failure
on a surviving instance, a gap in its answers) still fails the run.

    python -m bench.load --users 20 --seconds 60                      # SQLite, 2 workers
    python -m bench.load --database postgresql+psycopg://postgres@127.0.0.1/load --processes 2
    python -m bench.load --processes 2 --workers 1 --seconds 20 --kill-after 8
    python -m bench.load --projects 100000 --users 20 --seconds 60   # at a district's size
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
USERS = "zsj,zsj2,chengguan,beishan,kaifaqu,gaoxin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database: str, instance: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "load-test-" + "x" * 32,
            "JOB_QUEUE_URL": f"sqlite:///{instance}/jobs.sqlite3",
            "LOG_JSON": "0", "PYTHONPATH": str(ROOT)}  # fmt: skip


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,  # noqa: S603
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _prepare(database: str, env: dict[str, str]) -> None:
    if database.startswith("postgresql"):
        engine = create_engine(database)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")


def add_projects(database: str, count: int) -> None:
    """`count` more projects beside the demo's, over its units, with 3 follow-ups and 2 funds
    entries each (bench/http_table.py's bulk fill), so the load runs at a district's size."""
    import random

    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.events.models import PromotionEvent
    from app.extensions import db
    from app.leaders.models import Leader
    from app.units.models import Unit
    from bench.http_table import add_projects as fill

    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "load", "TESTING": False})
    with app.app_context():
        ids = {table: list(db.session.scalars(select(table.id)))
               for table in (Unit, Leader, PromotionEvent)}  # fmt: skip
        bureau = list(db.session.scalars(select(User.id).where(User.role == "bureau")))
        fill(random.Random(11), count, ids[Unit], ids[Leader], ids[PromotionEvent], bureau[0],
             tuple(bureau))  # fmt: skip
        db.engine.dispose()
    print(f"filled {count:,} more projects in {time.perf_counter() - started:.0f} s")


def _wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def start_servers(env: dict[str, str], processes: int, workers: int) -> tuple[list, list[str]]:
    """`processes` gunicorn instances of `workers` workers each, on their own ports."""
    servers, urls = [], []
    for _ in range(processes):
        port = _free_port()
        servers.append(subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))  # fmt: skip
        urls.append(f"http://127.0.0.1:{port}")
    for url in urls:
        _wait_up(url)
    return servers, urls


def start_job_workers(env: dict[str, str], count: int) -> list:
    """`flask jobs-worker` processes on the same queue."""
    return [subprocess.Popen(  # noqa: S603
        [str(BIN / "flask"), "--app", "wsgi", "jobs-worker"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(count)]  # fmt: skip


def kill(process: subprocess.Popen) -> None:
    """SIGKILL an instance: its master and workers at once, nothing cleaned up."""
    os.killpg(os.getpgid(process.pid), signal.SIGKILL)
    process.wait(timeout=10)


def run_locust(urls: list[str], users: int, seconds: int, acked: Path, out: Path,
               kill_after: tuple[float, subprocess.Popen] | None = None) -> int:  # fmt: skip
    """locust headless against the instances (each clerk keeps to one, as a proxy would);
    with `kill_after`, that instance is killed that many seconds in."""
    url = urls[0]
    kill_at = time.time() + kill_after[0] if kill_after else 0
    env = {**os.environ, "LOAD_ACKED": str(acked), "LOAD_USERS": USERS,
           "LOAD_FAULTS": str(out / "servers.json"), "LOAD_WATCH_FROM": str(kill_at),
           "LOAD_HOSTS": ",".join(urls), "LOAD_TODAY": date.today().isoformat()}  # fmt: skip
    with open(out / "locust.err", "w+", encoding="utf-8") as err:
        locust = subprocess.Popen(  # noqa: S603
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(users), "-r", str(max(1, users // 2)), "-t", f"{seconds}s", "--host", url,
             "--csv", str(out / "load"), "--only-summary", "--loglevel", "WARNING",
             "--stop-timeout", "10"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err, text=True)  # fmt: skip
        if kill_after:
            time.sleep(max(0.0, kill_at - time.time()))
            kill(kill_after[1])
            print(f"killed {url} (SIGKILL) {kill_after[0]:g} s in")
        code = locust.wait(timeout=seconds + 120)
        err.seek(0)
        stderr = err.read()
    if code not in (0, 1) or "Traceback" in stderr:
        sys.stderr.write(stderr[-3000:])
    return code


def servers_seen(out: Path) -> dict[str, dict]:
    """Per instance: answers, connection failures, 5xx, other errors, the longest gap."""
    path = out / "servers.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def stats(out: Path) -> list[dict[str, str]]:
    with open(out / "load_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def lost_writes(database: str, acked: Path) -> list[dict]:
    """Acknowledged writes that are not in the database."""
    if not acked.exists():
        return []
    engine = create_engine(database)
    lost = []
    with engine.connect() as conn:
        for line in acked.read_text(encoding="utf-8").splitlines():
            write = json.loads(line)
            if write["kind"] == "funds":
                row = conn.execute(text("SELECT amount FROM funds_entries WHERE evidence_ref = :r"),
                                   {"r": write["evidence_ref"]}).first()  # fmt: skip
                if row is None or row[0] != int(Decimal(write["amount_wan"]) * 10_000):
                    lost.append(write)
            elif write["kind"] == "follow_up":
                found = conn.execute(text("SELECT 1 FROM follow_ups WHERE summary = :s"),
                                     {"s": write["summary"]}).first()  # fmt: skip
                if found is None:
                    lost.append(write)
            elif write["kind"] == "milestone":
                found = conn.execute(text("SELECT negotiating_on FROM projects WHERE id = :i"),
                                     {"i": write["project"]}).scalar()  # fmt: skip
                if found is None:
                    lost.append(write)
    engine.dispose()
    return lost


def integrity(database: str) -> str:
    """SQLite's own check of the file after the run ("ok"); PostgreSQL needs none here."""
    if not database.startswith("sqlite"):
        return "ok"
    engine = create_engine(database)
    with engine.connect() as conn:
        found = conn.execute(text("PRAGMA integrity_check")).scalar()
    engine.dispose()
    return str(found)


def report_servers(seen: dict[str, dict], killed: str | None) -> None:
    for host, c in sorted(seen.items()):
        print(f"server {host}: answers {c['answers']}, connection failures "
              f"{c['connection_failures']}, 5xx {c['http_5xx']}, other errors "
              f"{c['other_errors']}, longest gap {c['longest_gap_s']:.2f} s"
              + (" (since the kill)" if killed else ""))  # fmt: skip


def verdict(rows: list[dict[str, str]], seen: dict[str, dict], killed: str | None,
            max_gap: float) -> list[str]:  # fmt: skip
    """What went wrong: any failure, except connection failures to the killed instance."""
    problems = []
    expected = seen.get(killed, {}).get("connection_failures", 0) if killed else 0
    failures = int(next(r for r in rows if r["Name"] == "Aggregated")["Failure Count"])
    if failures != expected:
        problems.append(f"{failures} failed requests, {expected} of them expected")
    for host, c in seen.items():
        if c["http_5xx"] or c["other_errors"]:
            problems.append(f"{host}: {c['http_5xx']} 5xx, {c['other_errors']} other errors")
        if host != killed and (c["connection_failures"] or c["longest_gap_s"] > max_gap):
            problems.append(f"{host} did not serve throughout: {c}")
    return problems


def report(rows: list[dict[str, str]], seconds: int) -> None:
    print(f"{'page':<36}{'requests':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    for row in rows:
        print(f"{row['Name'][:35]:<36}{row['Request Count']:>9}{row['Failure Count']:>8}"
              f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}")  # fmt: skip
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"throughput {float(total['Requests/s']):.1f} requests/s over {seconds} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="", help="PostgreSQL URL; SQLite when left out")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--projects", type=int, default=0,
                        help="this many more projects beside the demo's (e.g. 100000)")  # fmt: skip
    parser.add_argument("--processes", type=int, default=1, help="gunicorn instances")
    parser.add_argument("--workers", type=int, default=2, help="workers per instance")
    parser.add_argument("--job-workers", type=int, default=0, help="`flask jobs-worker`s")
    parser.add_argument("--kill-after", type=float, default=0,
                        help="SIGKILL the first instance this many seconds in")  # fmt: skip
    parser.add_argument("--max-gap", type=float, default=5.0,
                        help="longest pause in a survivor's answers, seconds")  # fmt: skip
    args = parser.parse_args(argv)
    if args.kill_after and args.processes < 2:
        parser.error("--kill-after needs --processes 2 or more")
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        database = args.database or f"sqlite:///{instance / 'load.sqlite3'}"
        env = _env(database, instance)
        _prepare(database, env)
        if args.projects:
            add_projects(database, args.projects)
        servers, urls = start_servers(env, args.processes, args.workers)
        servers += start_job_workers(env, args.job_workers)
        killed = urls[0] if args.kill_after else None
        try:
            acked, out = instance / "acked.jsonl", instance
            code = run_locust(urls, args.users, args.seconds, acked, out,
                              (args.kill_after, servers[0]) if killed else None)  # fmt: skip
            rows, seen = stats(out), servers_seen(out)
            if killed:  # the survivors still answer after the run
                for url in urls[1:]:
                    _wait_up(url, seconds=5)
        finally:
            for server in servers:
                if server.poll() is None:
                    os.killpg(os.getpgid(server.pid), signal.SIGTERM)
                    server.wait(timeout=30)
        report(rows, args.seconds)
        report_servers(seen, killed)
        lost = lost_writes(database, acked)
        writes = len(acked.read_text(encoding="utf-8").splitlines()) if acked.exists() else 0
        print(f"acknowledged writes {writes}, lost {len(lost)}")
        problems = verdict(rows, seen, killed, args.max_gap)
        checked = integrity(database)
        print(f"database integrity {checked}")
        if checked != "ok":
            problems.append(f"database integrity: {checked}")
        for problem in problems:
            print(f"problem: {problem}")
        return 1 if lost or problems or code not in (0, 1) else 0


if __name__ == "__main__":
    sys.exit(main())
