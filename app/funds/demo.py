"""Demo funds: receipts for the signed demo projects, most verified, some pending, one sent
back, one corrected by a reversal; works off whatever projects the database holds."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.auth.models import User
from app.core.dates import today
from app.core.db import utcnow
from app.core.money import wan_to_yuan
from app.extensions import db
from app.funds.models import FundsEntry, evidence_key
from app.funds.services import EntryData, correct_entry, recompute_funded_on
from app.projects.models import Project

VERIFY_AFTER_DAYS = 20  # older receipts have been verified; newer ones wait
BANKS = ("GH", "NH", "ZH", "JH", "JT", "ZS")  # 工行、农行、中行、建行、交行、招行 回单前缀


def _origin(rng: random.Random, project: Project) -> str:
    if project.foreign_funded:
        return "外资"
    return rng.choices(("国内省外", "省内市外", "市内区外"), (6, 3, 1))[0]


def _amounts(rng: random.Random, contract_yuan: int, count: int) -> list[Decimal]:
    """Receipts summing to 15–85 % of the contract, in whole 万元 with some cents."""
    share = Decimal(rng.randint(15, 85)) / 100
    total = Decimal(contract_yuan) / 10_000 * share
    weights = [rng.random() + 0.3 for _ in range(count)]
    scale = sum(weights)
    out = []
    for w in weights:
        value = (total * Decimal(w) / Decimal(scale)).quantize(Decimal("0.01"))
        out.append(max(Decimal("10.00"), value))
    return out


def _dates(rng: random.Random, start: date, end: date, count: int) -> list[date]:
    span = max(0, (end - start).days)
    return sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count))


def _entry(project: Project, on: date, amount: Decimal, rng: random.Random, n: int) -> FundsEntry:
    reference = f"{rng.choice(BANKS)}{on:%Y%m%d}{project.id:04d}{n:02d}"
    return FundsEntry(
        project_id=project.id,
        received_on=on,
        amount=wan_to_yuan(amount),
        origin=_origin(rng, project),
        use="固定资产投资" if rng.random() < 0.8 else "流动资金",
        evidence_ref=reference,
        evidence_key=evidence_key(reference),
        status="pending",
    )


def seed(rng: random.Random | None = None) -> list[FundsEntry]:
    """Add funds entries for the signed projects in the database; return them."""
    rng = rng or random.Random(20_261_122)
    bureau = (
        db.session.execute(
            select(User).where(User.role == "bureau", User.active.is_(True)).order_by(User.id)
        )
        .scalars()
        .first()
    )
    unit_users = {
        u.unit_id: u
        for u in db.session.execute(
            select(User).where(User.role == "unit").order_by(User.id)
        ).scalars()
    }
    projects = (
        db.session.execute(
            select(Project)
            .where(Project.deleted_at.is_(None), Project.signed_on.is_not(None))
            .order_by(Project.id)
        )
        .scalars()
        .all()
    )
    now, created = today(), []
    for project in projects:
        if not project.contract_investment or rng.random() < 0.25:
            continue  # signed, nothing received yet
        count = rng.randint(1, 4)
        start = project.registered_on or project.signed_on
        amounts = _amounts(rng, project.contract_investment, count)
        for n, (on, amount) in enumerate(zip(_dates(rng, start, now, count), amounts, strict=True)):
            entry = _entry(project, on, amount, rng, n)
            user = unit_users.get(project.unit_id) or bureau
            entry.entered_by_id = user.id if user else None
            if bureau is not None and (now - on).days > VERIFY_AFTER_DAYS:
                entry.status = "verified"
                entry.verified_by_id = bureau.id
                entry.verified_at = utcnow()
                entry.verification_note = "已核对银行回单"
            created.append(entry)
    db.session.add_all(created)
    db.session.flush()
    if bureau is not None:
        _send_one_back(created, bureau)
        _correct_one(created, bureau)
    recompute_funded_on({p.id for p in projects})
    return created


def _send_one_back(created: list[FundsEntry], bureau: User) -> None:
    pending = [e for e in created if e.status == "pending"]
    if pending:
        entry = pending[0]
        entry.status = "rejected"
        entry.verified_by_id = bureau.id
        entry.verified_at = utcnow()
        entry.verification_note = "回单为区内企业转账，不属于招商引资到位资金"


def _correct_one(created: list[FundsEntry], bureau: User) -> None:
    verified = [e for e in created if e.status == "verified"]
    if not verified:
        return
    entry = verified[len(verified) // 2]
    right = (entry.amount_wan * Decimal("0.9")).quantize(Decimal("0.01"))
    replacement = EntryData(
        entry.received_on, right, entry.origin, entry.use, entry.evidence_ref, "更正后金额"
    )
    correct_entry(entry, "录入时多计了手续费，按银行回单更正", replacement, bureau)
