"""Every figure equals its list: on the dashboard, the targets table, the funds statement and
an event's funnel, each number that links to a project list, an event's project list or the
funds ledger is walked and compared with that list's total (count) or verified sum (万元); a
statement row's 履约项目 with its ledger's. The bulletin's tables are file-only (its screen
previews the sentences, not the tables), so the numbers of its .xlsx and .docx tables are
compared with the lists the same figures link to on the screens. A number added without a
matching link, or with a link whose list disagrees, fails here."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import docx
import lxml.html
import pandas as pd
import pytest

NUMBER = re.compile(r"^\s*([\d,]+(?:\.\d+)?)\s*(?:个|万元|亿元)?\s*$")
EVENT_PAGE = re.compile(r"^/events/\d+$")
OCTOBER = "year=2026&month=10"


def _list_value(client, href: str, money: bool) -> Decimal:
    page = client.get(href).get_data(as_text=True)
    if money:
        found = re.search(r'data-testid="verified-total">([\d,.]+) 万元', page)
    else:
        found = re.search(r'data-testid="total">(\d+)<', page)
    assert found, f"{href} shows no total"
    return Decimal(found.group(1).replace(",", ""))


def _ledger_projects(client, href: str) -> int:
    page = client.get(href).get_data(as_text=True)
    found = re.search(r'data-testid="performing-projects">(\d+)<', page)
    assert found, f"{href} shows no 履约项目"
    return int(found.group(1))


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


def _walk(client, url: str) -> int:
    """Compare every numeric link of the page with its list; return how many were walked."""
    tree = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    walked = 0
    for anchor in tree.xpath("//main//a[@href]"):
        text = anchor.text_content().strip()
        match = NUMBER.match(text)
        path = urlsplit(anchor.get("href")).path
        listed = path in ("/projects/", "/funds/", "/targets/records") or EVENT_PAGE.match(path)
        if not match or not listed:
            continue
        money = path == "/funds/"
        if path == "/targets/records" and "." in text:
            continue  # an amount's records: the projects behind it (their count is the list's)
        shown = Decimal(match.group(1).replace(",", ""))
        if "亿元" in text:
            shown *= 10_000
        assert _list_value(client, anchor.get("href"), money) == shown, (url, text)
        walked += 1
        projects = anchor.xpath('ancestor::tr[1]/td[@data-testid="projects"]')
        if money and projects:  # the statement's 履约项目 against its ledger's
            shown = int(projects[0].text_content())
            assert _ledger_projects(client, anchor.get("href")) == shown, (url, text, "履约项目")
            walked += 1
    return walked


@pytest.fixture
def district_with_funds(app, district):
    from app.extensions import db
    from app.projects.models import Project

    with app.app_context():  # the ledger's milestones (the fixture writes entries directly)
        db.session.get(Project, district.p1.id).funded_on = date(2026, 3, 5)
        db.session.get(Project, district.p3.id).funded_on = date(2026, 7, 1)
        db.session.get(Project, district.p2.id).funded_on = date(2026, 11, 3)
        db.session.commit()
    return district


@pytest.fixture
def event_of_district(app, make, district_with_funds):
    """An event that sourced p1..p4 (p4 signed and p2 funded in November: after 1—10月)."""
    from app.extensions import db
    from app.projects.models import Project

    event = make.event("2026 春季招商推介会", held_on=date(2026, 1, 3))
    with app.app_context():
        for p in (district_with_funds.p1, district_with_funds.p2, district_with_funds.p3,
                  district_with_funds.p4):  # fmt: skip
            db.session.get(Project, p.id).event_id = event.id
        db.session.commit()
    return event


@pytest.mark.parametrize(
    ("url", "at_least"),
    [
        (f"/dashboard?{OCTOBER}", 7),
        (f"/targets/?{OCTOBER}", 4),
        (f"/funds/statement?{OCTOBER}", 20),  # ten amounts and their 履约项目
        ("/funds/statement?year=2026&month=11", 20),
    ],
)
def test_every_numeric_link_lists_exactly_its_figure(
    client, people, login_as, district_with_funds, url, at_least
):
    login_as(people["bureau"])
    assert _walk(client, url) >= at_least


@pytest.mark.parametrize("query", [OCTOBER, "year=2026&month=11", ""])
def test_every_number_of_an_event_funnel_lists_exactly_its_figure(
    client, people, login_as, event_of_district, query
):
    login_as(people["bureau"])
    url = f"/events/{event_of_district.id}?{query}"
    assert _walk(client, url) >= 17  # 带来项目, 已签约, 已落地 and two per stage


def test_the_event_funnel_of_1_to_10_is_the_state_on_31_october(
    client, people, login_as, event_of_district
):
    login_as(people["bureau"])
    page = client.get(f"/events/{event_of_district.id}?{OCTOBER}").get_data(as_text=True)
    assert "数据截至 2026年10月31日" in page
    assert re.search(r'data-testid="signed">3<', page)  # p4 signed on 5 November
    assert re.search(r'data-testid="reached-funded">2<', page)  # p2's funds came on 3 November
    page = client.get(f"/events/{event_of_district.id}?year=2026&month=11").get_data(as_text=True)
    assert re.search(r'data-testid="signed">4<', page)
    assert re.search(r'data-testid="reached-funded">3<', page)


def test_a_unit_user_walks_its_own_event_funnel_and_statement(
    client, people, login_as, event_of_district
):
    login_as(people["unit"])
    assert _walk(client, f"/events/{event_of_district.id}?{OCTOBER}") >= 17
    assert _walk(client, f"/funds/statement?{OCTOBER}") >= 10


# ---------------------------------------------------------------- the bulletin's tables


def _screen_links(client, url: str, row_xpath: str, key_attr: str) -> dict[str, list]:
    """Per row (by the attribute naming it), the cells' links in order (None where none)."""
    tree = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    rows = {}
    for tr in tree.xpath(row_xpath):
        cells = []
        for td in tr.xpath("./td"):
            links = td.xpath(".//a[@href]")
            cells.append(links[0].get("href") if links else None)
        rows[tr.get(key_attr)] = cells
    return rows


