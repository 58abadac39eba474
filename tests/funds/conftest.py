"""Funds test helpers: projects of both units, entries written straight to the ledger."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core import history
from app.core.money import wan_to_yuan
from app.extensions import db
from app.funds.models import FundsEntry, evidence_key
from app.projects.models import Project


@pytest.fixture
def projects(make, people) -> dict:
    """A signed project of each unit (contract 10,000 万元 and 5,000 万元)."""
    return {
        "a": make.project(
            people["unit_a"],
            "智能制造产业园",
            "华润置地（深圳）有限公司",
            signed_on=date(2026, 2, 10),
            contract_investment=wan_to_yuan(Decimal(10000)),
            industry="工业",
        ),
        "b": make.project(
            people["unit_b"],
            "文旅综合体",
            "北山文旅集团有限公司",
            signed_on=date(2026, 3, 1),
            contract_investment=wan_to_yuan(Decimal(5000)),
            industry="三产",
            origin_province="浙江省",
            origin_city="杭州市",
        ),
    }


@pytest.fixture
def add_entry(app):
    """Write an entry straight to the ledger (no service checks); return its id."""
    counter = {"n": 0}

    def do(project, amount_wan="100", status="verified", received_on=date(2026, 3, 5), **kw):
        counter["n"] += 1
        ref = kw.pop("ref", f"PZ{counter['n']:05d}")
        with app.app_context():
            history.set_actor(db.session, None)
            entry = FundsEntry(
                project_id=project.id,
                received_on=received_on,
                amount=wan_to_yuan(Decimal(amount_wan)),
                origin=kw.pop("origin", "国内省外"),
                use=kw.pop("use", "固定资产投资"),
                evidence_ref=ref,
                evidence_key=evidence_key(ref),
                status=status,
                **kw,
            )
            db.session.add(entry)
            db.session.commit()
            return entry.id

    return do


@pytest.fixture
def entry_of(app):
    """Read an entry back."""

    def do(entry_id: int) -> FundsEntry:
        with app.app_context():
            entry = db.session.get(FundsEntry, entry_id)
            db.session.expunge(entry)
            return entry

    return do


@pytest.fixture
def funded_on(app):
    """A project's 资金到位 milestone as stored."""

    def do(project) -> date | None:
        with app.app_context():
            return db.session.execute(
                select(Project.funded_on).where(Project.id == project.id)
            ).scalar_one()

    return do


def entry_form(**overrides) -> dict:
    """The new-entry form as a person fills it in."""
    return {
        "received_on": "2026-03-05",
        "amount_wan": "1250.50",
        "origin": "国内省外",
        "use": "固定资产投资",
        "evidence_ref": "YH20260305001",
        "notes": "",
        "submission_id": "",
        **overrides,
    }


def new_entry_id(response) -> int | None:
    """The id of the entry a successful POST created (the ledger redirect has the project)."""
    match = re.search(r"/funds/(\d+)", response.location or "")
    return int(match.group(1)) if match else None


def entries(app, **where) -> list[FundsEntry]:
    """Every entry matching column values, oldest first."""
    with app.app_context():
        stmt = select(FundsEntry).filter_by(**where).order_by(FundsEntry.id)
        rows = list(db.session.execute(stmt).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


@pytest.fixture
def login(client, login):
    """Log in, first logging out whoever is logged in (tests here switch users)."""

    def do(user, **kwargs):
        client.post("/logout")
        return login(user, **kwargs)

    return do
