"""Scoped reads for the top bar's search: projects, key projects and events matching every word.

Projects match on their indexed search text (name, investor, USCC, their pinyin initials and
full pinyin: app/projects/search.py) or on a live contact's name or phone. Every read is
scoped as any other (app/core/scoping.py): a unit user finds only its own unit's rows, and a
contact's phone never leads to another unit's project.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, union

from app.core.pagination import contains_pattern
from app.core.params import plain_text
from app.core.scoping import scoped_select
from app.events.models import PromotionEvent
from app.extensions import db
from app.keyprojects.models import KeyProject
from app.projects.models import Project, ProjectContact
from app.projects.names import is_chinese
from app.projects.search import substring_condition

MAX_LENGTH = 100  # characters searched; the rest is cut with a message
MAX_WORDS = 5
SHOWN = 50  # rows shown per kind; the count says how many matched
TOO_SHORT = "请至少输入2个字符"
TOO_LONG = f"搜索内容过长，只按前 {MAX_LENGTH} 个字符搜索"
TOO_MANY_WORDS = f"词语过多，只按前 {MAX_WORDS} 个词搜索"
_PHONE_LIKE = re.compile(r"^\+?[\d\-() ]+$")


@dataclass
class SearchQuery:
    """What was typed, made searchable: lower-cased words, and why anything was left out."""

    text: str = ""
    words: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, raw: Any) -> SearchQuery:
        """Normalise as search_text is stored (NFKC, lower case), cut, split into words."""
        text = " ".join(unicodedata.normalize("NFKC", plain_text(raw or "")).split())
        messages = []
        if len(text) > MAX_LENGTH:
            text = text[:MAX_LENGTH].rstrip()
            messages.append(TOO_LONG)
        if not text:
            return cls(text, [], messages)
        if len(text) < 2 and not is_chinese(text):
            return cls(text, [], [*messages, TOO_SHORT])
        words = list(dict.fromkeys(text.lower().split()))
        if len(words) > MAX_WORDS:
            words = words[:MAX_WORDS]
            messages.append(TOO_MANY_WORDS)
        return cls(text, words, messages)


@dataclass
class Found:
    """One kind's matches: how many, and the first SHOWN of them."""

    count: int
    rows: list


def phone_digits(word: str) -> str | None:
    """The digits to look for in stored phones, if the word reads as (part of) a phone number.

    Phones are stored in E.164 (+8613812345678, +8651267881234): a landline's trunk 0 is not
    stored, so it is dropped from what was typed too (0512-6788 → 5126788)."""
    if not _PHONE_LIKE.fullmatch(word):
        return None
    digits = "".join(c for c in word if c.isdigit())
    if digits.startswith("0") and not digits.startswith("00"):
        digits = digits[1:]
    return digits if len(digits) >= 3 else None


def contact_condition(word: str) -> ColumnElement[bool]:
    """A live contact's name, or phone, contains the word (a condition over ProjectContact)."""
    matches = [func.lower(ProjectContact.name).like(contains_pattern(word), escape="\\")]
    digits = phone_digits(word)
    if digits:
        matches.append(ProjectContact.phone.like(contains_pattern(digits), escape="\\"))
    return and_(ProjectContact.deleted_at.is_(None), or_(*matches))


def word_condition(word: str) -> ColumnElement[bool]:
    """The project's search text contains the word, or one of its live contacts does.

    A union of two id sets rather than an OR, so the search text keeps its index."""
    return Project.id.in_(
        union(
            select(Project.id).where(substring_condition(word)),
            select(ProjectContact.project_id).where(contact_condition(word)),
        )
    )


def _found(stmt, order) -> Found:
    count = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = list(db.session.scalars(stmt.order_by(*order).limit(SHOWN))) if count else []
    return Found(count or 0, rows)


def projects(actor: Any, words: list[str]) -> Found:
    """Projects matching every word, live ones first (dropped ones are still found)."""
    stmt = scoped_select(Project, actor).where(and_(*(word_condition(w) for w in words)))
    return _found(stmt, (Project.dropped_on.is_not(None), Project.id.desc()))


def _name_contains_every(column, words: list[str]) -> ColumnElement[bool]:
    return and_(*(func.lower(column).like(contains_pattern(w), escape="\\") for w in words))


def key_projects(actor: Any, words: list[str]) -> Found:
    """Key projects whose name contains every word, latest year first."""
    stmt = scoped_select(KeyProject, actor).where(_name_contains_every(KeyProject.name, words))
    return _found(stmt, (KeyProject.year.desc(), KeyProject.id.desc()))


def events(actor: Any, words: list[str]) -> Found:
    """Promotion events whose name contains every word (the district's register)."""
    stmt = scoped_select(PromotionEvent, actor).where(
        _name_contains_every(PromotionEvent.name, words)
    )
    return _found(stmt, (PromotionEvent.held_on.desc(), PromotionEvent.id.desc()))


def search(actor: Any, query: SearchQuery) -> dict[str, Found]:
    """Every kind's matches, in the order the page shows them; empty without words."""
    if not query.words:
        return {}
    return {
        "projects": projects(actor, query.words),
        "key_projects": key_projects(actor, query.words),
        "events": events(actor, query.words),
    }
