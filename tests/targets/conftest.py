"""Target test helpers: targets and funds written straight to the tables; a table reader."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import lxml.html
import pytest

from app.core.money import wan_to_yuan
from app.funds.models import FundsEntry, evidence_key
from app.targets.models import Target


@pytest.fixture
def add_target(make):
    """A unit's target for a year; amounts in 万元 (strings), counts as integers."""

    def do(unit, year=2025, **values):
        for key, value in list(values.items()):
            if isinstance(value, str):
                values[key] = wan_to_yuan(Decimal(value))
        return make.add(Target(unit_id=unit.id, year=year, **values))

    return do


@pytest.fixture
def add_funds(make):
    """A funds entry of a project (verified unless told), amount in 万元."""
    counter = {"n": 0}

    def do(project, amount_wan, received_on, status="verified", origin="国内省外"):
        counter["n"] += 1
        ref = f"MB{counter['n']:05d}"
        return make.add(
            FundsEntry(
                project_id=project.id,
                received_on=received_on,
                amount=wan_to_yuan(Decimal(amount_wan)),
                origin=origin,
                use="固定资产投资",
                evidence_ref=ref,
                evidence_key=evidence_key(ref),
                status=status,
            )
        )

    return do


@pytest.fixture
def signed(make):
    """A project signed on a date, contract in 万元 (planned likewise when given)."""
    counter = {"n": 0}

    def do(unit, on, contract="1000", planned="0", **fields):
        counter["n"] += 1
        return make.project(
            unit,
            f"测试项目{counter['n']}",
            f"测试投资有限公司{counter['n']}",
            lead_on=fields.pop("lead_on", date(on.year, 1, 1)),
            negotiating_on=on,
            signed_on=on,
            contract_investment=wan_to_yuan(Decimal(contract)),
            planned_investment=wan_to_yuan(Decimal(planned)),
            **fields,
        )

    return do


def read_table(html: str) -> dict[str, dict[str, str]]:
    """unit name -> {"rank", "<measure>-rate", "<measure>-lag", "<measure>-light", "...-title"}
    as the completion table shows them."""
    doc = lxml.html.fromstring(html)
    rows = {}
    for tr in doc.xpath('//table[@data-testid="target-table"]//tr[@data-unit]'):
        cells = {}
        for td in tr.xpath(".//td[@data-testid]"):
            key = td.get("data-testid")
            cells[key] = " ".join(td.text_content().split())
            if key.endswith("-rate"):
                base = key[: -len("-rate")]
                lights = td.xpath(".//*[@data-light]")
                cells[base + "-light"] = lights[0].get("data-light") if lights else ""
                cells[base + "-title"] = td.get("title", "")
        rows[tr.get("data-unit")] = cells
    return rows


@pytest.fixture
def table(client):
    """The completion table for a year and month, read from the page."""

    def do(year=2025, month=12):
        response = client.get(f"/targets/?year={year}&month={month}")
        assert response.status_code == 200
        return read_table(response.get_data(as_text=True))

    return do


def rate_text(cells: dict, key: str) -> str:
    """The rate as shown, without the light's hidden label."""
    return cells[f"{key}-rate"].replace("绿灯", "").replace("黄灯", "").replace("红灯", "").strip()
