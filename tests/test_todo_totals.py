"""Each to-do section shows its exact total whatever the number of items: a section whose
first rows do not fill it is not counted again (registry.total_of), so the edges (none, one,
one short of a full section, a full one, one more, several pages) must all read right."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from app.todo.registry import SHOWN
from tests.care.conftest import CareFactory
from tests.perf.test_query_counts import _signed_in


def _counts(page: str) -> dict[str, str]:
    """Section key -> the count in its header."""
    return dict(
        re.findall(
            r'<section [^>]*data-testid="todo-([^"]+)".*?data-testid="todo-count">([^<]+)<',
            page,
            re.S,
        )
    )


def _shown(page: str, key: str) -> int:
    body = re.search(rf'data-testid="todo-{re.escape(key)}"(.*?)</section>', page, re.S)
    assert body, key
    return len(re.findall(r'<a class="fw-semibold text-break"', body.group(1)))


@pytest.mark.parametrize("n", [0, 1, SHOWN - 1, SHOWN, SHOWN + 1, 2 * SHOWN + 3])
def test_every_section_of_a_unit_and_the_bureau_reads_its_exact_total(
    app, client, people, login, make, monkeypatch, n
):
    # A signed project is stalled only past this: the not-started ones are not also stalled.
    monkeypatch.setitem(app.config, "STAGE_TIME_LIMITS", {**app.config["STAGE_TIME_LIMITS"],
                                                          "signed": 1000})  # fmt: skip
    care = CareFactory(make)
    unit, on = people["unit_a"], care.days_ago(0)
    sent_back = datetime.combine(on, datetime.min.time()) - timedelta(days=1)
    for i in range(n):
        stalled = make.project(unit, f"滞后线索{i}", f"滞后公司{i}", lead_on=care.days_ago(40 + i))
        make.follow_up(stalled, people["unit"], care.days_ago(3), next_step=f"回访{i}",
                       next_due_on=on)  # fmt: skip
        late = make.project(unit, f"未开工{i}", f"未开工公司{i}", lead_on=care.days_ago(500),
                            signed_on=care.days_ago(400))  # fmt: skip
        make.funds_entry(late, status="rejected", verified_at=sent_back,
                         verification_note="凭证不清")  # fmt: skip
        make.funds_entry(late, status="pending")
        make.project(people["unit_b"], f"同名{i}", f"未开工公司{i}有限公司")  # a duplicate pair
    expected = str(n)
    login(people["unit"])
    page = client.get("/").get_data(as_text=True)
    counts = _counts(page)
    for key in ("projects.due_follow_ups", "attention.stalled", "attention.not_started",
                "funds.rejected"):  # fmt: skip
        assert counts[key] == expected, (key, counts)
        assert _shown(page, key) == min(n, SHOWN)
    page = _signed_in(app, people["bureau"]).get("/").get_data(as_text=True)
    counts = _counts(page)
    for key in ("funds.pending", "projects.duplicates"):
        assert counts[key] == expected, (key, counts)
        assert _shown(page, key) == min(n, SHOWN)
