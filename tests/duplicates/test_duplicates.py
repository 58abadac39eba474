"""Duplicate groups and merging, through the bureau's screens."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.core.history import HistoryEntry
from app.extensions import db
from app.projects.duplicates import duplicate_groups
from app.projects.models import FollowUp, Project, ProjectContact
from tests.factories import record

USCC = "91440300MA5G0XH07K"


def _groups(app) -> list[set[str]]:
    with app.app_context():
        return [{p.investor_name for p in g} for g in duplicate_groups()]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("华润置地（深圳）有限公司", "华润置地(深圳)"),
        ("华润置地（深圳）有限公司", "华润置地 （深圳） 有限责任公司"),
        ("ＡＢＣ精密科技股份有限公司", "abc精密科技"),
        ("鑫泰新能源集团", "鑫泰新能源集团有限公司"),
        ("【瑞丰】生物医药有限公司", "瑞丰生物医药公司"),
    ],
)
def test_normalised_investor_names_form_a_group(app, make, people, first, second):
    make.project(people["unit_a"], "项目甲", first)
    make.project(people["unit_b"], "项目乙", second)
    make.project(people["unit_b"], "项目丙", "华拓电子有限公司")
    assert _groups(app) == [{first, second}]


def test_the_same_uscc_forms_a_group_whatever_the_names(app, make, people):
    make.project(people["unit_a"], "项目甲", "深圳市鑫泰新能源科技有限公司", uscc=USCC)
    make.project(people["unit_b"], "项目乙", "鑫泰（北山）新能源有限公司", uscc=USCC)
    make.project(people["unit_b"], "项目丙", "另一家公司", uscc="91440300MA5G0XH15C")
    assert _groups(app) == [{"深圳市鑫泰新能源科技有限公司", "鑫泰（北山）新能源有限公司"}]


def test_different_investors_are_not_grouped(app, make, people):
    make.project(people["unit_a"], "项目甲", "华润置地（深圳）有限公司")
    make.project(people["unit_b"], "项目乙", "华润置地（广州）有限公司")
    assert _groups(app) == []


def test_the_bureau_sees_the_groups_with_unit_stage_uscc_and_investment(
    client, people, login, make
):
    a = make.project(
        people["unit_a"],
        "智能制造产业园",
        "华润置地（深圳）有限公司",
        planned_investment=12_000 * 10_000,
        uscc=USCC,
    )
    b = make.project(
        people["unit_b"],
        "智能制造基地",
        "华润置地(深圳)",
        negotiating_on=date(2025, 3, 1),
        planned_investment=8_000 * 10_000,
    )
    login(people["bureau"])
    page = client.get("/duplicates/").get_data(as_text=True)
    assert page.count('data-testid="duplicate-group"') == 1
    for text in (
        "城关街道",
        "北山镇",
        "线索",
        "洽谈",
        USCC,
        "12,000.00",
        "8,000.00",
        "投资方名称规范化后相同",
    ):
        assert text in page, text
    assert f"/duplicates/merge?a={a.id}&amp;b={b.id}" in page


@pytest.mark.parametrize("role", ["unit", "other_unit", "leader", "admin", "auditor"])
def test_only_the_bureau_reaches_the_duplicate_screens(client, people, login, make, role):
    a = make.project(people["unit_a"], "项目甲", "华润置地（深圳）有限公司")
    b = make.project(people["unit_a"], "项目乙", "华润置地(深圳)")
    login(people[role])
    assert client.get("/duplicates/").status_code == 403
    assert client.get(f"/duplicates/merge?a={a.id}&b={b.id}").status_code == 403
    data = {"a": a.id, "b": b.id, "keep": a.id, "reason": "重复"}
    assert client.post("/duplicates/merge", data=data).status_code == 403


@pytest.fixture
def pair(make, people):
    """The same investor reported by two towns, the second with follow-ups and a contact."""
    keep = make.project(people["unit_a"], "华润置地智能制造产业园", "华润置地（深圳）有限公司")
    gone = make.project(
        people["unit_b"],
        "华润智能制造项目",
        "华润置地(深圳)",
        uscc=USCC,
        chain_tag="电子信息",
    )
    follow_ups = [
        make.follow_up(gone, people["other_unit"], date(2025, 3, d), summary=f"第{d}次电话")
        for d in (1, 2)
    ]
    contact = make.add(
        ProjectContact(project_id=gone.id, name="王经理", title="投资总监", phone="+8613812345678")
    )
    return keep, gone, follow_ups, contact


def test_merge_form_shows_both_records_and_what_will_move(client, people, login, pair):
    keep, gone, _, _ = pair
    login(people["bureau"])
    page = client.get(f"/duplicates/merge?a={keep.id}&b={gone.id}").get_data(as_text=True)
    preview = page[page.index(f'data-testid="preview-{keep.id}"') :].split("</div>")[0]
    assert "跟进记录 2 条" in preview and "联系人 1 条" in preview
    assert "统一社会信用代码" in preview and "产业链" in preview
    other = page[page.index(f'data-testid="preview-{gone.id}"') :].split("</div>")[0]
    assert "没有需要移动的记录" in other


def test_merge_needs_a_reason_and_a_choice_and_keeps_what_was_typed(
    app, client, people, login, pair
):
    keep, gone, _, _ = pair
    login(people["bureau"])
    page = client.post(
        "/duplicates/merge", data={"a": keep.id, "b": gone.id, "keep": keep.id, "reason": " "}
    ).get_data(as_text=True)
    assert "请填写合并原因" in page and f'value="{keep.id}" checked' in page
    page = client.post(
        "/duplicates/merge", data={"a": keep.id, "b": gone.id, "reason": "两镇重复报送"}
    ).get_data(as_text=True)
    assert "请选择保留哪一条记录" in page and "两镇重复报送" in page
    page = client.post(
        "/duplicates/merge", data={"a": keep.id, "b": gone.id, "keep": "999", "reason": "x"}
    ).get_data(as_text=True)
    assert "请选择保留哪一条记录" in page
    with app.app_context():
        assert db.session.get(Project, gone.id).deleted_at is None


def test_merge_moves_follow_ups_and_contacts_and_the_gone_record_disappears(
    app, client, people, login, pair
):
    keep, gone, follow_ups, contact = pair
    login(people["bureau"])
    response = client.post(
        "/duplicates/merge",
        data={"a": keep.id, "b": gone.id, "keep": keep.id, "reason": "北山镇与城关街道重复报送"},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/projects/{keep.id}")
    with app.app_context():
        kept, merged = db.session.get(Project, keep.id), db.session.get(Project, gone.id)
        assert merged.deleted_at is not None and merged.merged_into_id == keep.id
        assert merged.deleted_by_id == people["bureau"].id
        assert {f.project_id for f in db.session.scalars(select(FollowUp))} == {keep.id}
        assert db.session.get(ProjectContact, contact.id).project_id == keep.id
        assert kept.uscc == USCC and kept.chain_tag == "电子信息"
        assert USCC.lower() in kept.search_text
        entries = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.reason.like("合并重复项目%"))
        ).all()
        changed = {(e.table_name, e.record_id) for e in entries}
        assert ("projects", gone.id) in changed and ("projects", keep.id) in changed
        assert {("follow_ups", f.id) for f in follow_ups} <= changed
        assert ("project_contacts", contact.id) in changed
        assert all("北山镇与城关街道重复报送" in e.reason for e in entries)
    assert _groups(app) == []
    # the gone record is out of every scope: its page, the merge screen, the list
    assert client.get(f"/projects/{gone.id}").status_code == 404
    assert client.get(f"/duplicates/merge?a={keep.id}&b={gone.id}").status_code == 404
    listing = client.get("/projects/?dropped=all").get_data(as_text=True)
    assert "华润智能制造项目" not in listing and "华润置地智能制造产业园" in listing
    login(people["other_unit"])
    assert client.get(f"/projects/{gone.id}").status_code == 404


def test_merging_twice_or_unrelated_projects_is_refused(app, client, people, login, make, pair):
    keep, gone, _, _ = pair
    unrelated = make.project(people["unit_a"], "冷链物流中心", "杭州顺达物流有限公司")
    login(people["bureau"])
    response = client.get(f"/duplicates/merge?a={keep.id}&b={unrelated.id}")
    assert response.status_code == 302
    assert "不是疑似重复" in client.get(response.location).get_data(as_text=True)
    data = {"a": keep.id, "b": unrelated.id, "keep": keep.id, "reason": "试试"}
    assert client.post("/duplicates/merge", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Project, unrelated.id).deleted_at is None
    for query in ("", "?a=1", f"?a={keep.id}&b={keep.id}", "?a=x&b=y", "?a=999998&b=999999"):
        assert client.get(f"/duplicates/merge{query}").status_code == 404


def test_a_group_of_three_is_merged_pair_by_pair(app, client, people, login, make):
    first = make.project(people["unit_a"], "项目甲", "华润置地（深圳）有限公司")
    second = make.project(people["unit_b"], "项目乙", "华润置地(深圳)")
    third = make.project(people["unit_b"], "项目丙", "华润置地深圳有限责任公司")
    login(people["bureau"])
    page = client.get("/duplicates/").get_data(as_text=True)
    assert len(set(re.findall(r"/duplicates/merge\?a=\d+&amp;b=\d+", page))) == 2
    for gone in (second, third):
        data = {"a": first.id, "b": gone.id, "keep": first.id, "reason": "重复"}
        assert client.post("/duplicates/merge", data=data).status_code == 302
    with app.app_context():
        live = db.session.scalars(select(Project).where(Project.deleted_at.is_(None))).all()
        assert [record(p).id for p in live] == [first.id]
    assert 'data-testid="no-duplicates"' in client.get("/duplicates/").get_data(as_text=True)
