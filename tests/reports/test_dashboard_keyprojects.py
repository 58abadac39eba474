"""The dashboard's key-project cards: the hand-computed numbers, each a link to the list of
exactly that many key projects; a unit user's cards count only its own."""

from __future__ import annotations

import lxml.html
import pytest

from tests.keyprojects.key_district import QUERY, key_district_fixture  # noqa: F401

URL = f"/dashboard?{QUERY}"
LINKED = ("key-count", "key-big", "key-unlisted", "key-idle", "key-stuck", "key-slow")


def _page(client) -> lxml.html.HtmlElement:
    response = client.get(URL)
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def _text(tree, testid: str) -> str:
    node = tree.xpath(f'//*[@data-testid="{testid}"]')[0]
    return " ".join(" ".join(node.itertext()).split())


def _number(tree, testid: str) -> int:
    """The count a card shows (its digits: "包而不推 1 个" → 1)."""
    return int("".join(ch for ch in _text(tree, testid) if ch.isdigit()))


def _href(tree, testid: str) -> str:
    node = tree.xpath(f'//*[@data-testid="{testid}"]')[0]
    while node.get("href") is None:
        node = node.getparent()
    return node.get("href")


def _listed(client, href: str) -> list[str]:
    response = client.get(href)
    assert response.status_code == 200, href
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    return tree.xpath('//*[@data-testid="records"]//tr[@data-key-project]/@data-key-project')


def test_the_cards_show_the_hand_computed_figures(client, login, people, key_district):
    login(people["bureau"])
    tree = _page(client)
    assert _number(tree, "key-count") == 3
    card = _text(tree, "kpi-key")
    assert "累计完成 0.92 / 年度计划 1.30 亿元" in card and "完成率 70.77%" in card
    assert "红灯" in _text(tree, "key-light")
    assert _number(tree, "key-big") == 2 and "总投资 3.20 亿元" in _text(tree, "kpi-key-big")
    assert _number(tree, "key-unlisted") == 1
    assert [_number(tree, f"key-{k}") for k in ("idle", "stuck", "slow")] == [1, 1, 1]


def test_each_number_links_to_a_list_of_exactly_that_many(client, login, people, key_district):
    login(people["bureau"])
    tree = _page(client)
    for testid in LINKED:
        href = _href(tree, testid)
        assert "year=2026" in href and "month=10" in href
        assert len(_listed(client, href)) == _number(tree, testid), testid
    red = _listed(client, _href(tree, "key-light"))
    assert red == [str(key_district.kp2.id)]  # the 合计 is red; so is kp2 alone


def test_a_units_cards_count_only_its_own_key_projects(client, login, people, key_district):
    login(people["unit"])
    tree = _page(client)
    assert _number(tree, "key-count") == 2
    assert "累计完成 0.62 / 年度计划 1.00 亿元" in _text(tree, "kpi-key")
    assert [_number(tree, t) for t in ("key-big", "key-unlisted", "key-slow")] == [1, 0, 1]
    listed = _listed(client, _href(tree, "key-count"))
    assert sorted(listed) == sorted([str(key_district.kp1.id), str(key_district.kp2.id)])
    for testid in LINKED:
        assert len(_listed(client, _href(tree, testid))) == _number(tree, testid), testid


def test_the_other_unit_does_not_see_the_first_units_projects(client, login, people, key_district):
    login(people["other_unit"])
    tree = _page(client)
    assert _number(tree, "key-count") == 1
    assert _listed(client, _href(tree, "key-count")) == [str(key_district.kp3.id)]


@pytest.mark.parametrize(("role", "status"), [("leader", 200), ("admin", 200), ("auditor", 403)])
def test_who_sees_the_cards(client, login, people, key_district, role, status):
    login(people[role])
    response = client.get(URL)
    assert response.status_code == status
    if status == 200:
        assert _number(lxml.html.fromstring(response.get_data(as_text=True)), "key-count") == 3


def test_a_year_without_key_projects_shows_zeros_not_errors(client, login, people):
    login(people["bureau"])
    response = client.get("/dashboard?year=2024&month=12")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    assert _number(tree, "key-count") == 0 and "完成率 —" in _text(tree, "kpi-key")
