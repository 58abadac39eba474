"""Writes on the funds ledger: enter, change while pending, verify, reject, correct; funded_on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app import periods
from app.core import bulk, history
from app.core.dates import today
from app.core.db import utcnow
from app.core.forms import ServiceError, ensure_current
from app.core.money import wan_to_yuan
from app.extensions import db
from app.funds import access, evidence
from app.funds.models import ORIGINS, USES, FundsEntry, evidence_key
from app.projects.models import Project

MAX_WAN = Decimal("100000000")  # 1 万亿元 in one entry: a typo, not a receipt
EARLIEST = date(1990, 1, 1)


@dataclass
class EntryData:
    """A funds entry's fields as a person or a spreadsheet gives them (amount in 万元)."""

    received_on: date | None
    amount_wan: Decimal | None
    origin: str
    use: str
    evidence_ref: str
    notes: str | None = None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def live_entries(project_ids: int | list[int]):
    """Entries of projects that still hold their 凭证号: not rejected, not a reversal, not
    reversed by one. A rejected or corrected entry frees its 凭证号 for the one replacing it."""
    ids = [project_ids] if isinstance(project_ids, int) else list(project_ids)
    reversal = aliased(FundsEntry)
    reversed_ = select(reversal.id).where(reversal.reverses_id == FundsEntry.id).exists()
    return select(FundsEntry).where(
        FundsEntry.project_id.in_(ids),
        FundsEntry.status != "rejected",
        FundsEntry.reverses_id.is_(None),
        ~reversed_,
    )


