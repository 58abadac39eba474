"""Large imports as jobs: a file of more than IMPORT_INLINE_ROWS rows is checked by one job and
written by another, while the user watches its rows go by on the job page. Each reads the upload
kept by app/imports/storage.py under its token, acting as the user who started it; the import is
still all or nothing (the job's one transaction), and a file whose rows fail at write time leaves
their list on the job page."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core import scoping
from app.core.db import reading_beside_writers
from app.extensions import db
from app.imports import services, storage
from app.jobs import kinds
from app.jobs import services as jobs

CHECK, IMPORT = "import-check", "import"
INLINE_ROWS = 1_200  # IMPORT_INLINE_ROWS unless configured (app/config.py)
VANISHED = "上传的文件已不存在（可能已过期或被清理），请重新上传"
TWICE = "该文件刚刚已被导入，不会重复导入"
MAX_KEPT_ERRORS = 1000  # the job page lists the first 200; the count is in the message


def too_big(data: bytes) -> bool:
    """Whether a file is checked and written by a job rather than in the request."""
    limit = int(current_app.config.get("IMPORT_INLINE_ROWS", INLINE_ROWS))
    return services.rows_about(data) > limit


def start_check(pending: storage.Pending, actor: Any) -> Any:
    """Queue the check of a kept upload for the actor."""
    title = f"检查导入文件：{pending.filename}"
    return jobs.start(CHECK, {"token": pending.token}, actor, title=title[:200])


def start_import(pending: storage.Pending, actor: Any, reason: str) -> Any:
    """Queue the import of a checked upload; refused while the same file is being imported."""
    kind = services.KINDS[pending.kind]
    lock = f"{IMPORT}:{kind.key}:{services.digest(pending.data)}"
    title = f"导入{kind.title}：{pending.filename}"
    return jobs.start(IMPORT, {"token": pending.token, "reason": reason}, actor,
                      title=title[:200], lock_key=lock)  # fmt: skip


def _pending(params: dict[str, Any]) -> tuple[storage.Pending, Any]:
    actor = scoping.current_actor(db.session)
    pending = storage.load(str(params.get("token") or ""), getattr(actor, "id", None))
    if pending is None:
        raise kinds.JobRefused(VANISHED)
    return pending, actor


def _url(endpoint: str, **values: Any) -> str:
    return current_app.url_map.bind("").build(endpoint, values)


def _run_check(params: dict[str, Any], progress: Any) -> kinds.JobResult:
    """The check job: the result page's findings kept beside the upload, nothing written."""
    with reading_beside_writers():  # on SQLite, other users' saves go on beside the check
        pending, actor = _pending(params)
        outcome = services.check_file(pending.kind, pending.data, pending.filename, actor,
                                      pending.verified, progress=progress)  # fmt: skip
        db.session.rollback()  # a check keeps nothing
    if outcome.file_error:
        raise kinds.JobRefused(f"文件未导入：{outcome.file_error}")
    if outcome.errors:
        services.write_error_copy(outcome, storage.errors_path(pending.token))
    storage.save_check(pending.token, services.check_record(outcome))
    if outcome.errors:
        rows = len(services.error_messages(outcome.errors))
        summary = f"检查完成：{rows} 行共 {len(outcome.errors)} 处错误，整个文件不能导入"
    else:
        summary = f"检查通过：全部 {outcome.row_count:,} 行可以导入，请打开检查结果确认导入"
    return kinds.JobResult(summary=summary, url=_url("imports.checked", token=pending.token),
                           details={"attention": bool(outcome.errors)})  # fmt: skip


def _refused(outcome: services.Outcome) -> kinds.JobRefused:
    """Why a write was refused, with the rows' problems for the job page."""
    details = {"errors": [services.error_record(e) for e in outcome.errors[:MAX_KEPT_ERRORS]]}
    if outcome.file_error:
        return kinds.JobRefused(f"文件未导入：{outcome.file_error}", details)
    if outcome.reason_error:
        return kinds.JobRefused(f"文件未导入：{outcome.reason_error}", details)
    rows = len(services.error_messages(outcome.errors))
    message = f"{rows} 行共 {len(outcome.errors)} 处错误，整个文件未导入，没有写入任何数据"
    return kinds.JobRefused(message, details)


def _run_import(params: dict[str, Any], progress: Any) -> kinds.JobResult:
    """The import job: every row in the write's one transaction, or none."""
    pending, actor = _pending(params)
    outcome = services.import_in_steps(pending.kind, pending.data, pending.filename, actor,
                                       pending.verified, str(params.get("reason") or ""),
                                       progress=progress)  # fmt: skip
    if not outcome.ok:
        db.session.rollback()  # the rows written before the refusal
        raise _refused(outcome)
    try:
        db.session.flush()
    except IntegrityError as clash:  # the same file, imported by someone else a moment ago
        raise kinds.JobRefused(TWICE) from clash
    kind = services.KINDS[pending.kind]
    summary = f"已导入{kind.title} {outcome.written:,} 行（批次 #{outcome.batch.id}）"
    return kinds.JobResult(summary=summary, url=_url("imports.batches"))


kinds.register(kinds.JobKind(CHECK, "检查导入文件", _run_check))
kinds.register(kinds.JobKind(IMPORT, "导入数据", _run_import))
