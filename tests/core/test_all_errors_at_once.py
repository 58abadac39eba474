"""Every create/edit form reports all its problems in one response: a problem the form itself
finds (a date that does not exist, a text too long) and one the service's rules find (a
required field, a unit that must be chosen) show together, each beside its field, and what was
typed stays in the form."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

TOO_LONG_TAG = "长" * 51  # 产业链标签 holds 50


def _beside(html: str, name: str) -> list[str]:
    """The messages shown under the field `name` (the invalid-feedback after its input)."""
    match = re.search(
        rf'name="{name}"[^>]*>(?:</textarea>|</select>)?(.*?)(?=<div class="mb-3"|<button|</form>)',
        html,
        re.S,
    )
    assert match, f"field {name} not in page"
    return [
        unescape(m)
        for m in re.findall(
            r'<div class="invalid-feedback d-block">(.*?)</div>', match.group(1), re.S
        )
    ]


def _shows(html: str, name: str, message: str) -> None:
    assert any(message in m for m in _beside(html, name)), (name, _beside(html, name))


def test_project_form_reports_a_too_long_tag_and_a_missing_investor_together(client, login, people):
    login(people["bureau"])
    page = client.post(
        "/projects/new",
        data={
            "name": "新能源电池项目",
            "investor_name": "",
            "unit_id": people["unit_a"].id,
            "industry": "工业",
            "source": "招商推介会",
            "chain_tag": TOO_LONG_TAG,
            "planned_wan": "100",
        },
    ).get_data(as_text=True)
    _shows(page, "chain_tag", "产业链")
    _shows(page, "chain_tag", "最多 50 个字")
    _shows(page, "investor_name", "请输入投资方名称")
    assert "新能源电池项目" in page


def test_event_form_reports_an_impossible_date_and_a_missing_city_together(client, login, people):
    login(people["bureau"])
    page = client.post(
        "/events/new",
        data={"name": "深圳推介会", "kind": "推介会", "held_on": "2026-02-30", "city": ""},
    ).get_data(as_text=True)
    _shows(page, "held_on", "不存在")
    _shows(page, "city", "请输入举办城市")
    assert "深圳推介会" in page


def test_funds_form_reports_an_impossible_date_and_a_missing_reference_together(
    client, login, people, make
):
    project = make.project(people["unit_a"], signed_on=date(2026, 3, 1), contract_investment=10**7)
    login(people["unit"])
    page = client.post(
        f"/funds/new?project_id={project.id}",
        data={
            "received_on": "2026-02-30",
            "amount_wan": "12.5",
            "origin": "",
            "evidence_ref": "",
            "submission_id": "s-1",
        },
    ).get_data(as_text=True)
    _shows(page, "received_on", "不存在")
    _shows(page, "evidence_ref", "请填写凭证号")
    _shows(page, "origin", "资金类型")
    assert 'value="12.5"' in page


def test_leader_form_reports_an_impossible_date_and_a_missing_post_together(client, login, people):
    login(people["bureau"])
    page = client.post(
        "/leaders/new",
        data={"name": "王建国", "post": "", "took_office_on": "2026-13-01"},
    ).get_data(as_text=True)
    _shows(page, "took_office_on", "任职日期")
    _shows(page, "post", "请输入职务")
    assert "王建国" in page


def test_user_form_reports_a_missing_name_and_a_missing_unit_together(client, login, people):
    login(people["admin"])
    page = client.post(
        "/admin/users/new",
        data={"username": "newunit", "name": "", "role": "unit", "password": "Abc12345!x"},
    ).get_data(as_text=True)
    _shows(page, "name", "请输入姓名")
    _shows(page, "unit_id", "责任单位账户必须属于一个启用的单位")
    assert 'value="newunit"' in page


def test_key_project_form_reports_an_impossible_date_and_a_missing_programme_together(
    client, login, people
):
    login(people["bureau"])
    page = client.post(
        "/key-projects/new",
        data={
            "year": "2026",
            "name": "城北污水处理厂",
            "programme": "",
            "category": "新建",
            "total_wan": "1000",
            "plan_wan": "500",
            "unit_id": people["unit_a"].id,
            "planned_start_on": "2026-02-30",
        },
    ).get_data(as_text=True)
    _shows(page, "planned_start_on", "不存在")
    _shows(page, "programme", "请填写所属工程")
    assert "城北污水处理厂" in page


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/funds/new?project_id={project}", "received_on"),
        ("/projects/{project}/advance/signed", "on"),
        ("/trips/new", "started_on"),
    ],
)
def test_date_fields_start_at_today(client, login, people, make, path, field):
    """The pinned clock says 2026-11-19: the empty form offers that day."""
    project = make.project(people["unit_a"], signed_on=date(2026, 3, 1), contract_investment=10**7)
    login(people["bureau"])
    page = client.get(path.format(project=project.id)).get_data(as_text=True)
    match = re.search(rf'<input[^>]*name="{field}"[^>]*>', page)
    assert match, page[:2000]
    assert 'value="2026-11-19"' in match.group(0)


def test_follow_up_form_on_the_project_page_starts_at_today(client, login, people, make):
    project = make.project(people["unit_a"])
    login(people["unit"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    match = re.search(r'<input[^>]*name="happened_on"[^>]*>', page)
    assert match
    assert 'value="2026-11-19"' in match.group(0)


def test_a_re_shown_form_keeps_the_date_typed_not_today(client, login, people):
    login(people["bureau"])
    page = client.post(
        "/events/new", data={"name": "", "kind": "推介会", "held_on": "2026-10-08", "city": "深圳"}
    ).get_data(as_text=True)
    assert 'value="2026-10-08"' in page


def test_the_kept_form_page_names_fields_by_their_labels(client, login, people):
    """A form posted with a stale token comes back with 计划总投资, not planned_wan, and no ids."""
    login(people["unit"])
    typed = {
        "name": "光伏组件项目",
        "investor_name": "隆基绿能",
        "unit_id": str(people["unit_a"].id),
        "planned_wan": "1200",
        "submission_id": "abc-123",
        "csrf_token": "stale",
    }
    page = client.post(
        "/projects/new", data=typed, headers={"Origin": "http://localhost"}
    ).get_data(as_text=True)
    table = re.search(r"您填写的内容(.*?)</table>", page, re.S).group(1)
    cells = [unescape(c) for c in re.findall(r'text-nowrap">(.*?)</td>', table)]
    assert "计划总投资（万元）" in cells and "项目名称" in cells and "投资方" in cells
    assert not any(re.fullmatch(r"[a-z_]+", c) for c in cells), cells
    assert "abc-123" not in table and "stale" not in table


def test_problem_form_reports_a_missing_category_and_a_deadline_before_its_raising_together(
    client, login, people, make
):
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 1))
    login(people["bureau"])
    page = client.post(
        f"/care/projects/{project.id}/problems/new",
        data={"category": "", "description": "土地指标未落实", "raised_on": "2026-11-10",
              "handling_unit_id": str(people["unit_a"].id), "deadline": "2026-11-01"},
    ).get_data(as_text=True)  # fmt: skip
    _shows(page, "category", "请选择问题类别")
    _shows(page, "deadline", "办理期限不能早于提出日期")
    assert "土地指标未落实" in page


def test_visit_form_reports_a_missing_note_and_a_future_date_together(client, login, people, make):
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 1))
    login(people["unit"])
    page = client.post(
        f"/care/projects/{project.id}/visits/new",
        data={"visited_on": "2027-01-05", "visitors": "李主任", "notes": ""},
    ).get_data(as_text=True)
    _shows(page, "notes", "请填写走访情况")
    assert any("2027" in m or "今天" in m or "未来" in m or "晚于" in m
               for m in _beside(page, "visited_on")), _beside(page, "visited_on")  # fmt: skip
    assert 'value="李主任"' in page


def test_commitment_form_reports_a_missing_promise_and_a_missing_due_date_together(
    client, login, people, make
):
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 1))
    login(people["unit"])
    page = client.post(
        f"/care/projects/{project.id}/commitments/new",
        data={"promise": "", "delivering_unit_id": str(people["unit_a"].id), "due_on": ""},
    ).get_data(as_text=True)
    assert _beside(page, "promise") and _beside(page, "due_on")


def test_advance_form_reports_a_missing_date_and_a_bad_contract_amount_together(
    client, login, people, make
):
    project = make.project(people["unit_a"], negotiating_on=date(2026, 3, 1))
    login(people["unit"])
    response = client.post(
        f"/projects/{project.id}/advance/signed", data={"on": "", "contract_wan": "一百万"}
    )
    page = response.get_data(as_text=True)
    assert _beside(page, "on") and _beside(page, "contract_wan"), page[:200]
