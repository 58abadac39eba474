"""How long an ordinary save waits while a 10,000-row project import runs (BENCH_IMPORT_ROWS):
one thread imports a generated CSV as a job does (imports.services.import_in_steps), another
renames a unit (an ordinary save, with its history entry) and times it to its commit, set off
at one of four moments: while the import builds its rows (after its check), once its write
has begun (its first chunk of history entries appended), as its entries are being sealed after
its commit, and as its projects are being indexed for search (SQLite) after that. The save
runs in a process of its own, as a web worker's does beside the job worker's import (threads
of one process would also wait for each other's turn at the interpreter)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from app import create_app
from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.core import chain, history, scoping
from app.core.history import HistoryEntry
from app.extensions import db
from app.imports import services as imports
from app.projects import search
from app.projects import transfer as project_transfer
from app.projects.transfer import HEADERS
from app.units.models import Unit
from bench.common import bench_app, databases

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 10_000))
UNIT = "城关街道"
OTHER = "另一用户的单位"


@dataclass
class Run:
    """What the importer and the saver saw, in seconds from the import's start (the clock
    is time.monotonic, one for every process)."""

    saver_told: threading.Event = field(default_factory=threading.Event)
    import_seconds: float = 0.0
    write_at: float = 0.0
    save_seconds: float = 0.0
    save_done_at: float = 0.0
    save_error: str = ""
    import_error: str = ""


def _csv(rows: int, prefix: str) -> bytes:
    defaults = {
        "投资方所在省": "福建省",
        "投资方所在市": "宁德市",
        "是否外资": "否",
        "产业类别": "工业",
        "计划总投资（万元）": "50000",
        "责任单位": UNIT,
        "项目来源": "招商推介会",
    }
    lines = [",".join(HEADERS)]
    for n in range(rows):
        names = {"项目名称": f"{prefix}项目{n:05d}号", "投资方": f"{prefix}投资{n:05d}有限公司"}
        values = {**defaults, **names}
        lines.append(",".join(values.get(h, "") for h in HEADERS))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _fill(app) -> None:
    with app.app_context():
        db.session.add_all([Unit(name=UNIT, kind="乡镇街道"), Unit(name=OTHER, kind="乡镇街道")])
        db.session.add(
            User(username="bench_bureau", name="导入员", role="bureau", unit_id=None,
                 password_hash=hash_password("Bench@2026x"), must_change_password=False,
                 session_token=new_session_token())
        )  # fmt: skip
        db.session.commit()


def _actor() -> User:
    actor = db.session.execute(select(User).where(User.username == "bench_bureau")).scalar_one()
    scoping.set_actor(db.session, actor)
    return actor


def _import(app, data: bytes, run: Run, start: float) -> None:
    with app.app_context():
        try:
            outcome = imports.import_in_steps("projects", data, "bench.csv", _actor())
            if not outcome.ok:
                run.import_error = str(outcome.file_error or outcome.checked.errors[:3])
                db.session.rollback()
            else:
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - report, don't hide
            run.import_error = repr(error)[:300]
            db.session.rollback()
        finally:
            run.import_seconds = time.monotonic() - start


def _saver(uri: str, ready, go, results) -> None:
    """The other user's process: its reads done, it waits for `go`, renames a unit and
    reports (begun, done, error) on `results`; once per moment, until told None."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    with app.app_context():
        while True:
            _actor()
            db.session.rollback()  # nothing held while waiting for the import
            ready.set()
            if not go.get():
                return
            begin, error = time.monotonic(), ""
            try:
                unit = db.session.execute(
                    select(Unit).where(Unit.name.like(f"{OTHER}%"))
                ).scalar_one()
                unit.name = f"{OTHER}{time.time_ns()}"
                db.session.commit()
            except Exception as failure:  # noqa: BLE001 - "database is locked" is a result here
                error = repr(failure)[:300]
                db.session.rollback()
            results.put((begin, time.monotonic(), error))


MOMENTS = {  # where the save is set off: (module, function, before the call or after it)
    "build": (project_transfer, "_built", True),
    "write": (history, "record_inserts", False),
    "seal": (chain, "seal", True),
    "index": (search, "catch_up", True),
}
LABELS = {
    "build": "整理数据时",
    "write": "写入阶段",
    "seal": "导入提交后封存",
    "index": "提交后建搜索索引",
}


def measure(app, saver: Saver, moment: str, prefix: str) -> Run:
    """One import with one save set off at `moment` (a key of MOMENTS)."""
    run = Run()
    data = _csv(ROWS, prefix)
    module, name, before = MOMENTS[moment]
    original = getattr(module, name)
    saver.ready.wait()  # the saver's own reads done before the import takes any lock
    start = time.monotonic()

    def signal() -> None:
        if not run.saver_told.is_set():
            run.write_at = time.monotonic() - start
            run.saver_told.set()
            saver.go.put(True)

    def marked(*args, **kwargs):
        if before:
            signal()
        result = original(*args, **kwargs)
        signal()
        return result

    setattr(module, name, marked)
    try:
        saver.ready.clear()
        _import(app, data, run, start)
        signal()  # an import that never reached the moment (failed; PG has no index step)
        begun, done, run.save_error = saver.results.get()
    finally:
        setattr(module, name, original)
    run.save_seconds, run.save_done_at = done - begun, done - start
    return run


@dataclass
class Saver:
    """The saver's process and what it is told and tells."""

    process: Any
    ready: Any
    go: Any
    results: Any

    @classmethod
    def start(cls, uri: str) -> Saver:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter, no inherited locks
        ready, go, results = context.Event(), context.Queue(), context.Queue()
        process = context.Process(target=_saver, args=(uri, ready, go, results), daemon=True)
        process.start()
        return cls(process, ready, go, results)

    def stop(self) -> None:
        self.go.put(None)
        self.process.join(timeout=30)


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        entries = db.session.execute(select(func.count()).select_from(HistoryEntry)).scalar_one()
        pending = db.session.execute(
            select(func.count()).select_from(HistoryEntry).where(HistoryEntry.hash.is_(None))
        ).scalar_one()
        return entries, pending


def _report(result: Run, moment: str) -> None:
    if result.import_error:
        print(f"  导入失败：{result.import_error}")
    when = LABELS[moment]
    print(
        f"  导入共 {result.import_seconds:6.2f} s（{when}自 {result.write_at:6.2f} s 起）；"
        f"保存用时 {result.save_seconds * 1000:8.1f} ms（{result.save_done_at:6.2f} s 完成）"
        + (f"，保存失败：{result.save_error}" if result.save_error else "")
    )


def run() -> None:
    print(f"导入期间的保存：导入 {ROWS:,} 个项目时，另一用户保存一次修改要等多久")
    moments = list(MOMENTS)
    for label, kind in databases():
        print(f"[{label}]")
        with bench_app(kind) as app:
            _fill(app)
            saver = Saver.start(app.config["SQLALCHEMY_DATABASE_URI"])
            try:
                for number, moment in enumerate(moments):
                    _report(measure(app, saver, moment, f"第{number + 1}批"), moment)
            finally:
                saver.stop()
            entries, pending = _counts(app)
        print(f"  历史共 {entries:,} 条，未封存 {pending} 条")
