"""An event's page: its projects, scoped, and the funnel of app.reports.figures.cohort."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.projects.models import Project
from app.reports.figures.cohort import funnel, landed_stage, rate

YI = 100_000_000  # 元 in 1 亿元
WAN = 10_000


@pytest.fixture
def sourced(make, people):
    """An event with projects of two units at every stage (amounts in 元)."""
    event = make.event("2025 粤港澳大湾区产业对接会", city="广州市")
    other_event = make.event("2024 深圳招商推介会", held_on=date(2024, 3, 20))
    a, b = people["unit_a"], people["unit_b"]
    signed = {"negotiating_on": date(2025, 4, 1), "signed_on": date(2025, 5, 1)}
    registered = {**signed, "registered_on": date(2025, 6, 1), "uscc": "91440300MA5G0XH07K"}
    started = {**registered, "started_on": date(2025, 8, 1)}
    projects = {
        "lead": make.project(
            a, "华润电子元器件项目", "华润微电子（深圳）有限公司", event_id=event.id
        ),
        "negotiating": make.project(
            a,
            "锂电池隔膜项目",
            "深圳市鑫泰新材料有限公司",
            event_id=event.id,
            negotiating_on=date(2025, 4, 2),
        ),
        "signed": make.project(
            a,
            "电机控制器项目",
            "广州市恒润汽车电子有限公司",
            event_id=event.id,
            contract_investment=3 * YI,
            **signed,
        ),
        "started": make.project(
            a,
            "医疗器械产业园",
            "苏州瑞丰生物医药股份有限公司",
            event_id=event.id,
            contract_investment=2 * YI,
            funded_on=date(2025, 7, 15),  # verified funds, set by the ledger
            **started,
        ),
        "dropped_started": make.project(
            a,
            "冷链物流中心",
            "杭州顺达物流有限公司",
            event_id=event.id,
            contract_investment=1 * YI,
            dropped_on=date(2025, 10, 1),
            drop_reason="资金链紧张",
            **started,
        ),
        "other_unit_started": make.project(
            b,
            "农产品精深加工园",
            "上海禾丰食品有限公司",
            event_id=event.id,
            contract_investment=5 * YI,
            **started,
        ),
        "other_event": make.project(
            a,
            "智能终端项目",
            "深圳市华拓电子有限公司",
            event_id=other_event.id,
            contract_investment=7 * YI,
            **started,
        ),
        "merged": make.project(
            a,
            "已合并的项目",
            "重复投资方有限公司",
            event_id=event.id,
            contract_investment=9 * YI,
            deleted_at=utcnow(),
            **started,
        ),
    }
    return event, projects


def _statement(event_id: int):
    return select(Project).where(Project.event_id == event_id, Project.deleted_at.is_(None))


def test_funnel_counts_every_stage_reached_including_dropped_ones(app, sourced):
    event, _ = sourced
    with app.app_context():
        f = funnel(_statement(event.id))
    assert f.total == 6 and f.dropped == 1
    assert [(s.stage.key, s.reached, s.current) for s in f.stages] == [
        ("lead", 6, 1),
        ("negotiating", 5, 1),
        ("signed", 4, 1),
        ("registered", 3, 0),
        ("funded", 1, 0),  # only the verified ledger reaches 资金到位, not groundbreaking
        ("started", 3, 3),
        ("operating", 0, 0),
    ]
    assert (f.signed, f.landed, f.landed_stage.key) == (4, 3, "started")
    assert f.signed_contract == 11 * YI and f.landed_contract == 8 * YI
    assert f.landed_rate == rate(3, 4) == pytest.approx(75)
    assert str(f.landed_rate) == "75.0"
    assert str(f.landed_amount_rate) == "72.7"


@pytest.mark.parametrize("app_config", [{"LANDED_STAGE": "registered"}])
def test_the_landed_stage_is_a_setting(app, sourced, app_config):
    event, _ = sourced
    with app.app_context():
        assert landed_stage().key == "registered"
        assert funnel(_statement(event.id)).landed == 3
        assert funnel(_statement(event.id), landed_stage({"LANDED_STAGE": "bogus"})).landed == 3
        funded = funnel(_statement(event.id), landed_stage({"LANDED_STAGE": "funded"}))
        assert (funded.landed, funded.landed_contract) == (1, 2 * YI)


def test_the_reached_filter_and_the_funnel_agree_on_funds(client, people, login, sourced):
    event, projects = sourced
    login(people["bureau"])
    page = client.get(f"/events/{event.id}?reached=funded").get_data(as_text=True)
    table = page[page.index('data-testid="event-projects"') :]
    assert projects["started"].name in table
    assert projects["dropped_started"].name not in table
    assert re.search(r'data-testid="reached-funded">1<', page)


def test_an_empty_cohort_has_no_rate_rather_than_a_division_error(app, make):
    event = make.event()
    with app.app_context():
        f = funnel(_statement(event.id))
    assert (f.total, f.signed, f.landed, f.signed_contract) == (0, 0, 0, 0)
    assert f.landed_rate is None and f.landed_amount_rate is None


def test_the_bureau_sees_every_sourced_project_and_the_funnel(client, people, login, sourced):
    event, projects = sourced
    login(people["bureau"])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    for key in ("lead", "signed", "dropped_started", "other_unit_started"):
        assert projects[key].name in page
    assert projects["other_event"].name not in page and "已合并的项目" not in page
    assert re.search(r'data-testid="leads">6<', page)
    assert re.search(r'data-testid="signed">4<', page)
    assert re.search(r'data-testid="landed">3<', page)
    assert "75.0%" in page
    assert "11.00 亿元" in page and "8.00 亿元" in page


def test_a_unit_user_sees_only_its_own_projects_and_counts(client, people, login, sourced):
    event, projects = sourced
    login(people["other_unit"])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert projects["other_unit_started"].name in page
    for key in ("lead", "signed", "started", "dropped_started"):
        assert projects[key].name not in page
    assert re.search(r'data-testid="leads">1<', page)
    assert re.search(r'data-testid="signed">1<', page)
    assert "5.00 亿元" in page and "11.00" not in page
    listing = client.get("/events/").get_data(as_text=True)
    row = listing[listing.index("2025 粤港澳大湾区产业对接会") :].split("</tr>")[0]
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["1", "1"]


def test_the_event_list_counts_over_the_bureau_scope(client, people, login, sourced):
    login(people["leader"])
    listing = client.get("/events/").get_data(as_text=True)
    row = listing[listing.index("2025 粤港澳大湾区产业对接会") :].split("</tr>")[0]
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["6", "4"]


def test_reached_filter_lists_the_projects_behind_a_count(client, people, login, sourced):
    event, projects = sourced
    login(people["bureau"])
    page = client.get(f"/events/{event.id}?reached=started").get_data(as_text=True)
    table = page[page.index('data-testid="event-projects"') :]
    assert projects["started"].name in table and projects["dropped_started"].name in table
    assert projects["signed"].name not in table and projects["lead"].name not in table
    assert client.get(f"/events/{event.id}?reached=nonsense&page=zz").status_code == 200


def _links(page: str) -> dict[str, tuple[str, int]]:
    """Every funnel number that links: testid -> (href, the number shown)."""
    found = re.findall(r'<a href="([^"]+)" data-testid="([\w-]+)">(\d+)</a>', page)
    return {testid: (href.replace("&amp;", "&"), int(n)) for href, testid, n in found}


def _total(client, href: str) -> int:
    listing = client.get(href).get_data(as_text=True)
    return int(re.search(r'data-testid="total">(\d+)<', listing).group(1))


def test_each_stage_count_links_to_the_project_list_with_the_same_number(
    client, people, login, sourced
):
    event, _ = sourced
    login(people["bureau"])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    links = _links(page)
    assert f"/events/{event.id}?year=2026&month=10" in links["leads"][0]
    assert "standing=started" in links["current-started"][0]
    assert (links["leads"][1], links["current-started"][1], links["current-lead"][1]) == (6, 3, 1)
    stage_links = [k for k in links if k.startswith(("reached-", "current-"))]
    assert len(stage_links) == 14  # two per stage: every number of the funnel links
    for testid, (href, shown) in links.items():
        assert _total(client, href) == shown, testid


@pytest.mark.clock("2026-12-02 10:00")
def test_the_funnel_counts_as_of_the_chosen_periods_end(client, people, login, make):
    # Default on 2 December: 1—11月, as of 30 November. A project recorded on 1 December, a
    # signing dated 1 December and funds verified on 1 December count only in 本月至今.
    event = make.event("2026 秋季集中签约活动", held_on=date(2026, 9, 1))
    a = people["unit_a"]
    make.project(a, "十月签约项目", "甲有限公司", event_id=event.id, lead_on=date(2026, 9, 2),
                 negotiating_on=date(2026, 9, 10), signed_on=date(2026, 10, 20),
                 funded_on=date(2026, 12, 1))  # fmt: skip
    make.project(a, "十二月签约项目", "乙有限公司", event_id=event.id, lead_on=date(2026, 9, 3),
                 negotiating_on=date(2026, 11, 5), signed_on=date(2026, 12, 1))  # fmt: skip
    make.project(a, "十二月登记项目", "丙有限公司", event_id=event.id, lead_on=date(2026, 12, 1))
    login(people["bureau"])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "数据截至 2026年11月30日" in page
    links = _links(page)
    assert links["leads"][1] == 2 and links["signed"][1] == 1
    assert links["reached-negotiating"][1] == 2 and links["reached-funded"][1] == 0
    assert links["current-signed"][1] == 1 and links["current-negotiating"][1] == 1
    for testid, (href, shown) in links.items():
        assert _total(client, href) == shown, testid
    october = _links(client.get(f"/events/{event.id}?year=2026&month=10").get_data(as_text=True))
    assert (october["leads"][1], october["signed"][1], october["current-lead"][1]) == (2, 1, 1)
    listing = client.get("/events/").get_data(as_text=True)
    row = listing[listing.index("2026 秋季集中签约活动") :].split("</tr>")[0]
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["2", "1"]
    assert "数据截至 2026年11月30日" in listing
    now = client.get(f"/events/{event.id}?year=2026&month=12").get_data(as_text=True)
    assert "数据截至 2026年12月2日（本月至今）" in now
    links = _links(now)
    assert (links["leads"][1], links["signed"][1], links["reached-funded"][1]) == (3, 2, 1)
    for testid, (href, shown) in links.items():
        assert _total(client, href) == shown, testid


def test_a_future_or_unreadable_period_shows_a_message_and_the_default(
    client, people, login, sourced
):
    event, _ = sourced
    login(people["bureau"])
    for query in ("year=2030&month=1", "year=1999&month=5", "year=x&month=%00", "month=13"):
        response = client.get(f"/events/{event.id}?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert "已显示2026年1—10月" in page and "数据截至 2026年10月31日" in page, query


def test_another_units_user_follows_links_and_sees_only_its_own_rows(
    client, people, login, sourced
):
    event, projects = sourced
    login(people["other_unit"])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    for testid, (href, shown) in _links(page).items():
        listing = client.get(href).get_data(as_text=True)
        assert _total(client, href) == shown, testid
        assert projects["started"].name not in listing
    assert client.get(f"/events/{event.id}?standing=started&year=2026&month=10").status_code == 200


def test_the_unit_user_follows_a_count_link_and_sees_the_same_number(
    client, people, login, sourced
):
    event, _ = sourced
    login(people["unit"])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    href = re.search(r'<a href="([^"]+)" data-testid="leads">(\d+)<', page)
    listing = client.get(href.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'data-testid="total">(\d+)<', listing).group(1) == href.group(2) == "5"
