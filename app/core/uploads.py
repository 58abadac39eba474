"""Where uploaded files are kept (funds evidence, imports waiting for confirmation): the folder
UPLOAD_DIR names — shared storage every app server and worker reaches when several hosts
serve — else the instance folder. One root for every store, so the backup copies them all."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def root() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path)


def store(name: str) -> Path:
    """The folder of one store under the root, made when missing."""
    path = root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
