"""No page scrolls sideways, on a phone or a laptop: every page of the navigation and the
pages of a project, a funds entry, an event, a key project, the dashboard, the board and the
to-do list, as the bureau, a unit and a leader. A button or link of the content lies inside
the screen, or inside a table's own horizontal scroll box (.table-responsive)."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.navigation import visible_items
from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

WIDTHS = ({"width": 390, "height": 844}, {"width": 1366, "height": 768})

# What the user notices, measured in the page: the page's width against the screen's, and the
# visible controls of <main> that stick out of it without a scroll box of their own.
MEASURE = """() => {
  const screen = window.innerWidth;
  const inScrollBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      const scrolls = ['auto', 'scroll'].includes(style.overflowX);
      if (p.classList.contains('table-responsive') || scrolls) { return true; }
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('main a, main button, main .btn')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') { continue; }
    const left = box.left + window.scrollX, right = box.right + window.scrollX;
    if ((left < -0.5 || right > screen + 0.5) && !inScrollBox(el)) {
      out.push((el.innerText || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 30)
               + ' [' + Math.round(left) + '–' + Math.round(right) + ']');
    }
  }
  return {wide: document.documentElement.scrollWidth, screen: screen, outside: out.slice(0, 5)};
}"""


def _records(make, people) -> list[str]:
    unit = people["unit_a"]
    event = make.event()
    project = make.project(
        unit,
        signed_on=date(2026, 3, 1),
        contract_investment=10**8,
        event_id=event.id,
        uscc="91440300MA5G8XXX1X",
    )
    entry = make.funds_entry(
        project,
        "300",
        received_on=date(2026, 4, 10),
        status="pending",
        ref="工行回单 2026-04-10 第 000123456789 号",
    )
    key_project = make.key_project(unit)
    # a 包保 leader: the register's check mark carries visually-hidden text, which stretched
    # the page sideways on a phone until the list's scroll box was position-relative
    make.leader("王振宇", post="区委常委、常务副区长（分管招商引资和重点项目）", is_baobao=True)
    return [
        f"/projects/{project.id}",
        f"/funds/{entry.id}",
        f"/events/{event.id}",
        f"/key-projects/{key_project.id}",
        "/dashboard",
        "/projects/board",
        "/",  # the to-do list
    ]


def _pages(app, user, records: list[str]) -> list[str]:
    """The navigation's pages the user may open, then the record pages."""
    from flask import url_for

    from app.auth.models import User
    from app.extensions import db

    with app.test_request_context():
        actor = db.session.get(User, user.id)
        paths = [url_for(item.endpoint) for item in visible_items(actor)]
    return list(dict.fromkeys([*paths, *records]))


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(app, page, live_server, people, make):
    records = _records(make, people)
    problems = []
    for role in ("bureau", "unit", "leader"):
        page.context.clear_cookies()
        page.set_viewport_size(WIDTHS[1])
        browser_login(page, live_server, people[role].username, PASSWORD)
        for path in _pages(app, people[role], records):
            for size in WIDTHS:
                page.set_viewport_size(size)
                response = page.goto(f"{live_server}{path}", wait_until="load")
                if response is None or response.status in (403, 404):
                    continue  # not this role's page (the access matrix tests who sees what)
                seen = page.evaluate(MEASURE)
                where = f"{role} {size['width']}px {path}"
                if response.status >= 500:
                    problems.append(f"{where}: HTTP {response.status}")
                elif seen["wide"] > seen["screen"]:
                    problems.append(f"{where}: 页面宽 {seen['wide']} px > 屏幕 {seen['screen']} px")
                elif seen["outside"]:
                    problems.append(f"{where}: 超出屏幕的按钮/链接 {seen['outside']}")
    assert problems == [], "\n".join(problems)
