"""The history shows phone numbers masked to those who see them masked elsewhere; a reveal is
logged in the security log, as on the project page; the chain keeps the exact values."""

from __future__ import annotations

from sqlalchemy import select

from app.core.chain import broken_links
from app.core.history import HistoryEntry
from app.core.security_log import SecurityEvent
from app.extensions import db
from app.projects.models import ProjectContact

STORED = "+8613812345678"


def _contact_entry(app, make, people) -> int:
    project = make.project(people["unit_a"])
    make.add(ProjectContact(project_id=project.id, name="王经理", phone=STORED))
    with app.app_context():
        return db.session.scalar(
            select(HistoryEntry.id).where(HistoryEntry.table_name == "project_contacts")
        )


def test_the_auditor_reads_a_contacts_phone_masked_in_the_history(
    app, client, login, make, people
):
    entry_id = _contact_entry(app, make, people)
    login(people["auditor"])
    page = client.get(f"/audit/history/{entry_id}").get_data(as_text=True)
    assert "138****5678" in page
    assert "13812345678" not in page
    assert 'data-testid="reveal-form"' in page


def test_revealing_shows_the_full_number_and_is_logged(app, client, login, make, people):
    entry_id = _contact_entry(app, make, people)
    login(people["auditor"])
    page = client.post(f"/audit/history/{entry_id}/reveal").get_data(as_text=True)
    assert STORED in page
    with app.app_context():
        reveal = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "reveal_phone")
        ).scalar_one()
        assert reveal.user_id == people["auditor"].id
        assert reveal.detail["history_entry_id"] == entry_id
        assert reveal.detail["table"] == "project_contacts"


def test_an_accounts_phone_is_masked_in_the_history_too(app, client, login, make, people):
    user = make.user("phoned", "bureau")
    with app.app_context():
        from app.auth.models import User

        db.session.get(User, user.id).phone = "13900001111"
        db.session.commit()
        entry_id = db.session.scalar(
            select(HistoryEntry.id).where(
                HistoryEntry.table_name == "users", HistoryEntry.action == "update"
            )
        )
    login(people["auditor"])
    page = client.get(f"/audit/history/{entry_id}").get_data(as_text=True)
    assert "139****1111" in page and "13900001111" not in page


def test_an_entry_without_personal_data_offers_no_reveal_and_logs_none(
    app, client, login, make, people
):
    make.project(people["unit_a"])
    with app.app_context():
        entry_id = db.session.scalar(
            select(HistoryEntry.id).where(HistoryEntry.table_name == "projects")
        )
    login(people["auditor"])
    assert 'data-testid="reveal-form"' not in client.get(f"/audit/history/{entry_id}").get_data(
        as_text=True
    )
    client.post(f"/audit/history/{entry_id}/reveal")
    with app.app_context():
        assert db.session.scalar(
            select(SecurityEvent.id).where(SecurityEvent.event == "reveal_phone")
        ) is None


def test_the_chain_holds_the_exact_number(app, make, people):
    entry_id = _contact_entry(app, make, people)
    with app.app_context():
        entry = db.session.get(HistoryEntry, entry_id)
        assert entry.after["phone"] == STORED
        assert {k: a for k, _b, a in entry.changes()}["phone"] == "138****5678"
        assert list(broken_links(db.session.connection(), HistoryEntry)) == []


def test_only_the_auditor_may_reveal(app, client, login, make, people):
    entry_id = _contact_entry(app, make, people)
    login(people["leader"])
    assert client.post(f"/audit/history/{entry_id}/reveal").status_code == 403
