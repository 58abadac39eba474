"""Twenty people at once on one project: each edits it and enters a funds receipt. Every
acknowledged receipt is there and the total is exact; every edit is either saved (and in the
history) or refused with the 409 of a stale form; nobody gets a 500, and nothing is lost
silently. On SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.core.history import HistoryEntry
from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.models import Project
from tests import factories
from tests.funds.conftest import entry_form
from tests.projects.conftest import form

CLIENTS = 20


def test_twenty_clients_editing_one_project_and_entering_funds_lose_nothing(app, make, people):
    project = make.project(people["unit_a"], name="同一项目", signed_on=date(2026, 2, 1))
    start = threading.Barrier(CLIENTS)
    outcomes: list[tuple[int, int, int]] = []  # (client, edit status, funds status)
    failures: list[BaseException] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        try:
            client = app.test_client()
            response = client.post("/login", data={"username": people["unit"].username,
                                                   "password": factories.PASSWORD})  # fmt: skip
            assert response.status_code == 302
            start.wait(timeout=60)
            edit = client.post(
                f"/projects/{project.id}/edit",
                data=form(people["unit_a"].id, name="同一项目", notes=f"第{n}人的备注",
                          version=str(project.version)),
            )  # fmt: skip
            funds = client.post(
                f"/funds/new?project_id={project.id}",
                data=entry_form(amount_wan=f"{n + 1}.01", evidence_ref=f"PZ-{n:02d}",
                                received_on="2026-03-05"),
            )  # fmt: skip
            with lock:
                outcomes.append((n, edit.status_code, funds.status_code))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(outcomes) == CLIENTS

    edits = {status for _n, status, _f in outcomes}
    assert edits <= {302, 409}, edits  # saved, or refused as stale: never a 500
    saved = [n for n, status, _f in outcomes if status == 302]
    assert len(saved) >= 1
    acked = [n for n, _e, status in outcomes if status == 302]
    assert len(acked) == CLIENTS  # a receipt needs no version: every one is taken

    with app.app_context():
        stored = db.session.execute(
            select(FundsEntry.evidence_ref, FundsEntry.amount).where(
                FundsEntry.project_id == project.id
            )
        ).all()
        assert sorted(r.evidence_ref for r in stored) == sorted(f"PZ-{n:02d}" for n in acked)
        expected = sum(Decimal(f"{n + 1}.01") * 10_000 for n in acked)
        assert sum(r.amount for r in stored) == expected
        notes = db.session.execute(select(Project.notes).where(Project.id == project.id))
        assert notes.scalar_one() in {f"第{n}人的备注" for n in saved}
        updates = db.session.scalar(
            select(func.count())
            .select_from(HistoryEntry)
            .where(
                HistoryEntry.table_name == "projects",
                HistoryEntry.record_id == project.id,
                HistoryEntry.action == "update",
            )
        )
        assert updates == len(saved)  # every saved edit is in the history, no other
