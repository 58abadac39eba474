"""Records that break "stages cannot skip", found and listed, never changed: funds entries of a
project not signed or dated before its signing, and projects whose later milestone is dated
while an earlier one is missing (docs/domain.md, "Milestones and stages" and "Funds entry").

The screens and imports refuse such records since December 2026; this finds what came before
(or was written around the services), for the bureau to correct by hand."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, or_

from app.core.scoping import scoped_select
from app.funds.models import FundsEntry
from app.projects.models import Project
from app.projects.stages import STAGES

# The manual milestones in order from 签约 on: each needs every one before it (a signing
# implies the negotiation, so 洽谈 is not required).
CHAIN = ("signed_on", "registered_on", "started_on", "operating_on")


def funds_breaking_signing(actor: Any) -> Select:
    """Entries (not rejected) of an unsigned project, or dated before its signing."""
    return (
        scoped_select(FundsEntry, actor)
        .join(Project, Project.id == FundsEntry.project_id)
        .where(
            Project.deleted_at.is_(None),
            FundsEntry.status != "rejected",
            or_(Project.signed_on.is_(None), FundsEntry.received_on < Project.signed_on),
        )
        .order_by(FundsEntry.received_on, FundsEntry.id)
    )


def milestone_gap_condition():
    """SQL: some milestone of the chain is dated while one before it is not."""
    gaps = [
        and_(getattr(Project, later).is_not(None), getattr(Project, earlier).is_(None))
        for i, later in enumerate(CHAIN)
        for earlier in CHAIN[:i]
    ]
    return or_(*gaps)


def projects_with_gaps(actor: Any) -> Select:
    """Projects whose milestones skip a step."""
    return (
        scoped_select(Project, actor)
        .where(milestone_gap_condition())
        .order_by(Project.unit_id, Project.id)
    )


def missing_milestones(project: Project) -> list[str]:
    """The labels of the milestones a project skipped."""
    labels = {s.date_field: s.label for s in STAGES if s.date_field}
    dated = [getattr(project, f) is not None for f in CHAIN]
    last = max((i for i, d in enumerate(dated) if d), default=-1)
    return [labels[CHAIN[i]] for i in range(last) if not dated[i]]
