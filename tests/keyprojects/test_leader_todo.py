"""The leader's to-do page: 我包保的重点项目, this year's key projects the leader is 包保 for,
each with its light as of the last ended month and its 三类现象, linking to the project."""

from __future__ import annotations

from datetime import date

import lxml.html
import pytest


def _section(client) -> lxml.html.HtmlElement | None:
    tree = lxml.html.fromstring(client.get("/").get_data(as_text=True))
    found = tree.xpath('//section[@data-testid="todo-keyprojects.baobao"]')
    assert len(found) <= 1
    return found[0] if found else None


def _item(section, name: str) -> str:
    items = [li.text_content() for li in section.xpath(".//li") if name in li.text_content()]
    assert items, name
    return " ".join(items[0].split())


@pytest.fixture
def wang(make, people):
    """王区长 logs in as people["leader"]; 包保 for two projects of two units this year, one of
    last year; 李副区长 has another."""
    wang = make.leader("王区长", "区长", head_kind="government", user=people["leader"])
    li = make.leader("李副区长", "副区长", head_kind=None)
    started = date(2025, 5, 1)
    behind = make.key_project(people["unit_a"], "城南污水处理厂", plan_wan="1200",
                              leader_id=wang.id, started_on=started)
    on_time = make.key_project(people["unit_b"], "北山物流园", plan_wan="1200",
                               leader_id=wang.id, started_on=started)
    for month in range(1, 11):
        make.key_report(on_time, month, invested_wan="100", progress=f"{month}月进度")
    make.key_report(behind, 10, invested_wan="300", progress="基础施工")
    make.key_project(people["unit_a"], "李副区长的项目", leader_id=li.id)
    make.key_project(people["unit_a"], "去年包保的项目", year=2025, leader_id=wang.id)
    return {"leader": wang, "behind": behind, "on_time": on_time}


def test_the_leader_sees_their_key_projects_with_light_and_flags(wang, people, login):
    section = _section(login(people["leader"]))
    assert section is not None
    text = section.text_content()
    assert "2026年1—10月" in text
    assert "李副区长的项目" not in text and "去年包保的项目" not in text
    behind = _item(section, "城南污水处理厂")
    assert "红灯" in behind and "进而不快" in behind and "完成率 25.00%" in behind
    # October's report was entered on 5 November, after the as-of day: nothing in 30 days
    assert "包而不推" in behind and "推而不进" not in behind
    on_time = _item(section, "北山物流园")
    assert "绿灯" in on_time
    assert not any(flag in on_time for flag in ("包而不推", "推而不进", "进而不快"))
    links = section.xpath(".//a/@href")
    assert f"/key-projects/{wang['behind'].id}" in links
    assert f"/key-projects/{wang['on_time'].id}" in links


def test_the_light_changes_after_a_new_report(wang, people, login, make):
    client = login(people["leader"])
    assert "红灯" in _item(_section(client), "城南污水处理厂")
    make.key_report(wang["behind"], 9, invested_wan="700", progress="主体施工")
    after = _item(_section(client), "城南污水处理厂")
    assert "绿灯" in after and "完成率 83.33%" in after


def test_a_report_of_the_current_month_does_not_change_the_last_ended_month(
    wang, people, login, make
):
    make.key_report(wang["behind"], 11, invested_wan="5000", progress="主体封顶")
    assert "红灯" in _item(_section(login(people["leader"])), "城南污水处理厂")


def test_a_leader_account_not_linked_to_a_leader_has_no_such_section(make, people, login):
    make.leader("王区长", "区长", head_kind="government")
    client = login(people["leader"])
    assert client.get("/").status_code == 200
    assert _section(client) is None


@pytest.mark.parametrize("role", ["bureau", "unit", "admin"])
def test_other_roles_do_not_get_the_section(wang, people, login, role):
    assert _section(login(people[role])) is None


@pytest.mark.clock("2027-01-15 10:00")
def test_in_january_no_month_of_the_year_has_ended(wang, people, login, make):
    make.key_project(people["unit_a"], "明年项目", year=2027, leader_id=wang["leader"].id)
    section = _section(login(people["leader"]))
    assert section is not None
    assert "2027年尚无已结束的月份" in section.text_content()


def test_many_projects_show_the_red_ones_first_and_link_to_all_of_them(make, people, login):
    wang = make.leader("王区长", "区长", head_kind="government", user=people["leader"])
    for i in range(11):
        kp = make.key_project(people["unit_a"], f"达标项目{i}", plan_wan="1200",
                              leader_id=wang.id)
        make.key_report(kp, 9, invested_wan="1000")
    make.key_project(people["unit_a"], "落后项目", plan_wan="1200", leader_id=wang.id)
    client = login(people["leader"])
    section = _section(client)
    names = [a.text_content() for a in section.xpath(".//li//a")]
    assert len(names) == 10 and names[0] == "落后项目"
    assert section.xpath('string(.//*[@data-testid="todo-count"])').strip() == "12"
    more = section.xpath('.//a[contains(., "查看全部")]/@href')[0]
    assert f"leader_id={wang.id}" in more
    assert "共 <strong>12</strong> 个项目" in client.get(more).get_data(as_text=True)
