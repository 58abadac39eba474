"""Data written into a <script> block is escaped JSON: no text can close the block."""

from __future__ import annotations

import json
import re

from app.reports import views as report_views

HOSTILE = "</script><script>alert(1)</script><!--"


def test_the_dashboards_chart_data_cannot_close_its_script_block(
    client, people, login, monkeypatch
):
    real = report_views._chart_data
    monkeypatch.setattr(
        report_views, "_chart_data", lambda board: {**real(board), "note": HOSTILE}
    )
    login(people["bureau"])
    page = client.get("/dashboard").get_data(as_text=True)
    block = re.search(
        r'<script type="application/json" id="dashboard-data">(.*?)</script>', page, re.S
    ).group(1)
    assert "<" not in block and "alert(1)</script>" not in page
    assert json.loads(block)["note"] == HOSTILE  # the browser's JSON.parse reads it back
