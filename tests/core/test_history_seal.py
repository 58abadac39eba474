"""History entries are written unsealed, with no lock, and sealed into the one chain right after
their commit: a save never waits behind another transaction, and a hand edit, delete or insert
in the middle is still found."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.core.chain import GENESIS, broken_links, chain_hash
from app.core.db import utcnow
from app.core.history import HistoryEntry
from app.extensions import db
from app.units.models import Unit
from tests.conftest import PG_URL


def _chain(app) -> list:
    with app.app_context():
        return db.session.execute(
            select(
                HistoryEntry.id, HistoryEntry.seq, HistoryEntry.prev_hash, HistoryEntry.hash
            ).order_by(HistoryEntry.seq)
        ).all()


def _assert_one_sealed_chain(app) -> None:
    """Every entry sealed, seq 1..n without a gap, each linked to the one before, intact."""
    rows = _chain(app)
    assert rows and all(r.seq is not None and r.hash is not None for r in rows)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert [r.prev_hash for r in rows] == [GENESIS] + [r.hash for r in rows[:-1]]
    with app.app_context():
        assert list(broken_links(db.session.connection(), HistoryEntry)) == []


def test_a_save_is_sealed_into_the_chain_right_after_its_commit(app, client, people, login):
    login(people["admin"])
    response = client.post("/admin/units/new", data={"name": "新设园区", "kind": "园区"})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.execute(
            select(HistoryEntry).where(
                HistoryEntry.table_name == "units", HistoryEntry.label.contains("新设园区")
            )
        ).scalar_one()
        assert entry.seq is not None and entry.hash is not None
    _assert_one_sealed_chain(app)


def test_an_entry_is_pending_until_its_transaction_commits(app, people):
    with app.app_context():
        db.session.add(Unit(name="待封存镇", kind="乡镇街道"))
        db.session.flush()
        pending = db.session.execute(
            select(HistoryEntry.seq, HistoryEntry.hash).where(HistoryEntry.seq.is_(None))
        ).all()
        assert pending == [(None, None)]
        db.session.commit()
    _assert_one_sealed_chain(app)


def test_a_rolled_back_save_leaves_no_entry_behind(app, people):
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(HistoryEntry)).scalar()
        db.session.add(Unit(name="撤销镇", kind="乡镇街道"))
        db.session.flush()
        db.session.rollback()
        after = db.session.execute(select(func.count()).select_from(HistoryEntry)).scalar()
        assert after == before
    _assert_one_sealed_chain(app)


@pytest.mark.parametrize(
    "change",
    ["actor_name = '别人'", "seq = 999, prev_hash = hash, hash = 'x', label = '假'"],
    ids=["content", "content-with-a-seal"],
)
def test_a_pending_entry_cannot_be_edited_before_its_seal(app, people, change):
    """The guard lets through only the seal itself (content unchanged): without dropping the
    trigger, no one can change an entry in the moment between its commit and its seal."""
    with app.app_context():
        db.session.add(Unit(name="待封存镇", kind="乡镇街道"))
        db.session.flush()
        with pytest.raises(DBAPIError):
            db.session.execute(text(f"UPDATE history SET {change} WHERE seq IS NULL"))  # noqa: S608
        db.session.rollback()


def _tamper(app, statements: list[str], params: dict) -> None:
    """What a DBA with full rights could do: drop the guard triggers, then run the statements."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # the database is shared: re-arm after
            db.session.execute(text("ALTER TABLE history DISABLE TRIGGER history_append_only"))
        else:
            db.session.execute(text("DROP TRIGGER history_no_update"))
            db.session.execute(text("DROP TRIGGER history_no_delete"))
        for statement in statements:
            db.session.execute(text(statement), params)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ALTER TABLE history ENABLE TRIGGER history_append_only"))
        db.session.commit()


def test_an_entry_inserted_in_the_middle_is_found(app, people, runner):
    rows = _chain(app)
    middle, following = rows[1], rows[2]
    values = {
        "at": utcnow(), "actor_id": None, "actor_name": "系统", "table_name": "units",
        "record_id": 99, "action": "create", "label": "插入的记录", "before_json": None,
        "after_json": '{"name": "插入的记录"}', "reason": None,
    }  # fmt: skip
    params = {
        **values, "prev": middle.hash, "seq": middle.seq + 1,
        "hash": chain_hash(HistoryEntry.__chain_fields__, values, middle.hash),
    }  # fmt: skip
    # Make room after the second entry, then put a forged one there, linked to it.
    _tamper(
        app,
        [
            f"UPDATE history SET seq = -(seq + 1) WHERE seq > {middle.seq}",
            "UPDATE history SET seq = -seq WHERE seq < 0",
            "INSERT INTO history (seq, prev_hash, hash, at, actor_id, actor_name, table_name,"
            " record_id, action, label, before_json, after_json, reason) VALUES (:seq, :prev,"
            " :hash, :at, :actor_id, :actor_name, :table_name, :record_id, :action, :label,"
            " :before_json, :after_json, :reason)",
        ],
        params,
    )
    result = runner.invoke(args=["verify-history"])
    assert result.exit_code == 1, result.output
    assert f"编号：{following.id}" in result.output  # the next entry no longer links up


