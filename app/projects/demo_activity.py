"""Demo follow-ups and contacts for a demo project (random.Random passed in, so deterministic)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from pypinyin import lazy_pinyin

from app.auth.models import User
from app.core import phones
from app.projects import demo_words as words
from app.projects.models import FollowUp, Project, ProjectContact
from app.projects.stages import STAGES


def stage_on(project: Project, on: date) -> int:
    """The stage order the project stood at on a day (for a fitting follow-up text)."""
    reached = [
        s.order
        for s in STAGES
        if s.date_field and getattr(project, s.date_field) and getattr(project, s.date_field) <= on
    ]
    return max([0, *reached])


def follow_ups(rng: random.Random, project: Project, user: User, today: date) -> list[FollowUp]:
    """Several follow-ups over the project's life; the latest of an active one has a next step,
    due already for about one in four."""
    end = project.dropped_on or today
    span = (end - project.lead_on).days
    active = project.dropped_on is None and project.stage_order < 6
    count = min(span + 1, rng.randint(1, 3) if project.stage_order == 0 else rng.randint(2, 5))
    days = sorted(rng.sample(range(span + 1), count))
    if active and span > 40:
        days = sorted({*days[:-1], max(days[-1], span - rng.randint(0, 30))})  # a recent one
    rows = []
    for i, offset in enumerate(days):
        on = project.lead_on + timedelta(days=offset)
        kind, summary = rng.choice(words.FOLLOW_UPS[stage_on(project, on)])
        row = FollowUp(
            project_id=project.id, user_id=user.id, happened_on=on, kind=kind, summary=summary
        )
        if i + 1 < len(days):  # a step the next follow-up took up
            row.next_step = rng.choice(words.NEXT_STEPS)
            row.next_due_on = project.lead_on + timedelta(days=days[i + 1])
        elif active:
            row.next_step = rng.choice(words.NEXT_STEPS)
            row.next_due_on = on + timedelta(days=rng.randint(7, 60))
        rows.append(row)
    return rows


def contacts(rng: random.Random, project: Project) -> list[ProjectContact]:
    """One or two people at the investor, with mobile numbers and sometimes an e-mail."""
    rows = []
    for _ in range(rng.choice([1, 1, 2])):
        name = rng.choice(words.SURNAMES) + rng.choice(words.GIVEN_NAMES)
        mobile = rng.choice(words.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        phone, problem = phones.normalise(mobile)
        email = None
        if rng.random() < 0.5:
            domain = "".join(lazy_pinyin(words.brand_of(project.investor_name)))
            email = "".join(lazy_pinyin(name)) + f"@{domain}.com.cn"
        rows.append(
            ProjectContact(
                project_id=project.id,
                name=name,
                title=rng.choice(words.TITLES),
                phone=None if problem else phone,
                email=email,
            )
        )
    return rows
