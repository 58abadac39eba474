"""Backups taken while users write, and their restore: every write acknowledged before the
backup began is back after the restore, the copy is one consistent moment, and the stored
files come back too."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.leaders.models import Leader
from tests import factories


def _writer(app, bureau, stop: threading.Event, attempted: list[str], acked: list[str]) -> None:
    """Add leaders one after another over HTTP, as a user would, until told to stop."""
    client = app.test_client()
    response = client.post("/login", data={"username": bureau.username,
                                           "password": factories.PASSWORD})  # fmt: skip
    assert response.status_code == 302
    n = 0
    while not stop.is_set():
        n += 1
        name = f"备份{n:04d}"
        attempted.append(name)
        response = client.post(
            "/leaders/new",
            data={"name": name, "post": "副区长", "submission_id": str(uuid.uuid4())},
        )
        if response.status_code == 302:
            acked.append(name)


def _names(app) -> set[str]:
    with app.app_context():
        rows = db.session.execute(select(Leader.name).where(Leader.name.like("备份%"))).scalars()
        return set(rows)


def test_a_backup_taken_during_writes_restores_every_acknowledged_write(
    app, runner, people, tmp_path
):
    evidence = Path(app.instance_path) / "evidence" / "2026" / "凭证.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4 evidence")
    stop = threading.Event()
    attempted: list[str] = []
    acked: list[str] = []
    thread = threading.Thread(
        target=_writer, args=(app, people["bureau"], stop, attempted, acked), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 30
    while len(acked) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    before = list(acked)
    out = tmp_path / "backup-1"
    result = runner.invoke(args=["backup", "--out", str(out)])
    time.sleep(0.3)  # the writer goes on after the copy
    stop.set()
    thread.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output
    assert "计算校验值、写清单" in result.stderr and "3/3" in result.stderr  # its progress bar
    assert len(before) >= 5 and len(acked) > len(before)
    assert len(_names(app)) == len(acked)

    evidence.unlink()
    restored = runner.invoke(args=["restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "恢复文件" in restored.stderr and "3/3" in restored.stderr

    back = _names(app)
    assert set(before) <= back  # every write acknowledged before the backup began
    # One consistent moment: the first k of the writes, in order (the last may have been
    # committed before its answer reached the writer).
    assert back == set(attempted[: len(back)])
    assert len(back) < len(acked)  # the writes after the copy are not in it
    assert evidence.read_bytes() == b"%PDF-1.4 evidence"


def test_restore_refuses_without_yes_a_missing_manifest_and_a_damaged_copy(
    app, runner, make, tmp_path
):
    out = tmp_path / "backup-2"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    make.leader("备份之后")  # written after the backup: a refused restore must keep it
    refused = runner.invoke(args=["restore", str(out)])
    assert refused.exit_code == 2 and "--yes" in refused.output

    again = runner.invoke(args=["backup", "--out", str(out)])
    assert again.exit_code == 2 and "不为空" in again.output

    empty = tmp_path / "not-a-backup"
    empty.mkdir()
    missing = runner.invoke(args=["restore", str(empty), "--yes"])
    assert missing.exit_code == 2 and "manifest.json" in missing.output

    copy = next(p for p in out.iterdir() if p.name.startswith("database"))
    copy.write_bytes(copy.read_bytes()[:-10] + b"0123456789")
    damaged = runner.invoke(args=["restore", str(out), "--yes"])
    assert damaged.exit_code == 2 and "校验值不符" in damaged.output
    assert _names(app) == {"备份之后"}


@pytest.mark.parametrize("command", [["backup"], ["restore"]])
def test_the_commands_say_what_they_need(runner, command):
    result = runner.invoke(args=command)
    assert result.exit_code == 2