def test_an_entry_its_seal_never_reached_is_reported(app, client, people, login, monkeypatch):
    monkeypatch.setattr("app.audit.queries.seal_before_reading", lambda session: None)
    with app.app_context(), db.engine.begin() as connection:  # no session: no seal after it
        connection.execute(
            text(
                "INSERT INTO history (at, actor_name, table_name, action, label)"
                " VALUES (:at, '系统', 'units', 'create', '未封存')"
            ),
            {"at": utcnow() - timedelta(minutes=10)},
        )
    login(people["auditor"])
    page = client.get("/audit/integrity").get_data(as_text=True)
    assert "发现 1 条被篡改、断链或未能封存" in page


def test_verify_history_seals_what_is_pending_and_passes(app, people, runner):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO history (at, actor_name, table_name, action, label)"
                " VALUES (:at, '系统', 'units', 'create', '刚写入')"
            ),
            {"at": utcnow()},
        )
    result = runner.invoke(args=["verify-history"])
    assert result.exit_code == 0 and "哈希链完整" in result.output, result.output
    _assert_one_sealed_chain(app)


postgres = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has one writer")


@postgres
def test_a_save_does_not_wait_for_an_open_transaction_that_wrote_history(app, people):
    """What used to queue every save behind a long import: the chain's lock held to commit."""
    done = threading.Event()

    def save():
        with app.app_context():
            db.session.add(Unit(name="不用等镇", kind="乡镇街道"))
            db.session.commit()
            done.set()

    with app.app_context():
        db.session.add(Unit(name="长事务镇", kind="乡镇街道"))
        db.session.flush()  # its history entry written, the transaction still open
        other = threading.Thread(target=save)
        other.start()
        finished = done.wait(timeout=5)
        db.session.commit()
        other.join()
    assert finished, "the save waited for the other transaction"
    _assert_one_sealed_chain(app)


@postgres
def test_two_concurrent_transactions_end_in_one_unforked_chain(app, people):
    both_written = threading.Barrier(2, timeout=10)

    def save(name: str):
        with app.app_context():
            db.session.add_all([Unit(name=f"{name}{n}", kind="乡镇街道") for n in range(3)])
            db.session.flush()
            both_written.wait()  # both hold unsealed entries before either commits
            db.session.commit()

    threads = [threading.Thread(target=save, args=(name,)) for name in ("甲镇", "乙镇")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        units = db.session.execute(
            select(func.count())
            .select_from(HistoryEntry)
            .where(HistoryEntry.table_name == "units", HistoryEntry.label.contains("镇"))
        ).scalar()
    assert units >= 6
    _assert_one_sealed_chain(app)


@postgres
def test_a_save_committed_while_another_seal_runs_is_sealed_by_that_one(app, people, monkeypatch):
    """The save's own seal finds the lock taken and returns at once; the running sealer looks
    again after releasing it and seals the save's entry too."""
    from app.core import chain

    holding, release, saved = threading.Event(), threading.Event(), threading.Event()
    original = chain.seal_batch

    def slow_batch(connection, model, *args, **kwargs):
        count = original(connection, model, *args, **kwargs)
        if threading.current_thread().name == "sealer" and not holding.is_set():
            holding.set()  # the lock is held until this transaction ends
            release.wait(timeout=10)
        return count

    monkeypatch.setattr(chain, "seal_batch", slow_batch)

    def sealer():
        with app.app_context():
            chain.seal(db.engine, HistoryEntry)

    def save():
        with app.app_context():
            db.session.add(Unit(name="封存时保存镇", kind="乡镇街道"))
            db.session.commit()
            saved.set()

    running = threading.Thread(target=sealer, name="sealer")
    running.start()
    assert holding.wait(timeout=10)
    saving = threading.Thread(target=save)
    saving.start()
    finished = saved.wait(timeout=5)
    release.set()
    running.join()
    saving.join()
    assert finished, "the save waited for the running seal"
    _assert_one_sealed_chain(app)


def test_verify_history_fails_on_an_entry_its_seal_never_reached(app, people, runner, monkeypatch):
    monkeypatch.setattr("app.cli.seal_before_reading", lambda session: None)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO history (at, actor_name, table_name, action, label)"
                " VALUES (:at, '系统', 'units', 'create', '未封存')"
            ),
            {"at": utcnow() - timedelta(minutes=10)},
        )
    result = runner.invoke(args=["verify-history"])
    assert result.exit_code == 1
    assert "1 条超过 5 分钟仍未封存入链" in result.output


sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite only: PostgreSQL tells by its lock")


def _write_pending(app, count: int) -> None:
    """Entries committed with no session, so no seal after them (as a killed writer's)."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO history (at, actor_name, table_name, action, label)"
                " VALUES (:at, '系统', 'units', 'create', :label)"
            ),
            [{"at": utcnow(), "label": f"待封存{n}"} for n in range(count)],
        )


def _pending(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.execute(
                select(HistoryEntry.label)
                .where(HistoryEntry.seq.is_(None))
                .order_by(HistoryEntry.id)
            ).scalars()
        )


def _save(app, name: str) -> None:
    with app.app_context():
        db.session.add(Unit(name=name, kind="乡镇街道"))
        db.session.commit()


@sqlite_only
def test_sqlite_a_save_between_two_batches_of_a_running_seal_leaves_its_entry_to_it(
    app, people, monkeypatch
):
    """SQLite's write lock is free between a sealer's batches: a save gets in there, and its
    own seal finds the sealer's lease and leaves its entry to it, instead of sealing the
    1,200 entries before its own first."""
    from app.core import chain

    _write_pending(app, chain.SEAL_BATCH + 200)
    paused, resume = threading.Event(), threading.Event()

    def pause(engine):
        paused.set()
        resume.wait(timeout=10)

    monkeypatch.setattr(chain, "give_writers_a_turn", pause)

    def sealer():
        with app.app_context():
            chain.seal(db.engine, HistoryEntry, wait=False)

    running = threading.Thread(target=sealer)
    running.start()
    try:
        assert paused.wait(timeout=10)  # one batch sealed and committed, the lease held
        _save(app, "批次之间保存镇")
        left = _pending(app)
    finally:
        resume.set()
        running.join()
    assert len(left) == 201 and "批次之间保存镇" in left[-1]
    assert _pending(app) == []
    _assert_one_sealed_chain(app)
    with app.app_context():
        leases = db.session.execute(text("SELECT count(*) FROM chain_seal_leases")).scalar()
    assert leases == 0  # it ended with nothing left pending


@sqlite_only
def test_sqlite_a_save_committed_before_an_imports_seal_began_leaves_the_imports_entries(
    app, people, monkeypatch
):
    """The transaction that appends takes the lease itself, so a save that gets the write lock
    between an import's commit and its seal's first batch does not seal the import's entries."""
    from app.core import after_commit, chain

    committed, resume = threading.Event(), threading.Event()
    original = after_commit._WORK["chain"]

    def late_seal(session, models):
        if threading.current_thread().name == "importer":
            committed.set()
            resume.wait(timeout=10)
        original(session, models)

    monkeypatch.setitem(after_commit._WORK, "chain", late_seal)

    def importer():
        with app.app_context():
            db.session.add_all(
                [Unit(name=f"导入镇{n}", kind="乡镇街道") for n in range(chain.SEAL_BATCH + 200)]
            )
            db.session.commit()

    running = threading.Thread(target=importer, name="importer")
    running.start()
    try:
        assert committed.wait(timeout=30)
        _save(app, "导入之后保存镇")
        left = _pending(app)
    finally:
        resume.set()
        running.join()
    assert len(left) == chain.SEAL_BATCH + 201 and "导入之后保存镇" in left[-1]
    assert _pending(app) == []
    _assert_one_sealed_chain(app)


@sqlite_only
def test_sqlite_a_lapsed_lease_keeps_no_save_from_sealing(app, people):
    """A sealer killed half-way leaves its lease; once it lapses the next save seals all."""
    from app.core import chain

    _write_pending(app, 3)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO chain_seal_leases (chain, holder, expires_at) VALUES (:c, :h, :e)"),
            {"c": "history", "h": "killed", "e": utcnow() - timedelta(seconds=1)},
        )
    _save(app, "租约过期后保存镇")
    assert _pending(app) == []
    _assert_one_sealed_chain(app)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO chain_seal_leases (chain, holder, expires_at) VALUES (:c, :h, :e)"),
            {"c": "history", "h": "running", "e": utcnow() + chain.LEASE_FOR},
        )
    _save(app, "租约有效时保存镇")
    assert len(_pending(app)) == 1  # left to the lease's holder, or to the heartbeat:
    with app.app_context():
        sealed_by_the_heartbeat = chain.seal_all(db.engine)
    assert sealed_by_the_heartbeat == 1 and _pending(app) == []
    _assert_one_sealed_chain(app)
