"""Bulk verify and send back on the funds ledger: each row through the single-row rules, all or
none, every refused row named, the selection kept; the bureau only."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.core.history import HistoryEntry
from app.extensions import db
from app.funds.models import FundsEntry
from app.reports.models import MonthClose
from tests.funds.conftest import entries


def _updates(app) -> list[HistoryEntry]:
    with app.app_context():
        stmt = select(HistoryEntry).where(
            HistoryEntry.table_name == "funds_entries", HistoryEntry.action == "update"
        )
        rows = list(db.session.execute(stmt).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


def _post(client, ids, action="verify", note="", query=""):
    data = {"entry_ids": [str(i) for i in ids], "action": action, "note": note}
    return client.post("/funds/bulk" + query, data=data)


def _pending(add_entry, project, n, **kw) -> list[int]:
    return [add_entry(project, "10", status="pending", **kw) for _ in range(n)]


def test_bulk_verify_of_twenty_entries_writes_twenty_verified_rows_and_history_entries(
    app, client, people, login, projects, add_entry, funded_on
):
    ids = _pending(add_entry, projects["a"], 12) + _pending(add_entry, projects["b"], 8)
    login(people["bureau"])
    response = _post(client, ids, note="已核对银行回单", query="?status=pending")
    assert response.status_code == 302
    assert response.location.endswith("/funds/?status=pending")
    assert "已核实 20 条记录" in client.get(response.location).get_data(as_text=True)
    rows = entries(app)
    assert [e.status for e in rows] == ["verified"] * 20
    assert {e.verified_by_id for e in rows} == {people["bureau"].id}
    assert {e.verification_note for e in rows} == {"已核对银行回单"}
    history = _updates(app)
    assert len(history) == 20
    assert sorted(h.record_id for h in history) == sorted(ids)
    assert all(h.after["status"] == "verified" and h.actor_name == "bureau1" for h in history)
    assert funded_on(projects["a"]) == date(2026, 3, 5)  # the milestone follows, as one by one


def test_bulk_reject_needs_one_reason_and_sends_every_row_back(
    app, client, people, login, projects, add_entry
):
    ids = _pending(add_entry, projects["a"], 3)
    login(people["bureau"])
    page = _post(client, ids, action="reject", note="  ").get_data(as_text=True)
    assert "退回须说明原因" in page
    assert [e.status for e in entries(app)] == ["pending"] * 3
    back = _post(client, ids, action="reject", note="凭证不清晰", query="?_scheme=x&status=pending")
    assert back.status_code == 302 and back.location == "/funds/?status=pending"
    assert {(e.status, e.verification_note) for e in entries(app)} == {("rejected", "凭证不清晰")}
    assert len(_updates(app)) == 3


def test_one_refused_row_refuses_all_names_it_and_keeps_the_selection(
    app, client, people, login, projects, add_entry
):
    ids = _pending(add_entry, projects["a"], 4)
    done = add_entry(projects["a"], "10", status="verified", ref="YH-DONE")
    login(people["bureau"])
    response = _post(client, [*ids, done], query="?status=")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"智能制造产业园 2026-03-05 凭证号 YH-DONE（#{done}）：该记录已核实，不能再核实" in page
    assert page.count("不能再核实") == 2  # named once above the list, once on its row
    assert 'class="table-danger"' in page
    for entry_id in ids:  # the selection is kept: the clerk unticks the bad row and retries
        assert f'value="{entry_id}" checked' in page
    assert [e.status for e in entries(app)][:4] == ["pending"] * 4
    assert _updates(app) == []


def test_an_entry_in_a_closed_month_needs_the_reason_and_refuses_the_batch_without_it(
    app, client, people, login, projects, add_entry, make
):
    make.add(
        MonthClose(
            year=2026,
            month=3,
            closed_at=datetime(2026, 4, 5),
            issued_on=date(2026, 4, 5),
            snapshot_json="{}",
            docx_name="a.docx",
            xlsx_name="a.xlsx",
            docx_sha256="0" * 64,
            xlsx_sha256="0" * 64,
            docx=b"",
            xlsx=b"",
        )
    )
    open_month = add_entry(projects["a"], "10", status="pending", received_on=date(2026, 6, 1))
    closed = add_entry(projects["a"], "10", status="pending", received_on=date(2026, 3, 5))
    login(people["bureau"])
    page = _post(client, [open_month, closed]).get_data(as_text=True)
    assert f"（#{closed}）" in page and "通报月结，改动须说明原因" in page
    assert f"（#{open_month}）" not in page
    assert [e.status for e in entries(app)] == ["pending", "pending"]
    assert _post(client, [open_month, closed], note="银行回单补录").status_code == 302
    assert [e.status for e in entries(app)] == ["verified", "verified"]
    reasons = [h.reason for h in _updates(app) if h.record_id == closed]
    assert reasons and "银行回单补录" in (reasons[0] or "")


def test_an_unknown_id_posted_by_hand_is_refused_and_named(
    app, client, people, login, projects, add_entry
):
    ids = _pending(add_entry, projects["a"], 2)
    login(people["bureau"])
    page = _post(client, [*ids, 999999]).get_data(as_text=True)
    assert "#999999：记录不存在或不在您的权限范围内" in page
    assert [e.status for e in entries(app)] == ["pending", "pending"]


@pytest.mark.parametrize("role", ["unit", "other_unit", "leader", "admin", "auditor"])
def test_only_the_bureau_acts_in_bulk(app, client, people, login, projects, add_entry, role):
    own = _pending(add_entry, projects["a"], 1)  # unit A's; "other_unit" posts it by hand
    other = _pending(add_entry, projects["b"], 1)
    login(people[role])
    for action in ("verify", "reject"):
        assert _post(client, own + other, action=action, note="x").status_code == 403
    assert [e.status for e in entries(app)] == ["pending", "pending"]
    assert _updates(app) == []


def test_the_ledger_shows_checkboxes_to_the_bureau_only_and_only_on_pending_rows(
    client, people, login, projects, add_entry
):
    pending = add_entry(projects["a"], "10", status="pending")
    verified = add_entry(projects["a"], "10", status="verified")
    login(people["bureau"])
    page = client.get("/funds/").get_data(as_text=True)
    assert "核实所选" in page and "退回所选" in page
    assert f'name="entry_ids" value="{pending}"' in page
    assert f'name="entry_ids" value="{verified}"' not in page
    login(people["unit"])
    page = client.get("/funds/").get_data(as_text=True)
    assert "核实所选" not in page and 'name="entry_ids"' not in page


def test_bad_bulk_input_gets_a_chinese_message_not_a_500(
    app, client, people, login, projects, add_entry
):
    ids = _pending(add_entry, projects["a"], 1)
    login(people["bureau"])
    assert "请先勾选" in _post(client, []).get_data(as_text=True)
    assert "编号无效" in _post(client, ["abc", *ids]).get_data(as_text=True)
    assert "编号无效" in _post(client, ["9" * 500]).get_data(as_text=True)
    assert "请选择“核实所选”或“退回所选”" in _post(client, ids, action="x").get_data(as_text=True)
    assert "最多处理" in _post(client, range(1, 300)).get_data(as_text=True)
    long_note = _post(client, ids, note="长" * 1001)
    assert long_note.status_code == 200
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(HistoryEntry)
                .where(HistoryEntry.table_name == "funds_entries", HistoryEntry.action == "update")
            )
            == 0
        )


def test_a_unit_actor_never_reaches_another_units_row_in_bulk(app, people, projects, add_entry):
    """Below the route's bureau-only rule: the bulk helper loads rows within the actor's scope,
    so a row of another unit is refused and named as not found, and nothing is touched."""
    from app.auth.models import User
    from app.core import bulk, scoping

    own = add_entry(projects["a"], "10", status="pending")
    other = add_entry(projects["b"], "10", status="pending")
    touched: list[int] = []
    with app.test_request_context():
        actor = db.session.get(User, people["unit"].id)
        with scoping.acting_as(db.session, actor), pytest.raises(bulk.BulkRefused) as refusal:
            bulk.apply_each(FundsEntry, [own, other], actor, lambda e: touched.append(e.id), str)
        db.session.rollback()
    assert refusal.value.refused == {other: f"#{other}：记录不存在或不在您的权限范围内"}
    assert touched == [own]
