"""History: every create, update and delete of every domain table, with before and after."""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core import phones, scoping
from app.core.chain import HashChained, append_rows
from app.core.db import Base, utcnow

REDACTED = "[已隐去]"
ACTIONS = {"create": "新增", "update": "修改", "delete": "删除"}
# Personal data, by field name in any table: stored whole (the chain covers the exact values)
# and shown masked to every reader who sees it masked elsewhere, unless they reveal it.
PERSONAL_FIELDS = {"phone": phones.masked}


class HistoryEntry(HashChained, Base):
    """One change to one record. Append-only; see core.chain for the tamper check."""

    __tablename__ = "history"
    __history__ = False
    __chain_lock__ = 7_001
    __chain_fields__ = (
        "at",
        "actor_id",
        "actor_name",
        "table_name",
        "record_id",
        "action",
        "label",
        "before_json",
        "after_json",
        "reason",
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(80), nullable=False)
    table_name: Mapped[str] = mapped_column(String(60), nullable=False)
    record_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    label: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)

    @property
    def before(self) -> dict:
        return json.loads(self.before_json) if self.before_json else {}

    @property
    def after(self) -> dict:
        return json.loads(self.after_json) if self.after_json else {}

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)

    def changes(self, full: bool = False) -> list[tuple[str, Any, Any]]:
        """(field, before, after) of every field; personal data masked unless `full`."""
        before, after = self.before, self.after
        return [
            (key, _shown(key, before.get(key), full), _shown(key, after.get(key), full))
            for key in sorted(set(before) | set(after))
        ]

    @property
    def has_personal_data(self) -> bool:
        """True when some value would be shown masked."""
        return any(
            _shown(key, value, False) != value
            for values in (self.before, self.after)
            for key, value in values.items()
        )


def _shown(key: str, value: Any, full: bool) -> Any:
    mask = PERSONAL_FIELDS.get(key)
    if full or mask is None or not isinstance(value, str) or not value or value == REDACTED:
        return value
    return mask(value)


def set_actor(session: Session, actor: Any | None) -> None:
    """Name who the following changes are made by (a user, or None for the system); the same
    actor is whose scope the session's reads are cut to (core.scoping, the one source)."""
    scoping.set_actor(session, actor)


def _actor_of(session: Session) -> tuple[int | None, str]:
    actor = scoping.current_actor(session)
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "id", None) is None:
        return None, "系统"
    return actor.id, actor.username


def note_reason(session: Session, reason: str) -> None:
    """Attach a reason to the changes of the next flush (corrections, merges, imports)."""
    session.info["history_reason"] = reason


_PLAIN = frozenset({str, int, bool, float, type(None)})  # stored in JSON as they are


def _json_value(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values: one set lookup (an import cleans 200,000)
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} 字节>"
    return value


def _columns(obj) -> list[str]:
    return [attr.key for attr in inspect(obj).mapper.column_attrs]


def _skipped(obj) -> set[str]:
    return {"version", "created_at", "updated_at"} | set(getattr(obj, "__history_ignore__", ()))


def _clean(obj, values: dict[str, Any]) -> dict[str, Any]:
    redact = set(getattr(obj, "__history_redact__", ()))
    return {k: (REDACTED if k in redact else _json_value(v)) for k, v in values.items()}


def _dump(values: dict[str, Any]) -> str | None:
    return json.dumps(values, ensure_ascii=False, sort_keys=True) if values else None


def _snapshot(obj) -> dict[str, Any]:
    state = inspect(obj)
    skipped = _skipped(obj)
    return {k: state.dict[k] for k in _columns(obj) if k in state.dict and k not in skipped}


def _changes(obj) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before, after = {}, {}
    for key in _columns(obj):
        if key in _skipped(obj):
            continue
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old != new:
            before[key], after[key] = old, new
    return before, after


def _label(obj) -> str:
    label = getattr(obj, "history_label", None)
    return str(label() if callable(label) else (label or ""))[:300]


def _audited(obj) -> bool:
    return getattr(obj, "__history__", True)


