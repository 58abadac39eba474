"""The one list component: every registered list's export holds exactly the rows its page
counts, for the bureau and for a unit; sorts, odd sorts and pages beyond the last answer."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.auth import demo as auth_demo
from app.core import lists
from app.core.security_log import SecurityEvent
from app.extensions import db

TOTAL = re.compile(r'data-testid="list-total">(\d+)<')


def _export_href(html: str) -> str:
    found = re.search(r'<a[^>]*href="([^"]+)"[^>]*data-testid="list-export"', html)
    assert found, "the list has no export button"
    return found.group(1).replace("&amp;", "&")


def _last_export_rows(app) -> int:
    with app.app_context():
        event = db.session.execute(
            select(SecurityEvent)
            .where(SecurityEvent.event == "export")
            .order_by(SecurityEvent.id.desc())
            .limit(1)
        ).scalar_one()
        return int(event.detail["rows"])


def _demo_login(client, role: str) -> None:
    username = next(u for r, u, _p in auth_demo.logins() if r == role)
    response = client.post(
        "/login", data={"username": username, "password": auth_demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app


def _walkable(app) -> list[lists.ListSpec]:
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    return [
        spec
        for spec in lists.SPECS.values()
        if spec.endpoint in rules and not rules[spec.endpoint].arguments
    ]


@pytest.mark.parametrize("role", ["bureau", "unit"])
def test_every_lists_export_holds_the_rows_its_page_counts(demo, client, role):
    app = demo
    _demo_login(client, role)
    walked = 0
    with app.test_request_context():
        from flask import url_for

        urls = {spec.name: url_for(spec.endpoint) for spec in _walkable(app)}
    for name, url in sorted(urls.items()):
        page = client.get(url)
        if page.status_code == 403:
            continue
        assert page.status_code == 200, (name, page.status_code)
        html = page.get_data(as_text=True)
        shown = TOTAL.search(html)
        assert shown, f"{name}: no row count on {url}"
        href = _export_href(html)
        exported = client.get(href)
        assert exported.status_code == 200, (name, href, exported.status_code)
        assert _last_export_rows(app) == int(shown.group(1)), (name, href)
        walked += 1
    assert walked >= 1


def test_a_filtered_sorted_list_exports_its_rows_in_the_order_shown(demo, client):
    _demo_login(client, "bureau")
    html = client.get("/leaders/?active=all&sort=-name").get_data(as_text=True)
    names = re.findall(r'<td class="text-nowrap fw-semibold">([^<]+)</td>', html)
    assert names == sorted(names, reverse=True) and len(names) > 3
    href = _export_href(html)
    assert "sort=-name" in href and "active=all" in href
    import io

    import pandas as pd

    sheet = pd.read_excel(io.BytesIO(client.get(href).data), engine="calamine")
    assert list(sheet["姓名"][: len(names)]) == names


@pytest.mark.parametrize(
    "query", ["sort=;drop table units", "sort=--name", "page=100000", "sort=name&page=-3"]
)
def test_odd_sorts_and_pages_answer_with_a_page(demo, client, query):
    _demo_login(client, "bureau")
    response = client.get(f"/leaders/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert TOTAL.search(html)
    assert "没有符合条件的领导" not in html  # the last page, not an empty one


def test_sortable_headers_show_an_arrow_and_the_current_direction(demo, client):
    _demo_login(client, "bureau")
    html = client.get("/leaders/?sort=name").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html
    assert html.count("bi-arrow-down-up") >= 3  # the other sortable headers
    assert 'href="/leaders/?sort=-name"' in html
