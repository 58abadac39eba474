"""The to-do page's funds sections: pending entries for the bureau, entries sent back for a
unit until it enters them again."""

from __future__ import annotations

import re

from tests.funds.conftest import entry_form


def _section(page: str, key: str) -> list[str]:
    match = re.search(rf'data-testid="todo-{re.escape(key)}"(.*?)</section>', page, re.S)
    if match is None:
        return []
    return re.findall(r'<a class="fw-semibold text-break" href="[^"]+">([^<]+)</a>', match[1])


def _badge(page: str) -> int | None:
    found = re.search(r'data-testid="nav-badge"[^>]*>(\d+)<', page)
    return int(found.group(1)) if found else None


def test_the_bureau_is_asked_to_verify_pending_entries(client, people, login, projects, add_entry):
    add_entry(projects["a"], "100", status="pending")
    add_entry(projects["b"], "50", status="pending")
    add_entry(projects["b"], "70", status="verified")
    login(people["bureau"])
    page = client.get("/").get_data(as_text=True)
    assert _section(page, "funds.pending") == ["智能制造产业园", "文旅综合体"]


def test_a_unit_is_told_of_an_entry_sent_back_until_it_enters_it_again(
    client, people, login, projects, add_entry
):
    entry_id = add_entry(projects["a"], "100", status="pending", ref="YH-7")
    add_entry(projects["b"], "50", status="pending", ref="YH-8")
    login(people["bureau"])
    client.post(f"/funds/{entry_id}/reject", data={"note": "回单不清晰"})
    login(people["unit"])
    page = client.get("/").get_data(as_text=True)
    assert _section(page, "funds.rejected") == ["智能制造产业园"]
    assert "回单不清晰" in page
    before = _badge(page)
    client.post(f"/funds/new?project_id={projects['a'].id}", data=entry_form(evidence_ref="YH-7"))
    page = client.get("/").get_data(as_text=True)
    assert _section(page, "funds.rejected") == []
    assert _badge(page) == (before - 1 if before and before > 1 else None)
    login(people["other_unit"])
    assert _section(client.get("/").get_data(as_text=True), "funds.rejected") == []
