"""Backups while users work, and their restore: a consistent copy of the database (SQLite's
online backup API; `pg_dump` for PostgreSQL) with the stored files (funds evidence, imported
files) alongside, and a manifest that says what the copy holds."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from app.core import uploads
from app.core.steps import stepper
from app.extensions import db

MANIFEST = "manifest.json"
SQLITE_COPY = "database.sqlite3"
PG_DUMP = "database.dump"
FILE_STORES = ("evidence", "imports")  # the upload stores (app/core/uploads.py)


class BackupError(Exception):
    """A backup or restore that cannot be done, with a Chinese reason."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: when, from which kind of database, at which schema, row counts."""

    taken_at: str
    dialect: str
    revision: str | None
    rows: dict[str, int]
    database_file: str
    sha256: str
    files: int

    def write(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(
            json.dumps(self.__dict__, ensure_ascii=False, indent=2), encoding="utf-8"
        )

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"{folder} 不是本系统的备份：缺少 {MANIFEST}")
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def _dialect() -> str:
    return db.engine.dialect.name


def _sqlite_path() -> Path:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(database)


def _libpq_url() -> str:
    """The database URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 客户端工具") from error
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[:500]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _row_counts() -> dict[str, int]:
    names = sorted(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        return {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()  # noqa: S608
            for name in names
        }


def _revision() -> str | None:
    with db.engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # noqa: BLE001 - a database never migrated has no revision
            return None


def _copy_files(source_root: Path, target_root: Path) -> int:
    copied = 0
    for store in FILE_STORES:
        source = source_root / store
        if source.is_dir():
            shutil.copytree(source, target_root / store, dirs_exist_ok=True)
            copied += sum(1 for p in (target_root / store).rglob("*") if p.is_file())
    return copied


def take(out: Path, progress: Any = None) -> Manifest:
    """Write a backup into `out` (a new or empty folder) while the application runs;
    `progress` (a terminal's bar) is told each step."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} 已存在且不为空：请指定一个新的备份文件夹")
    out.mkdir(parents=True, exist_ok=True)
    step = stepper(progress, 3, "备份")
    step("复制数据库")
    taken_at = datetime.now(UTC).isoformat(timespec="seconds")
    dialect = _dialect()
    if dialect == "sqlite":
        target = out / SQLITE_COPY
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # one step: a snapshot; WAL lets writers go on
        finally:
            copy.close()
            source.close()
    elif dialect == "postgresql":
        target = out / PG_DUMP
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", _libpq_url()])  # fmt: skip
    else:
        raise BackupError(f"不支持的数据库类型：{dialect}")
    step("复制凭证等文件")
    files = _copy_files(uploads.root(), out / "files")
    step("计算校验值、写清单")
    manifest = Manifest(
        taken_at=taken_at,
        dialect=dialect,
        revision=_revision(),
        rows=_row_counts(),
        database_file=target.name,
        sha256=_sha256(target),
        files=files,
    )
    manifest.write(out)
    step("")
    return manifest


def restore(folder: Path, progress: Any = None) -> Manifest:
    """Put a backup back: the database as it was when the backup was taken, and its files.
    The application servers and workers must be stopped first (docs/deploy.md)."""
    step = stepper(progress, 3, "恢复")
    step("校验备份")
    manifest = Manifest.read(folder)
    dialect = _dialect()
    if manifest.dialect != dialect:
        raise BackupError(f"备份来自 {manifest.dialect} 数据库，当前数据库为 {dialect}，不能恢复")
    source = folder / manifest.database_file
    if not source.is_file() or _sha256(source) != manifest.sha256:
        raise BackupError("备份文件缺失或已损坏（校验值不符），未做任何恢复")
    step("恢复数据库")
    db.session.remove()
    db.engine.dispose()
    if dialect == "sqlite":
        live = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(source)
        try:
            with live:
                copy.backup(live)
        finally:
            copy.close()
            live.close()
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", f"--dbname={_libpq_url()}", str(source)])  # fmt: skip
    step("恢复文件")
    files = folder / "files"
    if files.is_dir():
        root = uploads.root()
        for store in FILE_STORES:
            if (files / store).is_dir():
                shutil.copytree(files / store, root / store, dirs_exist_ok=True)
    step("")
    return manifest
