"""The auditor's screens speak the users' words: record kinds and field names in Chinese,
amounts in 万元, times in the bureau's time zone, phones masked unless revealed."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.audit import labels
from app.core.db import Base
from app.core.history import HistoryEntry
from app.extensions import db
from app.projects.models import ProjectContact

W = 10_000  # 元 per 万元


def _audited_columns() -> list[tuple[str, str]]:
    return [
        (m.local_table.name, attr.key)
        for m in Base.registry.mappers
        if getattr(m.class_, "__history__", True)
        for attr in m.column_attrs
    ]


def test_every_audited_table_and_column_has_a_chinese_name():
    missing_tables = sorted(
        {t for t, _key in _audited_columns() if labels.table_label(t) == t}
    )
    missing_columns = [
        f"{t}.{key}" for t, key in _audited_columns() if labels.field_label(t, key) == key
    ]
    assert missing_tables == [], "add these tables to app/audit/labels.py TABLE_LABELS"
    assert missing_columns == [], "add these columns to app/audit/labels.py FIELD_LABELS"
    assert len(_audited_columns()) > 200


@pytest.mark.parametrize(
    ("table", "key", "label"),
    [
        ("projects", "name", "项目名称"),
        ("projects", "planned_investment", "计划总投资"),
        ("funds_entries", "amount", "到位金额"),
        ("key_projects", "total_investment", "总投资"),
        ("problems", "handling_unit_id", "承办单位"),
    ],
)
def test_fields_are_named_as_the_forms_name_them(table, key, label):
    assert labels.field_label(table, key) == label


def test_every_money_column_is_shown_in_wan_with_two_decimals():
    money = [(t, k) for t, k in _audited_columns() if labels.is_money(t, k)]
    assert ("projects", "planned_investment") in money and ("funds_entries", "amount") in money
    for table, key in money:
        assert labels.shown_value(table, key, 12_345_600) == "1,234.56 万元"


def _entry(app, **where) -> int:
    with app.app_context():
        return db.session.scalar(
            select(HistoryEntry.id).filter_by(**where).order_by(HistoryEntry.id.desc())
        )


def test_the_history_list_names_record_kinds_and_fields(app, client, login, make, people):
    make.project(people["unit_a"], planned_investment=1_200 * W)
    login(people["auditor"])
    page = client.get("/audit/history?table=projects").get_data(as_text=True)
    assert "<td>项目</td>" in page
    assert "项目名称" in page and "计划总投资" in page
    assert "planned_investment" not in page and "<td>projects</td>" not in page
    assert '<option value="projects" selected>项目</option>' in page


def test_an_entry_shows_chinese_names_amounts_in_wan_and_local_times(
    app, client, login, make, people
):
    project = make.project(people["unit_a"], planned_investment=1_200 * W)
    make.funds_entry(
        project, "2345.67", status="verified", verified_at=datetime(2026, 11, 18, 17, 30),
        verified_by_id=people["bureau"].id,
    )
    login(people["auditor"])
    page = client.get(f"/audit/history/{_entry(app, table_name='projects')}").get_data(
        as_text=True
    )
    assert "新增项目" in page
    assert "<td>计划总投资</td>" in page and "1,200.00 万元" in page
    assert "12000000" not in page
    funds = client.get(f"/audit/history/{_entry(app, table_name='funds_entries')}")
    text = funds.get_data(as_text=True)
    assert "到位资金" in text and "<td>到位金额</td>" in text and "2,345.67 万元" in text
    assert "<td>核实时间</td>" in text
    assert "2026-11-19 01:30:00" in text  # 17:30 UTC is 01:30 the next day in Shanghai
    assert "已核实" in text  # the status as the ledger names it
    assert "<td>核实人</td>" in text and f"{people['bureau'].id}（bureau1）" in text
    assert text.index("<td>到位日期</td>") < text.index("<td>到位金额</td>")  # column order


def test_phones_stay_masked_under_their_chinese_name_until_revealed(
    app, client, login, make, people
):
    project = make.project(people["unit_a"])
    make.add(ProjectContact(project_id=project.id, name="王经理", phone="+8613812345678"))
    entry_id = _entry(app, table_name="project_contacts")
    login(people["auditor"])
    page = client.get(f"/audit/history/{entry_id}").get_data(as_text=True)
    assert "联系人" in page and "<td>电话</td>" in page
    assert "138****5678" in page and "13812345678" not in page
    revealed = client.post(f"/audit/history/{entry_id}/reveal").get_data(as_text=True)
    assert "+8613812345678" in revealed


def test_the_security_log_names_its_details(app, client, login, people):
    client.post("/login", data={"username": "nobody-here", "password": "x"})
    login(people["auditor"])
    page = client.get("/audit/security").get_data(as_text=True)
    assert "原因：用户名不存在" in page
    assert "reason=" not in page and "no_user" not in page


@pytest.mark.parametrize("role", ["unit", "other_unit", "bureau", "leader", "admin"])
def test_no_other_role_reads_the_history(app, client, login, make, people, role):
    make.project(people["unit_a"], name="城关街道的项目")
    login(people[role])
    for url in ("/audit/history", "/audit/security", f"/audit/history/{_entry(app)}"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "城关街道的项目" not in response.get_data(as_text=True)
