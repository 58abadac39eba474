"""The ledger's header counts the 履约项目 of its filtered rows, as the 到位资金情况表 does:
distinct projects whose verified entries add up to more than nothing, within the scope."""

from __future__ import annotations

import re
from datetime import date


def _header(client, query: str) -> tuple[str, int]:
    page = client.get(f"/funds/?{query}").get_data(as_text=True)
    total = re.search(r'data-testid="verified-total">([\d,.]+) 万元', page).group(1)
    return total, int(re.search(r'data-testid="performing-projects">(\d+)<', page).group(1))


def test_the_header_counts_distinct_projects_with_verified_funds(client, people, login, make):
    a, b = people["unit_a"], people["unit_b"]
    p1 = make.project(a, "智能制造产业园", "华润置地（深圳）有限公司", signed_on=date(2026, 2, 1))
    p2 = make.project(a, "新能源电池项目", "宁德新能源有限公司", signed_on=date(2026, 2, 1))
    p3 = make.project(b, "文旅综合体", "北山文旅集团有限公司", signed_on=date(2026, 2, 1))
    p4 = make.project(a, "冷链物流园", "顺丰冷链有限公司", signed_on=date(2026, 2, 1))
    make.funds_entry(p1, "3000", received_on=date(2026, 3, 5))
    make.funds_entry(p1, "2000", received_on=date(2026, 9, 10))  # the same project twice
    make.funds_entry(p2, "999", status="pending", received_on=date(2026, 8, 1))  # not verified
    make.funds_entry(p3, "1000", received_on=date(2026, 7, 1))
    received = make.funds_entry(p4, "400", received_on=date(2026, 4, 1))
    make.funds_entry(p4, "-400", received_on=date(2026, 4, 2), reverses_id=received.id)
    make.funds_entry(p2, "50", received_on=date(2026, 11, 3))  # after October
    login(people["bureau"])
    assert _header(client, "year=2026&to=10") == ("6,000.00", 2)  # p4 reversed in full
    assert _header(client, "year=2026&to=11") == ("6,050.00", 3)
    assert _header(client, f"year=2026&to=10&unit_id={b.id}") == ("1,000.00", 1)


def test_a_unit_user_counts_only_its_own_projects(client, people, login, make):
    mine = make.project(people["unit_a"], "智能制造产业园", "华润置地（深圳）有限公司",
                        signed_on=date(2026, 2, 1))  # fmt: skip
    theirs = make.project(people["unit_b"], "文旅综合体", "北山文旅集团有限公司",
                          signed_on=date(2026, 2, 1))  # fmt: skip
    make.funds_entry(mine, "300", received_on=date(2026, 3, 5))
    make.funds_entry(theirs, "700", received_on=date(2026, 3, 5))
    login(people["unit"])
    assert _header(client, "year=2026") == ("300.00", 1)
    assert _header(client, f"year=2026&unit_id={people['unit_b'].id}") == ("0.00", 0)
