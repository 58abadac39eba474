"""Evidence files (凭证): PDF, JPEG or PNG by content, at most 10 MB, kept under instance/."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.core import limits, uploads
from app.core.dates import today
from app.core.forms import ServiceError

SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


@dataclass(frozen=True)
class Upload:
    """A file as received: its bytes and the name the user gave it."""

    data: bytes
    filename: str


@dataclass(frozen=True)
class StoredFile:
    """Where an evidence file was stored and what it is."""

    path: str  # relative to the evidence folder
    name: str
    mime: str
    size: int


def folder() -> Path:
    """The evidence folder, outside static/: the upload store `evidence` (app/core/uploads.py)."""
    return uploads.root() / "evidence"


def max_bytes() -> int:
    return int(current_app.config.get("MAX_UPLOAD_MB", 10)) * 1024 * 1024


def clean_name(filename: str) -> str:
    """The user's file name without any folder part or control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[-120:] or "凭证"


def kind_of(data: bytes) -> tuple[str, str]:
    """(MIME type, extension) from the first bytes; refuse anything but PDF, JPEG, PNG."""
    for magic, mime, extension in SIGNATURES:
        if data.startswith(magic):
            return mime, extension
    raise ServiceError({"evidence": "凭证文件只能是 PDF、JPG 或 PNG（按文件内容判断，不看扩展名）"})


def check(upload: Upload) -> tuple[str, str]:
    """Refuse an empty, oversized or wrong-type file; return its (MIME type, extension)."""
    if not upload.data:
        raise ServiceError({"evidence": "凭证文件是空的"})
    limit = max_bytes()
    if len(upload.data) > limit:
        raise ServiceError({"evidence": f"凭证文件不能超过 {limit // (1024 * 1024)} MB"})
    return kind_of(upload.data)


def store(upload: Upload) -> StoredFile:
    """Check and save the file under a random name; return where it went."""
    mime, extension = check(upload)
    digest = hashlib.sha256(upload.data).hexdigest()[:12]
    relative = f"{today():%Y%m}/{uuid.uuid4().hex}-{digest}{extension}"
    target = folder() / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(upload.data)
    except OSError as error:
        target.unlink(missing_ok=True)
        if limits.storage_full(error):
            raise ServiceError({"evidence": limits.STORAGE_FULL}) from error
        raise
    return StoredFile(relative, clean_name(upload.filename), mime, len(upload.data))


def path_of(relative: str) -> Path | None:
    """The file on disk for a stored relative path, refusing anything outside the folder."""
    base = folder().resolve()
    target = (base / relative).resolve()
    if base not in target.parents or not target.is_file():
        return None
    return target


def discard(stored: StoredFile | None) -> None:
    """Remove a file stored for a save that did not happen."""
    if stored is not None:
        target = path_of(stored.path)
        if target is not None:
            target.unlink(missing_ok=True)
