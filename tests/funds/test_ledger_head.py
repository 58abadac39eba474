"""The ledger's header (verified and pending totals, 履约项目) and its row count come from one
statement and are kept while no record changes: under every filter and scope they equal the
entries themselves, and the first view after a change shows it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from app.core.money import wan_to_yuan

# (project, 万元, status, received_on, origin)
ENTRIES = [
    ("a", "3000", "verified", date(2026, 3, 5), "国内省外"),
    ("a", "2000", "verified", date(2026, 9, 10), "外资"),
    ("a", "500", "pending", date(2026, 9, 11), "国内省外"),
    ("b", "1000", "verified", date(2026, 7, 1), "国内省外"),
    ("b", "800", "rejected", date(2026, 7, 2), "国内省外"),
    ("b", "700", "pending", date(2025, 12, 30), "省内市外"),
    ("c", "400", "verified", date(2026, 4, 1), "国内省外"),
    ("c", "-400", "verified", date(2026, 4, 2), "国内省外"),  # reverses the one before
    ("c", "90", "verified", date(2025, 6, 1), "外资"),
]

QUERIES = [
    {},
    {"year": "2026"},
    {"year": "2026", "to": "4"},
    {"year": "2026", "from": "7", "to": "9"},
    {"year": "2025"},
    {"origin": "国内省外"},
    {"status": "pending"},
    {"status": "verified", "year": "2026"},
    {"status": "rejected"},
    {"unit": "b"},
    {"unit": "a", "year": "2026", "to": "4"},
]


def _wan(amount: int) -> str:
    return f"{Decimal(amount) / 10000:,.2f}"


def _page(client, args: dict) -> dict:
    page = client.get("/funds/", query_string=args).get_data(as_text=True)

    def found(testid: str, pattern: str = r"(\d+)") -> str:
        return re.search(rf'data-testid="{testid}">{pattern}<', page).group(1)

    verified_n = re.search(r"(\d+) 笔（含冲销）", page).group(1)
    pending_n = re.search(r'pending-total">[^<]*</div>\s*<div[^>]*>(\d+) 笔', page).group(1)
    return {
        "verified": found("verified-total", r"([\d,.]+) 万元"),
        "pending": found("pending-total", r"([\d,.]+) 万元"),
        "performing": int(found("performing-projects")),
        "rows": int(found("list-total")),
        "counts": (verified_n, pending_n),
    }


def _expected(rows: list[tuple], args: dict, units: dict, visible: set) -> dict:
    def kept(r) -> bool:
        key, _wan_amount, status, on, origin = r
        if units[key] not in visible:
            return False
        if "unit" in args and units[key] != args["unit"]:
            return False
        if "year" in args:
            first, last = int(args.get("from", 1)), int(args.get("to", 12))
            if on.year != int(args["year"]) or not first <= on.month <= last:
                return False
        return not ("origin" in args and origin != args["origin"])

    chosen = [r for r in rows if kept(r)]

    def total(status: str) -> int:
        return sum(wan_to_yuan(Decimal(r[1])) for r in chosen if r[2] == status)

    per_project: dict[str, int] = {}
    for r in chosen:
        if r[2] == "verified":
            per_project[r[0]] = per_project.get(r[0], 0) + wan_to_yuan(Decimal(r[1]))
    listed = [r for r in chosen if args.get("status") in (None, r[2])]
    return {
        "verified": _wan(total("verified")),
        "pending": _wan(total("pending")),
        "performing": sum(1 for amount in per_project.values() if amount > 0),
        "rows": len(listed),
        "counts": (
            str(sum(1 for r in chosen if r[2] == "verified")),
            str(sum(1 for r in chosen if r[2] == "pending")),
        ),
    }


@pytest.fixture
def ledger(app, make, people, add_entry):
    """Projects a and c of unit A, b of unit B, and ENTRIES on them."""
    projects = {
        "a": make.project(people["unit_a"], "智能制造产业园", "华润置地（深圳）有限公司",
                          signed_on=date(2025, 2, 1)),
        "b": make.project(people["unit_b"], "文旅综合体", "北山文旅集团有限公司",
                          signed_on=date(2025, 2, 1)),
        "c": make.project(people["unit_a"], "冷链物流园", "顺丰冷链有限公司",
                          signed_on=date(2025, 2, 1)),
    }  # fmt: skip
    last = {}
    for key, amount, status, on, origin in ENTRIES:
        reverses = last.get(key) if amount.startswith("-") else None
        last[key] = add_entry(projects[key], amount, status, on, origin=origin,
                              reverses_id=reverses)  # fmt: skip
    return projects


@pytest.mark.parametrize("args", QUERIES, ids=lambda a: "&".join(f"{k}={v}" for k, v in a.items()))
@pytest.mark.parametrize("who", ["bureau", "unit"])
def test_the_header_and_the_row_count_equal_the_entries(client, login, people, ledger, args, who):
    units = {"a": "a", "b": "b", "c": "a"}
    visible = {"a", "b"} if who == "bureau" else {"a"}
    query = {k: v for k, v in args.items() if k != "unit"}
    if "unit" in args:
        query["unit_id"] = people[f"unit_{args['unit']}"].id
    login(people[who])
    assert _page(client, query) == _expected(ENTRIES, args, units, visible)


def test_paging_and_sorting_keep_the_figures_and_a_change_shows_at_once(
    client, login, people, ledger, add_entry
):
    login(people["bureau"])
    first = _page(client, {"year": "2026"})
    assert _page(client, {"year": "2026", "sort": "amount", "page": "2"}) == first
    add_entry(ledger["b"], "250", "verified", date(2026, 10, 8))
    after = _page(client, {"year": "2026", "sort": "amount"})
    assert after["verified"] == _wan(wan_to_yuan(Decimal("6250")))  # 3000+2000+1000+400-400+250
    assert after["rows"] == first["rows"] + 1
    assert after["performing"] == first["performing"]  # b already had verified funds
