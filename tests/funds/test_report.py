"""The funds report: verified by unit, origin, use, industry, province; pending apart; links."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from app.reports.figures import funds as figures


def _figures(page: str, testid: str) -> dict[str, str]:
    """Label -> amount of one breakdown table of the report page."""
    table = page.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    return dict(
        re.findall(r"<tr><td>([^<]+)</td><td class=\"text-end\"><a[^>]*>([\d,.]+)</a>", table)
    )


def test_the_report_splits_verified_funds_and_shows_pending_apart(
    app, client, people, login, projects, add_entry
):
    add_entry(projects["a"], "100", origin="国内省外", use="固定资产投资")
    add_entry(projects["a"], "50.25", origin="外资", use="流动资金", received_on=date(2026, 4, 1))
    add_entry(projects["b"], "30", origin="省内市外")
    add_entry(projects["b"], "999", status="pending")
    add_entry(projects["a"], "5", status="rejected")
    add_entry(projects["a"], "1", received_on=date(2025, 12, 31))  # outside the year
    login(people["bureau"])
    page = client.get("/funds/report?year=2026&from=1&to=10").get_data(as_text=True)
    assert 'data-testid="verified-wan">180.25 万元' in page
    assert 'data-testid="pending-wan">999.00 万元' in page
    assert _figures(page, "by-origin") == {
        "国内省外": "100.00",
        "省内市外": "30.00",
        "市内区外": "0.00",
        "外资": "50.25",
    }
    assert _figures(page, "by-use") == {"固定资产投资": "130.00", "流动资金": "50.25"}
    assert _figures(page, "by-industry") == {"工业": "150.25", "三产": "30.00", "农业": "0.00"}
    assert _figures(page, "by-province") == {"广东省": "150.25", "浙江省": "30.00"}
    by_unit = page.split('data-testid="by-unit"')[1].split("</table>")[0]
    assert "城关街道" in by_unit and "150.25" in by_unit and "北山镇" in by_unit
    assert "999.00" in by_unit  # pending, in its own column


def test_every_figure_links_to_the_entries_behind_it(
    app, client, people, login, projects, add_entry
):
    add_entry(projects["a"], "100", origin="国内省外", ref="A-GN")
    add_entry(projects["a"], "50", origin="外资", ref="A-WZ")
    add_entry(projects["b"], "30", origin="外资", ref="B-WZ")
    login(people["bureau"])
    page = client.get("/funds/report?year=2026&from=1&to=10").get_data(as_text=True)
    links = re.findall(r'href="(/funds/\?[^"]+)" data-testid="figure">([\d,.]+)<', page)
    assert links
    for href, amount in links:
        ledger = client.get(unescape(href)).get_data(as_text=True)
        shown = re.search(r'data-testid="verified-total">([\d,.]+) 万元', ledger).group(1)
        assert shown == amount, href
    foreign = next(h for h, a in links if "origin=%E5%A4%96%E8%B5%84" in h)
    ledger = client.get(unescape(foreign)).get_data(as_text=True)
    assert "A-WZ" in ledger and "B-WZ" in ledger and "A-GN" not in ledger


def test_a_leader_reads_the_whole_report_and_a_unit_only_its_own(
    client, people, login, projects, add_entry
):
    add_entry(projects["a"], "100")
    add_entry(projects["b"], "30")
    login(people["leader"])
    page = client.get("/funds/report?year=2026").get_data(as_text=True)
    assert 'data-testid="verified-wan">130.00 万元' in page
    login(people["other_unit"])
    page = client.get("/funds/report?year=2026").get_data(as_text=True)
    assert 'data-testid="verified-wan">30.00 万元' in page and "城关街道" not in page


def test_the_project_panel_shows_the_rate_against_the_contract_and_pending_apart(
    app, client, people, login, projects, make, add_entry
):
    add_entry(projects["a"], "2500")
    add_entry(projects["a"], "100", status="pending")
    login(people["unit"])
    page = client.get(f"/projects/{projects['a'].id}").get_data(as_text=True)
    panel = page.split('data-testid="funds-panel"')[1]
    assert 'data-testid="funds-verified">2,500.00' in panel
    assert 'data-testid="funds-rate">25.0%' in panel
    assert "待核实 100.00 万元" in panel
    lead = make.project(people["unit_a"], "没有合同的线索", "线索公司")
    page = client.get(f"/projects/{lead.id}").get_data(as_text=True)
    assert 'data-testid="funds-rate">—' in page


def test_project_rate_is_a_dash_without_a_contract(app, make, people):
    project = make.project(people["unit_a"], "线索", "某公司")
    with app.app_context():
        from app.extensions import db
        from app.projects.models import Project

        figures_ = figures.project_funds(db.session.get(Project, project.id))
        assert figures_.rate is None and figures_.rate_text == "—"
