"""History: one row per change with before and after, chained so hand edits are detected."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.core.history import HistoryEntry
from app.extensions import db
from app.units.models import Unit


def _history(app, table):
    with app.app_context():
        return list(
            db.session.execute(
                select(HistoryEntry)
                .where(HistoryEntry.table_name == table)
                .order_by(HistoryEntry.id)
            ).scalars()
        )


def test_editing_a_unit_writes_one_history_row_with_before_and_after(app, client, people, login):
    before = len(_history(app, "units"))
    login(people["admin"])
    unit_id = people["unit_a"].id
    page = client.get(f"/admin/units/{unit_id}/edit").get_data(as_text=True)
    assert 'name="version"' in page
    response = client.post(
        f"/admin/units/{unit_id}/edit",
        data={"name": "城关街道办事处", "kind": "乡镇街道", "version": "1"},
    )
    assert response.status_code == 302
    rows = _history(app, "units")
    assert len(rows) == before + 1
    entry = rows[-1]
    assert entry.action == "update" and entry.record_id == unit_id
    assert entry.before == {"name": "城关街道"} and entry.after == {"name": "城关街道办事处"}
    assert entry.actor_name == "admin1"


def test_creating_a_user_is_in_history_without_the_password_hash(app, client, people, login):
    login(people["admin"])
    client.post(
        "/admin/users/new",
        data={
            "username": "newbie",
            "name": "新人",
            "role": "bureau",
            "unit_id": "",
            "phone": "",
            "password": "Newbie@2026",
        },
    )
    entry = [e for e in _history(app, "users") if e.label.endswith("（newbie）")][0]
    assert entry.action == "create"
    assert entry.after["username"] == "newbie" and entry.after["password_hash"] == "[已隐去]"


def test_logins_do_not_flood_the_history(app, client, people, login):
    before = len(_history(app, "users"))
    login(people["bureau"])
    client.post("/logout")
    assert len(_history(app, "users")) == before


def test_verify_command_passes_on_an_intact_chain(app, people, runner):
    result = runner.invoke(args=["verify-history"])
    assert result.exit_code == 0, result.output
    assert "哈希链完整" in result.output


def test_history_rows_cannot_be_updated_or_deleted_through_sql(app, client, people):
    client.post("/login", data={"username": "bureau1", "password": "bad"})
    with app.app_context():
        with pytest.raises(DBAPIError):
            db.session.execute(text("UPDATE history SET actor_name = 'x'"))
        db.session.rollback()
        with pytest.raises(DBAPIError):
            db.session.execute(text("DELETE FROM history"))
        db.session.rollback()
        with pytest.raises(DBAPIError):
            db.session.execute(text("UPDATE security_events SET username = 'x'"))
        db.session.rollback()


def _tamper(app, sql: str) -> None:
    """What a DBA with full rights could do: drop the guard trigger, then edit a row."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # the database is shared: re-arm after
            db.session.execute(text("ALTER TABLE history DISABLE TRIGGER history_append_only"))
            db.session.execute(text(sql))
            db.session.execute(text("ALTER TABLE history ENABLE TRIGGER history_append_only"))
        else:
            db.session.execute(text("DROP TRIGGER history_no_update"))
            db.session.execute(text("DROP TRIGGER history_no_delete"))
            db.session.execute(text(sql))
        db.session.commit()


def test_verify_command_reports_a_row_edited_by_hand(app, people, runner):
    with app.app_context():
        target = (
            db.session.execute(select(HistoryEntry.id).where(HistoryEntry.table_name == "units"))
            .scalars()
            .first()
        )
    _tamper(app, f'UPDATE history SET after_json = \'{{"name": "假单位"}}\' WHERE id = {target}')
    result = runner.invoke(args=["verify-history"])
    assert result.exit_code == 1
    assert f"编号：{target}" in result.output


def test_verify_command_reports_a_deleted_row(app, people, runner):
    with app.app_context():
        ids = list(db.session.execute(select(HistoryEntry.id).order_by(HistoryEntry.id)).scalars())
    _tamper(app, f"DELETE FROM history WHERE id = {ids[1]}")
    result = runner.invoke(args=["verify-history"])
    assert result.exit_code == 1
    assert f"编号：{ids[2]}" in result.output


def test_auditor_sees_tampering_on_the_integrity_screen(app, client, people, login):
    _tamper(app, "UPDATE history SET actor_name = '别人' WHERE id = 1")
    login(people["auditor"])
    page = client.get("/audit/integrity").get_data(as_text=True)
    assert "发现 1 条被篡改、断链或未能封存" in page


def test_auditor_filters_history_by_table_and_action(app, client, people, login):
    login(people["auditor"])
    page = client.get("/audit/history?table=units&action=create").get_data(as_text=True)
    assert "城关街道" in page and "北山镇" in page
    assert "admin1姓名" not in page  # users rows are filtered out
    detail = client.get("/audit/history/1").get_data(as_text=True)
    assert "修改前" in detail


def test_auditor_filters_the_security_log(app, client, people, login):
    client.post("/login", data={"username": "bureau1", "password": "bad"})
    login(people["auditor"])
    page = client.get("/audit/security?event=login_failed").get_data(as_text=True)
    assert "bureau1" in page and "登录失败" in page
    page = client.get("/audit/security?event=login_failed&username=nobody").get_data(as_text=True)
    assert "没有符合条件的记录" in page


def test_history_keeps_working_with_two_writes_in_one_request(app, people):
    with app.app_context():
        db.session.add_all([Unit(name="甲", kind="园区"), Unit(name="乙", kind="园区")])
        db.session.flush()
        unit = db.session.execute(select(Unit).where(Unit.name == "甲")).scalar_one()
        unit.name = "甲园区"
        db.session.commit()
    rows = _history(app, "units")
    assert [r.action for r in rows[-3:]] == ["create", "create", "update"]
