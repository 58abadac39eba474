"""Projects an import writes (bulk inserts, no ORM flush of their rows) show on the very next
view of a dashboard that was kept from before (app/reports/reuse.py)."""

from __future__ import annotations

import lxml.html

from app.projects.transfer import HEADERS
from tests.imports.conftest import project_row, token_of, xlsx

PAGE = "/dashboard?year=2026&month=10"


def _signed(client) -> str:
    html = client.get(PAGE).get_data(as_text=True)
    node = lxml.html.fromstring(html).xpath('//*[@data-testid="kpi-signed"]')[0]
    return " ".join(" ".join(node.itertext()).split())


def test_imported_signed_projects_show_on_the_kept_dashboard(app, client, people, login,
                                                             upload):  # fmt: skip
    login(people["bureau"])
    before = _signed(client)
    assert _signed(client) == before  # kept
    rows = [list(HEADERS), project_row(项目名称="锂电池隔膜项目", 签约日期="2026/4/18",
                                       **{"合同投资额（万元）": "48000"})]  # fmt: skip
    page = upload("projects", xlsx(rows))
    assert client.post(f"/imports/confirm/{token_of(page)}").status_code == 302
    after = _signed(client)
    assert after != before and "1" in after, (before, after)