class Snapshots:
    """The create entries' after-snapshots of rows a bulk insert is to write, made before the
    write but for the `late` fields only the write knows (the id, computed columns): each row's
    JSON in pieces between the late fields, which `text` joins with their values into the text
    `_dump` would write for the whole row (an import makes these while it builds its rows,
    before it takes SQLite's write lock)."""

    def __init__(self, model: type, rows: list[dict[str, Any]], labels: list[str], late):
        keys = [k for k in _columns(model) if k not in _skipped(model)]
        self.model = model
        self.late = sorted(key for key in set(late) if key in keys)
        self.labels = [str(label or "")[:300] for label in labels]
        redact = set(getattr(model, "__history_redact__", ()))
        self._names = [json.dumps(key, ensure_ascii=False) + ": " for key in self.late]
        self._redacted = [key in redact for key in self.late]
        early = [k for k in keys if k not in self.late]
        self._pieces = [
            self._split(_clean(model, {k: row[k] for k in early if k in row})) for row in rows
        ]

    def _split(self, values: dict[str, Any]) -> list[str]:
        """The inner JSON of the values before each late key, and after the last."""
        ordered = sorted(values)
        pieces, start = [], 0
        for end in [bisect_left(ordered, key) for key in self.late] + [len(ordered)]:
            piece = {key: values[key] for key in ordered[start:end]}
            pieces.append(json.dumps(piece, ensure_ascii=False)[1:-1])
            start = end
        return pieces

    def text(self, index: int, late: Mapping[str, Any]) -> str | None:
        """Row `index`'s snapshot with its late fields' values, as `_dump` writes it."""
        pieces = self._pieces[index]
        parts = []
        for piece, name, key, redacted in zip(
            pieces, self._names, self.late, self._redacted, strict=False
        ):
            if piece:
                parts.append(piece)
            parts.append(name + (_REDACTED_TEXT if redacted else _json_text(late[key])))
        if pieces[-1]:
            parts.append(pieces[-1])
        return "{" + ", ".join(parts) + "}" if parts else None


_REDACTED_TEXT = json.dumps(REDACTED, ensure_ascii=False)


def _json_text(value: Any) -> str:
    """One value as `_dump` writes it (ids and counts without the encoder's call)."""
    if type(value) is int:
        return str(value)
    if value is None:
        return "null"
    return json.dumps(_json_value(value), ensure_ascii=False)


def record_inserts(
    session: Session, snapshots: Snapshots, late: list[Mapping[str, Any]], reason=None
) -> None:
    """History of rows a bulk Core insert wrote (no flush saw them): one create entry each,
    the entry the flush would have written for it (same snapshot, actor and reason), all
    appended at once and sealed into the chain after the commit (core.chain). `late` holds
    each row's late fields (Snapshots), its `id` among them."""
    actor_id, actor_name = _actor_of(session)
    now = utcnow()
    table_name = snapshots.model.__tablename__
    entries = [
        {
            "at": now,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "table_name": table_name,
            "record_id": values["id"],
            "action": "create",
            "label": label,
            "before_json": None,
            "after_json": snapshots.text(index, values),
            "reason": reason,
        }
        for index, (values, label) in enumerate(zip(late, snapshots.labels, strict=True))
    ]
    append_rows(session, HistoryEntry, entries)


@event.listens_for(Session, "after_flush")
def _record_history(session: Session, flush_context) -> None:
    """Turn the flush's new, dirty and deleted objects into history rows (sealed after commit)."""
    actor_id, actor_name = _actor_of(session)
    reason = session.info.pop("history_reason", None)
    now = utcnow()
    rows = []

    def row(obj, action, before, after):
        rows.append(
            {
                "at": now,
                "actor_id": actor_id,
                "actor_name": actor_name,
                "table_name": obj.__tablename__,
                "record_id": inspect(obj).identity[0]
                if inspect(obj).identity
                else getattr(obj, "id", None),
                "action": action,
                "label": _label(obj),
                "before_json": _dump(_clean(obj, before)),
                "after_json": _dump(_clean(obj, after)),
                "reason": reason,
            }
        )

    for obj in session.new:
        if _audited(obj):
            row(obj, "create", {}, _snapshot(obj))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if before or after:
                row(obj, "update", before, after)
    for obj in session.deleted:
        if _audited(obj):
            row(obj, "delete", _snapshot(obj), {})
    append_rows(session, HistoryEntry, rows)
