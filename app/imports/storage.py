"""Uploaded files waiting for confirmation, kept for one day in the upload store `imports`
(app/core/uploads.py: under UPLOAD_DIR, storage every host reaches, so that a worker on another
host checks and imports the upload); with each, the check a job made of it."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import uploads

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Pending:
    """An upload waiting for the user who made it to confirm the import."""

    token: str
    kind: str
    filename: str
    user_id: int
    verified: bool
    data: bytes


def folder() -> Path:
    return uploads.store("imports")


def _paths(token: str) -> tuple[Path, Path, Path, Path]:
    base = folder()
    return (base / f"{token}.bin", base / f"{token}.json", base / f"{token}-errors.xlsx",
            base / f"{token}-check.json")  # fmt: skip


def cleanup() -> None:
    """Forget uploads older than a day."""
    limit = time.time() - KEEP_SECONDS
    for path in folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except FileNotFoundError:  # another process cleaned it up meanwhile
            continue


def save(kind: str, filename: str, user_id: int, verified: bool, data: bytes) -> str:
    """Keep an upload; return the token that names it."""
    cleanup()
    token = secrets.token_hex(16)
    data_path, meta_path, _errors, _check = _paths(token)
    data_path.write_bytes(data)
    meta = {"kind": kind, "filename": filename, "user_id": user_id, "verified": verified}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def load(token: str, user_id: int) -> Pending | None:
    """The upload named by the token, if it exists and belongs to this user."""
    meta = _meta(token, user_id)
    if meta is None:
        return None
    try:
        data = _paths(token)[0].read_bytes()
    except FileNotFoundError:  # cleaned up a moment ago
        return None
    return Pending(
        token, meta["kind"], meta["filename"], meta["user_id"], bool(meta.get("verified")), data
    )


def _meta(token: str, user_id: int) -> dict[str, Any] | None:
    """The upload's description, if it is still kept and belongs to this user."""
    if not _TOKEN.match(token or ""):
        return None
    data_path, meta_path, _errors, _check = _paths(token)
    if not data_path.is_file() or not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return meta if meta.get("user_id") == user_id else None


def save_check(token: str, record: dict[str, Any]) -> None:
    """Keep what a job's check of the upload found (app/imports/services.py check_record)."""
    target = _paths(token)[3]
    partial = target.with_suffix(".part")
    partial.write_text(json.dumps(record, ensure_ascii=False, default=str), encoding="utf-8")
    partial.replace(target)


def load_check(token: str, user_id: int) -> dict[str, Any] | None:
    """The kept check of this user's upload, if both are still there."""
    if _meta(token, user_id) is None:
        return None
    try:
        return json.loads(_paths(token)[3].read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def errors_path(token: str) -> Path:
    """Where the error copy of an upload is written."""
    return _paths(token)[2]


def remove(token: str) -> None:
    """Forget an upload once imported."""
    if _TOKEN.match(token or ""):
        for path in _paths(token):
            path.unlink(missing_ok=True)