def taken_references(project_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(project, 凭证号 key) pairs held by live entries of these projects."""
    ids = sorted(set(project_ids))
    taken: set[tuple[int, str]] = set()
    for start in range(0, len(ids), 500):
        stmt = live_entries(ids[start : start + 500]).with_only_columns(
            FundsEntry.project_id, FundsEntry.evidence_key
        )
        taken.update((pid, key) for pid, key in db.session.execute(stmt))
    return taken


def reference_taken(project_id: int, reference: str, exclude_id: int | None = None) -> bool:
    """True when another live entry of the project carries the same 凭证号."""
    stmt = live_entries(project_id).where(FundsEntry.evidence_key == evidence_key(reference))
    if exclude_id is not None:
        stmt = stmt.where(FundsEntry.id != exclude_id)
    return db.session.execute(stmt.limit(1)).first() is not None


def amount_problem(amount: Decimal | None) -> str | None:
    """Why a 万元 amount cannot be a receipt, or None."""
    if amount is None:
        return "请填写金额（万元）"
    if amount <= 0:
        return "金额须大于 0（冲销请由投资促进局使用“更正”）"
    if amount > MAX_WAN:
        return "金额过大（单笔超过 1 万亿元），请核对单位是否为万元"
    return None


def date_problem(on: date | None) -> str | None:
    """Why a date cannot be a receipt date, or None."""
    if on is None:
        return "请填写到位日期"
    if on > today():
        return "到位日期不能晚于今天"
    if on < EARLIEST:
        return "到位日期过早，请核对"
    return None


def signing_problem(signed_on: date | None, received_on: date | None) -> str | None:
    """Why funds cannot have arrived for a project signed on `signed_on`, or None: funds
    arrive only for a signed project, on or after its signing (docs/domain.md, "Funds entry"),
    so the stage can never skip 签约."""
    if signed_on is None:
        return "项目尚未签约，不能登记到位资金：资金到位须在签约之后"
    if received_on is not None and received_on < signed_on:
        return f"到位日期早于项目签约日期（{signed_on.isoformat()}），资金须在签约之后到位"
    return None


def entry_problems(data: EntryData) -> dict[str, str]:
    """Every problem with the fields, by field name, in Chinese (without the database)."""
    errors: dict[str, str] = {}
    for name, problem in (
        ("received_on", date_problem(data.received_on)),
        ("amount_wan", amount_problem(data.amount_wan)),
    ):
        if problem:
            errors[name] = problem
    if data.origin not in ORIGINS:
        errors["origin"] = "资金类型须为 " + " / ".join(ORIGINS)
    if data.use not in USES:
        errors["use"] = "资金用途须为 " + " / ".join(USES)
    reference = _clean(data.evidence_ref)
    if not reference:
        errors["evidence_ref"] = "请填写凭证号"
    elif len(reference) > 100:
        errors["evidence_ref"] = "凭证号不能超过 100 字"
    return errors


def lock_projects(project_ids: Iterable[int]) -> None:
    """Serialise writers of these projects' ledgers (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already does), so two sessions cannot both take a 凭证号."""
    ids = sorted(set(project_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        db.session.execute(select(Project.id).where(Project.id.in_(chunk)).with_for_update())


def _checked(project: Project, data: EntryData, exclude_id: int | None = None) -> None:
    errors = entry_problems(data)
    if "received_on" not in errors:
        problem = signing_problem(project.signed_on, data.received_on)
        if problem:
            errors["received_on"] = problem
    if "evidence_ref" not in errors:
        lock_projects([project.id])
        if reference_taken(project.id, data.evidence_ref, exclude_id):
            errors["evidence_ref"] = (
                f"本项目已登记过凭证号“{_clean(data.evidence_ref)}”，不能重复录入"
            )
    if errors:
        raise ServiceError(errors)


def _apply(entry: FundsEntry, data: EntryData) -> None:
    entry.received_on = data.received_on
    entry.amount = wan_to_yuan(data.amount_wan)
    entry.origin = data.origin
    entry.use = data.use
    entry.evidence_ref = _clean(data.evidence_ref)
    entry.evidence_key = evidence_key(entry.evidence_ref)
    entry.notes = (data.notes or "").strip() or None


def _attach(entry: FundsEntry, stored: evidence.StoredFile | None) -> None:
    if stored is not None:
        entry.evidence_path = stored.path
        entry.evidence_name = stored.name
        entry.evidence_type = stored.mime
        entry.evidence_size = stored.size


def create_entry(
    project: Project,
    data: EntryData,
    actor: Any,
    *,
    stored: evidence.StoredFile | None = None,
    submission_id: str | None = None,
) -> FundsEntry:
    """Record funds received by a project; it waits for the bureau's verification."""
    if not access.can_enter(actor, project):
        raise ServiceError("只能为本单位的项目录入到位资金")
    _checked(project, data)
    entry = FundsEntry(
        project_id=project.id,
        status="pending",
        entered_by_id=actor.id,
        submission_id=submission_id,
    )
    _apply(entry, data)
    _attach(entry, stored)
    db.session.add(entry)
    db.session.flush()
    return entry


def update_entry(
    entry: FundsEntry,
    data: EntryData,
    actor: Any,
    version: Any,
    *,
    stored: evidence.StoredFile | None = None,
) -> None:
    """Change an entry that still waits for verification; refuse a stale form."""
    if not access.can_edit(actor, entry):
        raise ServiceError("只有待核实的记录可以修改；已核实的记录请由投资促进局更正")
    ensure_current(entry, version)
    _checked(entry.project, data, exclude_id=entry.id)
    _apply(entry, data)
    _attach(entry, stored)


def verify_entry(entry: FundsEntry, actor: Any, note: str | None) -> None:
    """The bureau confirms an entry: it counts in the official figures from now on."""
    if not access.can_verify(actor):
        raise ServiceError("只有投资促进局可以核实到位资金")
    if entry.status != "pending":
        raise ServiceError(f"该记录{entry.status_label}，不能再核实")
    problem = signing_problem(entry.project.signed_on, entry.received_on)
    if problem:
        raise ServiceError({"note": f"不能核实：{problem}"})
    if periods.reason_required(entry.received_on):  # 月结: a reason, in history
        if not (note or "").strip():
            raise ServiceError({"note": periods.reason_required_message(entry.received_on)})
        history.note_reason(db.session, f"核实已月结月份的到位资金：{note.strip()}")
    entry.status = "verified"
    entry.verified_by_id = actor.id
    entry.verified_at = utcnow()
    entry.verification_note = (note or "").strip() or None
    db.session.flush()
    recompute_funded_on([entry.project_id])


def reject_entry(entry: FundsEntry, actor: Any, note: str | None) -> None:
    """The bureau sends an entry back, saying why; it never counts."""
    if not access.can_verify(actor):
        raise ServiceError("只有投资促进局可以退回到位资金")
    if entry.status != "pending":
        raise ServiceError(f"该记录{entry.status_label}，不能再退回")
    if not (note or "").strip():
        raise ServiceError({"note": "退回须说明原因"})
    entry.status = "rejected"
    entry.verified_by_id = actor.id
    entry.verified_at = utcnow()
    entry.verification_note = note.strip()


def describe_entry(entry: FundsEntry) -> str:
    """How a bulk action names an entry it refused."""
    return f"{entry.project.name} {entry.received_on} 凭证号 {entry.evidence_ref}（#{entry.id}）"


def verify_entries(entry_ids: list[int], actor: Any, note: str | None) -> list[FundsEntry]:
    """Verify the selected entries together, all or none (app.core.bulk): each through
    verify_entry, with its own history entry; the one note serves them all."""
    if not access.can_verify(actor):
        raise ServiceError("只有投资促进局可以核实到位资金")
    return bulk.apply_each(
        FundsEntry, entry_ids, actor, lambda e: verify_entry(e, actor, note), describe_entry
    )


def reject_entries(entry_ids: list[int], actor: Any, note: str | None) -> list[FundsEntry]:
    """Send the selected entries back together with one reason, all or none (app.core.bulk)."""
    if not access.can_verify(actor):
        raise ServiceError("只有投资促进局可以退回到位资金")
    if not (note or "").strip():
        raise ServiceError({"note": "退回须说明原因（所选记录共用这一条）"})
    return bulk.apply_each(
        FundsEntry, entry_ids, actor, lambda e: reject_entry(e, actor, note), describe_entry
    )


def reversal_of(entry_id: int) -> FundsEntry | None:
    """The entry that reverses this one, if any."""
    return db.session.execute(
        select(FundsEntry).where(FundsEntry.reverses_id == entry_id)
    ).scalar_one_or_none()


def correct_entry(
    entry: FundsEntry,
    reason: str,
    replacement: EntryData | None,
    actor: Any,
    *,
    stored: evidence.StoredFile | None = None,
) -> tuple[FundsEntry, FundsEntry | None]:
    """Correct a verified entry: a reversing entry cancels it and, unless it was wrong
    altogether, a new verified entry replaces it. Both carry the reason and point at it."""
    reason = (reason or "").strip()
    lock_projects([entry.project_id])
    if not access.can_correct(actor, entry) or reversal_of(entry.id) is not None:
        raise ServiceError("只有投资促进局可以更正已核实且尚未冲销的记录")
    if not reason:
        raise ServiceError({"reason": "更正须说明原因"})
    if replacement is not None:
        errors = entry_problems(replacement)
        problem = signing_problem(entry.project.signed_on, replacement.received_on)
        if problem and "received_on" not in errors:
            errors["received_on"] = problem
        if errors:
            raise ServiceError(errors)
    now = utcnow()
    history.note_reason(db.session, f"更正到位资金 #{entry.id}：{reason}")
    reversal = FundsEntry(
        project_id=entry.project_id,
        received_on=entry.received_on,  # the cancelled sum leaves the period it was counted in
        amount=-entry.amount,
        origin=entry.origin,
        use=entry.use,
        evidence_ref=entry.evidence_ref,
        evidence_key=entry.evidence_key,
        notes=f"冲销 #{entry.id}",
        status="verified",
        entered_by_id=actor.id,
        verified_by_id=actor.id,
        verified_at=now,
        verification_note=reason,
        reverses_id=entry.id,
        correction_reason=reason,
    )
    db.session.add(reversal)
    db.session.flush()
    new = None
    if replacement is not None:
        if reference_taken(entry.project_id, replacement.evidence_ref):
            raise ServiceError({"evidence_ref": "本项目已有其他记录使用该凭证号"})
        new = FundsEntry(
            project_id=entry.project_id,
            status="verified",
            entered_by_id=actor.id,
            verified_by_id=actor.id,
            verified_at=now,
            verification_note=reason,
            replaces_id=entry.id,
            correction_reason=reason,
        )
        _apply(new, replacement)
        for name in ("evidence_path", "evidence_name", "evidence_type", "evidence_size"):
            setattr(new, name, getattr(entry, name))
        _attach(new, stored)
        history.note_reason(db.session, f"更正到位资金 #{entry.id}：{reason}")
        db.session.add(new)
        db.session.flush()
    history.note_reason(db.session, f"更正到位资金 #{entry.id}：{reason}")
    recompute_funded_on([entry.project_id])
    db.session.info.pop("history_reason", None)  # unused when the milestone did not move
    return reversal, new


def first_positive_dates(project_ids: list[int]) -> dict[int, date]:
    """Per project, the date its verified running total first became positive."""
    found: dict[int, date] = {}
    for start in range(0, len(project_ids), 500):
        chunk = project_ids[start : start + 500]
        rows = db.session.execute(
            select(FundsEntry.project_id, FundsEntry.received_on, func.sum(FundsEntry.amount))
            .where(FundsEntry.project_id.in_(chunk), FundsEntry.status == "verified")
            .group_by(FundsEntry.project_id, FundsEntry.received_on)
            .order_by(FundsEntry.project_id, FundsEntry.received_on)
        )
        running: dict[int, int] = {}
        for project_id, on, total in rows:
            if project_id in found:
                continue
            running[project_id] = running.get(project_id, 0) + int(total)
            if running[project_id] > 0:
                found[project_id] = on
    return found


def _funded_on(signed_on: date | None, first_funds: date | None) -> date | None:
    """资金到位 never precedes 签约: an unsigned project has not reached it whatever its
    ledger holds (entries from before the rule are listed by `flask check-stages`)."""
    if signed_on is None or first_funds is None:
        return None
    return max(signed_on, first_funds)


def recompute_funded_on(project_ids: Iterable[int]) -> None:
    """Set each project's 资金到位 milestone from its verified ledger (None if never funded).
    The one place funded_on is written; called whenever verification state changes."""
    ids = sorted(set(project_ids))
    if not ids:
        return
    db.session.flush()
    first = first_positive_dates(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for project in db.session.execute(select(Project).where(Project.id.in_(chunk))).scalars():
            funded_on = _funded_on(project.signed_on, first.get(project.id))
            if project.funded_on != funded_on:
                project.funded_on = funded_on
    db.session.flush()
