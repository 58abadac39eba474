"""Every figure equals its list: on the dashboard, the targets table, the funds statement and
an event's funnel, each number that links to a project list or the funds ledger is walked and
compared with that list's total (count) or verified sum (万元). A number added without a
matching link, or with a link whose list disagrees, fails here."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import lxml.html
import pytest

NUMBER = re.compile(r"^\s*([\d,]+(?:\.\d+)?)\s*(?:个|万元|亿元)?\s*$")


def _list_value(client, href: str, money: bool) -> Decimal:
    page = client.get(href).get_data(as_text=True)
    if money:
        found = re.search(r'data-testid="verified-total">([\d,.]+) 万元', page)
    else:
        found = re.search(r'data-testid="total">(\d+)<', page)
    assert found, f"{href} shows no total"
    return Decimal(found.group(1).replace(",", ""))


def _walk(client, url: str) -> int:
    """Compare every numeric link of the page with its list; return how many were walked."""
    tree = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    walked = 0
    for anchor in tree.xpath("//main//a[@href]"):
        text = anchor.text_content().strip()
        match = NUMBER.match(text)
        path = urlsplit(anchor.get("href")).path
        if not match or path not in ("/projects/", "/funds/", "/targets/records"):
            continue
        money = path == "/funds/"
        if path == "/targets/records" and "." in text:
            continue  # an amount's records: the projects behind it (their count is the list's)
        shown = Decimal(match.group(1).replace(",", ""))
        if "亿元" in text:
            shown *= 10_000
        assert _list_value(client, anchor.get("href"), money) == shown, (url, text)
        walked += 1
    return walked


@pytest.fixture
def district_with_funds(app, district):
    from app.extensions import db
    from app.projects.models import Project

    with app.app_context():  # the ledger's milestones (the fixture writes entries directly)
        db.session.get(Project, district.p1.id).funded_on = date(2026, 3, 5)
        db.session.get(Project, district.p3.id).funded_on = date(2026, 7, 1)
        db.session.commit()
    return district


@pytest.mark.parametrize(
    ("url", "at_least"),
    [
        ("/dashboard?year=2026&month=10", 7),
        ("/targets/?year=2026&month=10", 4),
        ("/funds/statement?year=2026&month=10", 10),
    ],
)
def test_every_numeric_link_lists_exactly_its_figure(
    client, people, login_as, district_with_funds, url, at_least
):
    login_as(people["bureau"])
    assert _walk(client, url) >= at_least
