"""Corrections of verified entries (reversal + new entry) and the 资金到位 milestone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.core.history import HistoryEntry
from app.extensions import db
from app.reports.figures import funds as figures
from tests.funds.conftest import entries, entry_form


def _correct(client, entry_id, **overrides):
    data = entry_form(**{"reason": "回单金额录错，应为 80 万元", **overrides})
    return client.post(f"/funds/{entry_id}/correct", data=data)


def test_a_correction_reverses_the_entry_and_adds_a_new_one_both_with_the_reason(
    app, client, people, login, projects, add_entry, funded_on
):
    original = add_entry(projects["a"], "100", received_on=date(2026, 3, 5), ref="YH-1")
    login(people["bureau"])
    response = _correct(
        client, original, amount_wan="80", received_on="2026-03-05", evidence_ref="YH-1"
    )
    assert response.status_code == 302
    first, reversal, new = entries(app)
    assert (first.id, first.amount, first.status) == (original, 1_000_000, "verified")
    assert first.version == 1  # the verified entry itself was never edited
    assert reversal.reverses_id == original and reversal.amount == -1_000_000
    assert reversal.received_on == date(2026, 3, 5) and reversal.status == "verified"
    assert new.replaces_id == original and new.amount == 800_000 and new.status == "verified"
    assert reversal.correction_reason == new.correction_reason == "回单金额录错，应为 80 万元"
    with app.app_context():
        assert figures.funds_received(people["bureau"], 2026, 3) == 800_000
        reasons = db.session.execute(
            select(HistoryEntry.reason).where(HistoryEntry.table_name == "funds_entries")
        ).scalars()
        assert {r for r in reasons if r} == {
            f"更正到位资金 #{original}：回单金额录错，应为 80 万元"
        }
    assert funded_on(projects["a"]) == date(2026, 3, 5)
    page = client.get(f"/funds/{original}").get_data(as_text=True)
    assert "已被冲销" in page and "更正后的记录" in page and "已冲销" in page
    # A reversed entry cannot be corrected a second time.
    assert _correct(client, original).status_code == 302
    assert len(entries(app)) == 3


def test_reverse_only_removes_the_sum_and_the_milestone(
    app, client, people, login, projects, add_entry, funded_on
):
    original = add_entry(projects["a"], "100", received_on=date(2026, 3, 5))
    with app.app_context():
        from app.funds.services import recompute_funded_on

        recompute_funded_on([projects["a"].id])
        db.session.commit()
    assert funded_on(projects["a"]) == date(2026, 3, 5)
    login(people["bureau"])
    assert _correct(client, original, reverse_only="y").status_code == 302
    assert len(entries(app)) == 2
    assert funded_on(projects["a"]) is None
    with app.app_context():
        assert figures.funds_received(people["bureau"], 2026, 12) == 0


def test_a_correction_needs_a_reason_and_is_the_bureaus(
    app, client, people, login, projects, add_entry
):
    original = add_entry(projects["a"], "100")
    login(people["unit"])
    assert client.get(f"/funds/{original}/correct").status_code == 403
    assert _correct(client, original).status_code == 403
    login(people["bureau"])
    page = _correct(client, original, reason=" ").get_data(as_text=True)
    assert "更正须说明原因" in page
    assert len(entries(app)) == 1


def test_a_pending_entry_is_not_corrected_but_verified_or_rejected(
    client, people, login, projects, add_entry
):
    pending = add_entry(projects["a"], "100", status="pending")
    login(people["bureau"])
    response = client.get(f"/funds/{pending}/correct")
    assert response.status_code == 302


def test_funded_on_is_the_date_the_verified_running_total_first_became_positive(
    app, client, people, login, projects, add_entry, funded_on
):
    add_entry(projects["a"], "50", status="pending", received_on=date(2026, 1, 10))
    late = add_entry(projects["a"], "70", status="pending", received_on=date(2026, 5, 1))
    early = add_entry(projects["a"], "30", status="pending", received_on=date(2026, 2, 11))
    login(people["bureau"])
    client.post(f"/funds/{late}/verify", data={"note": ""})
    assert funded_on(projects["a"]) == date(2026, 5, 1)
    client.post(f"/funds/{early}/verify", data={"note": ""})
    assert funded_on(projects["a"]) == date(2026, 2, 11)
    _correct(client, early, reverse_only="y")
    assert funded_on(projects["a"]) == date(2026, 5, 1)
    page = client.get(f"/projects/{projects['a'].id}").get_data(as_text=True)
    assert 'data-testid="milestone-funded">2026-05-01' in page


def test_merging_duplicates_moves_the_funds_and_sets_the_kept_projects_milestone(
    app, client, people, login, make, add_entry, funded_on
):
    keep = make.project(people["unit_a"], "项目甲", "鑫泰新能源集团", signed_on=date(2026, 1, 5))
    gone = make.project(people["unit_b"], "项目乙", "鑫泰新能源集团有限公司",
                        signed_on=date(2026, 2, 5))  # fmt: skip
    add_entry(gone, "200", received_on=date(2026, 6, 1))
    with app.app_context():
        from app.auth.models import User
        from app.projects.duplicates import merge
        from app.projects.models import Project

        merge(
            db.session.get(Project, keep.id),
            db.session.get(Project, gone.id),
            "两镇重复报送",
            db.session.get(User, people["bureau"].id),
        )
        db.session.commit()
    assert funded_on(keep) == date(2026, 6, 1)
    assert funded_on(gone) is None
    assert [e.project_id for e in entries(app)] == [keep.id]
