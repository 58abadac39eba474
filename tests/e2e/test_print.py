"""Printing: only the content goes on paper (no navigation, buttons, filters, pagination),
tables take the page's width and repeat their header row, a card is never split across two
pages, and the dashboard's charts are redrawn at the paper's width."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

PRINTED = """() => {
  const shown = (sel) => [...document.querySelectorAll(sel)].filter(
    (el) => getComputedStyle(el).display !== 'none' && el.getClientRects().length);
  const box = document.querySelector('main .table-responsive');
  const card = document.querySelector('main .card');
  const table = document.querySelector('main table');
  return {
    nav: shown('nav.navbar').length,
    buttons: shown('main .btn').length,
    pagination: shown('.pagination').length,
    scrollBox: box ? getComputedStyle(box).overflowX : null,
    cardBreak: card ? getComputedStyle(card).breakInside : null,
    tableWidth: table ? Math.round(table.getBoundingClientRect().width) : null,
    mainWidth: Math.round(document.querySelector('main').getBoundingClientRect().width),
  };
}"""


def _data(make, people):
    unit = people["unit_a"]
    for i in range(3):
        project = make.project(
            unit,
            name=f"签约项目{i}",
            investor=f"投资方{i}",
            signed_on=date(2026, 2, 1 + i),
            contract_investment=10**8,
        )
        make.funds_entry(project, "300", received_on=date(2026, 3, 10 + i))
    make.target(unit, 2026, funds_total="5000")


def test_a_printed_list_shows_the_whole_table_and_no_controls(page, live_server, people, make):
    _data(make, people)
    browser_login(page, live_server, people["bureau"].username, PASSWORD)
    page.goto(f"{live_server}/funds/")
    page.emulate_media(media="print")
    printed = page.evaluate(PRINTED)
    assert printed["nav"] == 0 and printed["buttons"] == 0 and printed["pagination"] == 0
    assert printed["scrollBox"] == "visible"  # a wide table is printed whole, not clipped
    assert printed["tableWidth"] >= printed["mainWidth"] - 2  # the page's whole width


def test_the_printed_dashboard_keeps_each_card_whole_and_redraws_its_charts(
    page, live_server, people, make, tmp_path
):
    _data(make, people)
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, live_server, people["leader"].username, PASSWORD)
    page.goto(f"{live_server}/dashboard?year=2026&month=10")
    page.wait_for_selector("#chart-funds svg")
    screen_width = page.evaluate(
        "document.querySelector('#chart-funds svg').getBoundingClientRect().width"
    )
    page.emulate_media(media="print")
    printed = page.evaluate(PRINTED)
    assert printed["nav"] == 0 and printed["buttons"] == 0
    assert printed["cardBreak"] == "avoid"
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    paper_width = page.evaluate(
        "document.querySelector('#chart-funds svg').getBoundingClientRect().width"
    )
    container = page.evaluate("document.querySelector('#chart-funds').clientWidth")
    assert abs(paper_width - container) <= 2, (screen_width, paper_width, container)
    pdf = page.pdf(path=str(tmp_path / "dashboard.pdf"), format="A4", landscape=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 6