def _targets_links(client) -> tuple[list[str], dict[str, list]]:
    tree = lxml.html.fromstring(client.get(f"/targets/?{OCTOBER}").get_data(as_text=True))
    headers = [" ".join(th.text_content().split()) for th in tree.xpath(
        '//table[@data-testid="target-table"]/thead/tr[1]/th[@colspan="4"]')]  # fmt: skip
    rows = _screen_links(
        client, f"/targets/?{OCTOBER}", '//table[@data-testid="target-table"]//tr[@data-unit]',
        "data-unit",
    )  # fmt: skip
    return headers, rows


def _statement_links(client) -> dict[str, str]:
    """Statement row label -> its amount's ledger link."""
    rows = _screen_links(
        client, f"/funds/statement?{OCTOBER}", '//table[@data-testid="statement"]//tr[@data-row]',
        "data-row",
    )  # fmt: skip
    return {key.split(":", 1)[1]: cells[3] for key, cells in rows.items()}


def _compare_achieved(client, href: str, value) -> None:
    money = urlsplit(href).path == "/funds/"
    assert _list_value(client, href, money) == Decimal(str(value)), href


def test_the_bulletin_workbooks_tables_equal_the_lists_behind_the_same_figures(
    client, people, login_as, district_with_funds
):
    login_as(people["bureau"])
    headers, target_rows = _targets_links(client)
    statement_links = _statement_links(client)
    response = client.get(f"/bulletins/download?{OCTOBER}&format=xlsx&live=1")
    assert response.status_code == 200
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None, header=None,
                           dtype=object, engine="calamine")  # fmt: skip
    compared = 0
    units = sheets["目标任务完成情况"]
    for _, row in units.iterrows():
        name = str(row[1]).strip()
        if name not in target_rows or name == "全区合计":
            continue
        for i, header in enumerate(headers):
            href = target_rows[name][2 + 4 * i + 1]
            if href is None or ("/targets/records" in href and "万元" in header):
                continue  # no link, or an amount listed by its projects (counted by the walk)
            _compare_achieved(client, href, row[2 + 4 * i + 1])
            compared += 1
    statement = sheets["到位资金情况表"]
    for _, row in statement.iterrows():
        label = str(row[0]).strip()
        if label not in statement_links or pd.isna(row[3]):
            continue
        href = statement_links[label]
        assert _list_value(client, href, True) == Decimal(str(row[3])), label
        assert _ledger_projects(client, href) == int(row[1]), label
        compared += 2
    assert compared >= 2 * 3 + 2 * 10  # two units' funds and counts; every statement row


def test_the_bulletin_documents_tables_equal_the_lists_behind_the_same_figures(
    client, people, login_as, district_with_funds
):
    login_as(people["bureau"])
    headers, target_rows = _targets_links(client)
    column = {header.split("（")[0]: 2 + 4 * i + 1 for i, header in enumerate(headers)}
    statement_links = _statement_links(client)
    response = client.get(f"/bulletins/download?{OCTOBER}&format=docx&live=1")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    compared = 0
    target_rows.pop("全区合计", None)  # the district's total: its units' lists are walked
    for table in document.tables:
        head = [c.text.strip() for c in table.rows[0].cells]
        for row in table.rows[1:]:
            cells = [c.text.strip() for c in row.cells]
            if head[:2] == ["排名", "单位"] and cells[1] in target_rows:  # 各单位目标任务完成情况
                links = target_rows[cells[1]]
                for measure, text in (("签约项目", cells[2].split("/")[0]),
                                      ("到位资金", cells[6]),
                                      ("亿元以上项目", cells[10].split("/")[0]),
                                      ("开工项目", cells[11].split("/")[0])):  # fmt: skip
                    _compare_achieved(client, links[column[measure]], _number(text))
                    compared += 1
            elif head[:2] == ["名次", "单位"] and cells[1] in target_rows:  # 红榜, 黑榜
                href = target_rows[cells[1]][column["到位资金"]]
                _compare_achieved(client, href, _number(cells[3]))
                compared += 1
            elif head[0] == "项目" and cells[0] in statement_links and cells[3]:  # 到位资金情况表
                href = statement_links[cells[0]]
                assert _list_value(client, href, True) == _number(cells[3]), cells[0]
                assert _ledger_projects(client, href) == int(cells[1]), cells[0]
                compared += 2
    assert compared >= 2 * 4 + 2 + 2 * 10
