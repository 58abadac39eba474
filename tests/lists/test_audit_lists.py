"""The auditor's history and security log through the one list component: only the auditor,
exports of exactly the rows counted in Chinese (amounts 万元, phones masked, Shanghai time, an
export's filter spelt out), sorts both ways and odd queries."""

from __future__ import annotations

import re

import pytest

from app.audit import lists as audit_lists
from app.auth.models import User
from app.core import lists, scoping
from app.extensions import db
from app.projects.models import ProjectContact
from tests.factories import PASSWORD
from tests.lists.helpers import exported, total
from tests.lists.walk import assert_odd_queries_answer, assert_sorts_both_ways

ENTRY = re.compile(r'href="/audit/history/(\d+)"')
EVENT_ID = re.compile(r"<tr[^>]*>\s*<td>(\d+)</td>")


@pytest.fixture
def changes(make, people):
    """A project of 1,234.5 万元 and a contact with a phone: three changes in the history."""
    project = make.project(
        people["unit_a"], "审计项目", "审计投资方", planned_investment=12_345_000
    )
    make.add(ProjectContact(project_id=project.id, name="欧阳明", phone="+8613812345678"))
    return project


@pytest.mark.parametrize("role", ["bureau", "unit", "admin", "leader"])
def test_only_the_auditor_opens_the_lists_and_their_exports(changes, people, login, role):
    client = login(people[role])
    for url in ("/audit/history", "/audit/security", "/exports/audit-history",
                "/exports/audit-security"):  # fmt: skip
        assert client.get(url).status_code == 403, (role, url)


def _exported_rows(app, people, spec, args: dict) -> list[dict]:
    """The export's rows as the registry builds them for the auditor (the same sheet the
    route streams: app/core/lists.py sheet)."""
    with app.test_request_context():
        auditor = db.session.get(User, people["auditor"].id)
        scoping.set_actor(db.session, auditor)
        sheet = lists.sheet(spec, auditor, args)
        headers = [c.header for c in sheet.columns]
        return [dict(zip(headers, row, strict=True)) for row in sheet.rows]


def test_the_history_export_holds_the_rows_counted_in_chinese_and_masked(
    app, changes, people, login
):
    client = login(people["auditor"])
    html = client.get("/audit/history?table=projects").get_data(as_text=True)
    rows = _exported_rows(app, people, audit_lists.HISTORY, {"table": "projects"})
    assert len(rows) == total(html) >= 1
    assert [str(r["编号"]) for r in rows] == ENTRY.findall(html)
    assert (
        rows[0]["记录类型"] == "项目"
        and "计划总投资：（空） → 1,234.50 万元" in rows[0]["变更内容"]
    )
    assert re.fullmatch(r"2026-11-19 \d{2}:\d{2}:\d{2}", rows[0]["时间"])  # pinned day, local
    contacts = _exported_rows(app, people, audit_lists.HISTORY, {"table": "project_contacts"})
    assert contacts and "13812345678" not in contacts[0]["变更内容"]


def _signed_in(app, user):
    """Another browser: a fresh client logged in as the user."""
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_security_logs_export_spells_out_an_exports_filter(app, changes, people, login):
    _signed_in(app, people["bureau"]).get("/exports/projects?stage=signed")  # logged with it
    client = login(people["auditor"])
    html = client.get("/audit/security?event=export").get_data(as_text=True)
    (row,) = _exported_rows(app, people, audit_lists.SECURITY, {"event": "export"})
    assert total(html) == 1 and row["事件"] == "导出数据" and row["用户"] == "bureau1"
    assert "筛选条件：阶段=signed" in row["详情"] and "{" not in row["详情"]
    assert "筛选条件：阶段=signed" in html


def test_the_auditor_downloads_the_lists_exports(changes, people, login):
    """Needs /exports/<name> open to the auditor (the route's own check is the export's)."""
    client = login(people["auditor"])
    for url in ("/audit/history?table=projects", "/audit/security?event=login"):
        html = client.get(url).get_data(as_text=True)
        assert len(exported(client, html, "编号")) == total(html) >= 1


def test_the_lists_sort_both_ways_and_answer_odd_queries(app, changes, people, login):
    client = login(people["auditor"])
    for key in ("id", "at"):
        assert_sorts_both_ways(client, "/audit/history", key, ENTRY)
    rows = total(client.get("/audit/history").get_data(as_text=True))
    assert_odd_queries_answer(client, "/audit/history", ENTRY, rows)
    for role in ("bureau", "unit"):
        _signed_in(app, people[role])
    assert_sorts_both_ways(client, "/audit/security", "id", EVENT_ID)
