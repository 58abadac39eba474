"""Uploaded files waiting for confirmation, kept under instance/imports for one day."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

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
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths(token: str) -> tuple[Path, Path, Path]:
    base = folder()
    return base / f"{token}.bin", base / f"{token}.json", base / f"{token}-errors.xlsx"


def cleanup() -> None:
    """Forget uploads older than a day."""
    limit = time.time() - KEEP_SECONDS
    for path in folder().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def save(kind: str, filename: str, user_id: int, verified: bool, data: bytes) -> str:
    """Keep an upload; return the token that names it."""
    cleanup()
    token = secrets.token_hex(16)
    data_path, meta_path, _errors = _paths(token)
    data_path.write_bytes(data)
    meta = {"kind": kind, "filename": filename, "user_id": user_id, "verified": verified}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def load(token: str, user_id: int) -> Pending | None:
    """The upload named by the token, if it exists and belongs to this user."""
    if not _TOKEN.match(token or ""):
        return None
    data_path, meta_path, _errors = _paths(token)
    if not data_path.is_file() or not meta_path.is_file():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user_id") != user_id:
        return None
    return Pending(
        token,
        meta["kind"],
        meta["filename"],
        meta["user_id"],
        bool(meta.get("verified")),
        data_path.read_bytes(),
    )


def errors_path(token: str) -> Path:
    """Where the error copy of an upload is written."""
    return _paths(token)[2]


def remove(token: str) -> None:
    """Forget an upload once imported."""
    if _TOKEN.match(token or ""):
        for path in _paths(token):
            path.unlink(missing_ok=True)
