"""Imports, all or nothing: read the file, check every row, then write every row or none.

The screen and the commands share these functions; they act with the given user's role and
scope, never `current_user`, and flush without committing.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook
from sqlalchemy import select

from app import periods
from app.core import history
from app.core.cells import CheckedRows, RowError
from app.core.dates import to_local
from app.core.db import no_collector_pauses, reading_beside_writers
from app.core.forms import ServiceError
from app.core.scoping import scope_condition
from app.core.spreadsheets import (
    CSV,
    XLSX,
    Column,
    Sheet,
    SpreadsheetError,
    Table,
    file_kind,
    read_table,
)
from app.core.spreadsheets import write_workbook as write_xlsx
from app.core.spreadsheets.reading import check_zip
from app.extensions import db
from app.funds import transfer as funds_transfer
from app.imports.models import IMPORT_KINDS, ImportBatch
from app.keyprojects import transfer as key_transfer
from app.projects import transfer as project_transfer

IMPORTING_ROLES = ("bureau", "unit")


@dataclass(frozen=True)
class Kind:
    """What can be imported: its template's headers and how its rows are checked and written."""

    key: str
    title: str
    headers: tuple[str, ...]
    required: tuple[str, ...]
    prepare: Callable[[Table, Any, bool, Any], CheckedRows]
    write: Callable[[Any, Any, bool, int, str, Any], int]
    """Writes what `build` made of the checked rows (the checked rows, for a kind without)."""
    template: Callable[[], list[Sheet]]
    dates: Callable[[CheckedRows, bool], Iterator[tuple[int, date]]]
    """(row number, date) of every date a row would add to the official figures."""
    build: Callable[[CheckedRows, Any, Any], Any] | None = None
    """The checked rows made ready to write, without writing (the slow part of a write, done
    before the write takes SQLite's lock)."""


KINDS = {
    "projects": Kind(
        "projects",
        IMPORT_KINDS["projects"],
        project_transfer.HEADERS,
        project_transfer.REQUIRED,
        project_transfer.prepare,
        lambda built, actor, verified, batch_id, note, progress=None: project_transfer.write(
            built, actor, note, batch_id, progress
        ),
        project_transfer.template_sheets,
        project_transfer.figure_dates,
        project_transfer.build,
    ),
    "funds": Kind(
        "funds",
        IMPORT_KINDS["funds"],
        funds_transfer.HEADERS,
        funds_transfer.REQUIRED,
        funds_transfer.prepare,
        funds_transfer.write,
        funds_transfer.template_sheets,
        funds_transfer.figure_dates,
    ),
    "keyproject": Kind(
        "keyproject",
        IMPORT_KINDS["keyproject"],
        key_transfer.HEADERS,
        key_transfer.REQUIRED,
        key_transfer.prepare,
        key_transfer.write,
        key_transfer.template_sheets,
        key_transfer.figure_dates,
    ),
}


@dataclass
class Outcome:
    """What an import found (and, once written, the batch it made)."""

    kind: Kind
    filename: str
    sha256: str
    verified: bool = False
    file_error: str | None = None
    table: Table | None = None
    checked: CheckedRows | None = None
    built: Any = None  # what the kind's write takes, once the check has passed
    batch: ImportBatch | None = None
    written: int = 0
    notes: list[str] = field(default_factory=list)
    closed_rows: list[tuple[int, date]] = field(default_factory=list)
    reason: str = ""
    reason_error: str | None = None
    stored_rows: int | None = None  # a check kept by a job: its rows' count, not the rows

    @property
    def row_count(self) -> int:
        """How many rows would be imported."""
        if self.stored_rows is not None:
            return self.stored_rows
        return len(self.checked.items) if self.checked else 0

    @property
    def ok(self) -> bool:
        return (
            self.file_error is None
            and self.reason_error is None
            and self.checked is not None
            and self.checked.ok
        )

    @property
    def closed_note(self) -> str:
        """Which rows reach into months already closed (月结), for the confirm screen."""
        if not self.closed_rows:
            return ""
        shown = "、".join(f"第 {n} 行（{on:%Y-%m-%d}）" for n, on in self.closed_rows[:5])
        more = f"等 {len(self.closed_rows)} 行" if len(self.closed_rows) > 5 else ""
        return f"{shown}{more}的日期落在已月结的月份，会改变已通报的数字，导入须说明原因"

    @property
    def errors(self) -> list[RowError]:
        return self.checked.errors if self.checked else []


def digest(data: bytes) -> str:
    """The file's SHA-256, which recognises the same file imported again."""
    return hashlib.sha256(data).hexdigest()


def previous_batch(kind: str, sha256: str) -> ImportBatch | None:
    """The earlier import of exactly this file, if any."""
    stmt = select(ImportBatch).where(
        ImportBatch.kind == kind, ImportBatch.sha256 == sha256, ImportBatch.withdrawn_at.is_(None)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def rows_about(data: bytes) -> int:
    """About how many rows a file holds, without building its table: a CSV's lines, an Excel
    file's tallest sheet as calamine measures it; 0 when the file cannot be read (the check in
    the request then says why). Decides whether a file is checked and written by a job."""
    try:
        kind = file_kind(data)
        if kind == CSV:
            return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        if kind == XLSX:
            check_zip(data)  # no zip bomb reaches the parser
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return max((book.get_sheet_by_name(n).total_height for n in book.sheet_names), default=0)
    except Exception:  # noqa: BLE001 - a damaged file is the check's to report, in Chinese
        return 0


def _already(batch: ImportBatch, actor: Any) -> str:
    moment = to_local(batch.created_at)
    when = moment.strftime("%Y-%m-%d %H:%M") if moment else ""
    visible = db.session.execute(
        select(ImportBatch.id).where(
            ImportBatch.id == batch.id, scope_condition(ImportBatch, actor)
        )
    ).first()
    who = f"由 {batch.user.name} " if visible and batch.user else ""
    return f"该文件已于 {when} {who}导入（批次 #{batch.id}，{batch.row_count} 行），不会重复导入"


def check_file(
    kind_key: str,
    data: bytes,
    filename: str,
    actor: Any,
    verified: bool = False,
    reason: str = "",
    progress: Any = None,
) -> Outcome:
    """Read and check a file without writing anything; `progress` (app/jobs/progress.py), when
    given, hears of the steps 读取文件 and 检查 and of every row checked."""
    kind = KINDS[kind_key]
    outcome = Outcome(kind, filename, digest(data), verified, reason=(reason or "").strip())
    if getattr(actor, "role", None) not in IMPORTING_ROLES:
        outcome.file_error = "只有投资促进局和责任单位可以导入数据"
        return outcome
    if verified and actor.role != "bureau":
        outcome.file_error = "只有投资促进局可以按“已核实”导入到位资金"
        return outcome
    earlier = previous_batch(kind.key, outcome.sha256)
    if earlier is not None:
        outcome.file_error = _already(earlier, actor)
        return outcome
    try:
        _step(progress, "读取文件")
        outcome.table = read_table(data, filename, kind.required, kind.headers)
        if progress is not None:
            progress.set_total(len(outcome.table.rows), "检查")
        outcome.checked = kind.prepare(outcome.table, actor, verified, progress)
    except SpreadsheetError as error:
        outcome.file_error = error.message
    except ServiceError as error:
        outcome.file_error = "；".join(error.errors.values())
    if outcome.table is not None:
        missing = [h for h in kind.headers if h not in outcome.table.columns]
        if missing:
            outcome.notes.append("文件中没有以下可选列，按空白处理：" + "、".join(missing))
    _find_closed_rows(outcome)
    return outcome


def _find_closed_rows(outcome: Outcome) -> None:
    """The rows dated in months already closed (月结)."""
    if outcome.checked is not None and outcome.checked.ok:
        through = periods.closed_through()
        outcome.closed_rows = [
            (number, on)
            for number, on in outcome.kind.dates(outcome.checked, outcome.verified)
            if on.month <= through.get(on.year, 0)
        ]


def check_and_build(
    kind_key: str,
    data: bytes,
    filename: str,
    actor: Any,
    verified: bool = False,
    reason: str = "",
    progress: Any = None,
) -> Outcome:
    """Check the file and, when every row passes, make its rows ready to write; nothing is
    written. Rows dated in a month already closed (月结) change issued figures: they need a
    reason, which the history keeps with every record the import writes."""
    outcome = check_file(kind_key, data, filename, actor, verified, reason, progress)
    if outcome.ok and outcome.closed_rows and not outcome.reason:
        outcome.reason_error = outcome.closed_note
    if not outcome.ok:
        return outcome
    build = outcome.kind.build
    if build is None:
        outcome.built = outcome.checked
    else:
        if progress is not None:
            progress.set_total(len(outcome.checked.items), "整理数据")
        outcome.built = build(outcome.checked, actor, progress)
    return outcome


def write_checked(outcome: Outcome, actor: Any, progress: Any = None) -> Outcome:
    """Write what check_and_build made ready, all of it or (the outcome then says why) none,
    after looking again at what another user may have changed since: the same file imported,
    a month closed (each kind's write looks at its own records again). `progress`, when
    given, hears of 写入 and every chunk of rows written."""
    earlier = previous_batch(outcome.kind.key, outcome.sha256)
    if earlier is not None:
        outcome.file_error = _already(earlier, actor)
        return outcome
    _find_closed_rows(outcome)
    if outcome.closed_rows and not outcome.reason:
        outcome.reason_error = outcome.closed_note
        return outcome
    batch = ImportBatch(
        kind=outcome.kind.key,
        sha256=outcome.sha256,
        filename=Path(outcome.filename).name[:200] or "导入文件",
        row_count=len(outcome.checked.items),
        verified=outcome.verified,
        user_id=getattr(actor, "id", None),
        unit_id=getattr(actor, "unit_id", None),
    )
    history.note_reason(db.session, f"导入{outcome.kind.title}：{batch.filename}")
    db.session.add(batch)
    db.session.flush()
    note = f"导入{outcome.kind.title}：{batch.filename}（批次 #{batch.id}）"
    if outcome.verified:
        note += "，按已核实记录"
    if outcome.closed_rows:
        note += f"；涉及已月结月份，原因：{outcome.reason}"
    if progress is not None:
        progress.set_total(len(outcome.checked.items), "写入")
    try:
        with no_collector_pauses():
            outcome.written = outcome.kind.write(
                outcome.built, actor, outcome.verified, batch.id, note, progress
            )
    except ServiceError as error:  # something changed since the check: the caller rolls back
        outcome.file_error = "；".join(error.errors.values())
        return outcome
    outcome.batch = batch
    db.session.info.pop("history_reason", None)
    return outcome


def import_file(
    kind_key: str,
    data: bytes,
    filename: str,
    actor: Any,
    verified: bool = False,
    reason: str = "",
    progress: Any = None,
) -> Outcome:
    """Check the file and, when every row passes, write them all; else write nothing: in the
    caller's transaction (a file small enough for the request)."""
    outcome = check_and_build(kind_key, data, filename, actor, verified, reason, progress)
    return write_checked(outcome, actor, progress) if outcome.ok else outcome


def import_in_steps(
    kind_key: str,
    data: bytes,
    filename: str,
    actor: Any,
    verified: bool = False,
    reason: str = "",
    progress: Any = None,
) -> Outcome:
    """import_file for a large file (a job, the command): the check and the building of rows
    read beside other users' work, and the write, in a transaction of its own, holds SQLite's
    one write lock only for its inserts (a save by another user waits that long, not the whole
    import). The caller has nothing pending, and commits or rolls back the write."""
    db.session.rollback()
    with reading_beside_writers():
        outcome = check_and_build(kind_key, data, filename, actor, verified, reason, progress)
        db.session.rollback()  # the reading transaction: it wrote nothing
    return write_checked(outcome, actor, progress) if outcome.ok else outcome


def _step(progress: Any, name: str) -> None:
    """Name the step a reporter shows, at once (a file's reading has no rows to count yet)."""
    if progress is not None:
        progress.step = name
        progress.report(force=True)


def error_messages(errors: list[RowError]) -> dict[int, str]:
    """Per row number, its problems in one line: 列名：原因；列名：原因."""
    out: dict[int, list[str]] = {}
    for error in errors:
        out.setdefault(error.row, []).append(
            f"{error.column}：{error.message}" if error.column else error.message
        )
    return {row: "；".join(messages) for row, messages in out.items()}


def write_error_copy(outcome: Outcome, target: Path) -> int:
    """The uploaded rows again, each with a 错误说明 column, for the user to fix and re-upload."""
    table = outcome.table
    messages = error_messages(outcome.errors)
    width = max([len(table.headers), *(len(cells) for _n, cells in table.rows)])
    headers = [*table.headers, *[""] * (width - len(table.headers))]
    columns = [Column(h or f"列{i + 1}", width=16) for i, h in enumerate(headers)]
    columns += [Column("错误说明", width=60), Column("原行号", "int")]

    def rows():
        for number, cells in table.rows:
            values = [None if _blank(c) else c for c in cells]
            values += [None] * (width - len(values))
            yield [*values, messages.get(number, ""), number]

    note = f"共 {len(messages)} 行有错误，请按“错误说明”修改后重新上传"
    title = f"{outcome.kind.title}导入检查结果"
    sheet = Sheet("错误说明", columns, rows(), title=title, subtitle=note)
    return write_xlsx(target, [sheet])


def check_record(outcome: Outcome) -> dict[str, Any]:
    """What a check found, as JSON a job keeps for its result page: the counts, the preview and
    every problem, not the rows themselves."""
    checked = outcome.checked
    return {
        "kind": outcome.kind.key,
        "filename": outcome.filename,
        "sha256": outcome.sha256,
        "verified": outcome.verified,
        "file_error": outcome.file_error,
        "notes": outcome.notes,
        "rows": outcome.row_count,
        "summary": checked.summary if checked else [],
        "errors": [error_record(e) for e in outcome.errors],
        "warnings": [error_record(w) for w in checked.warnings] if checked else [],
        "preview_headers": checked.preview_headers if checked else [],
        "preview": [["" if _blank(v) else str(v) for v in row] for row in checked.preview]
        if checked
        else [],
        "closed_rows": [[number, on.isoformat()] for number, on in outcome.closed_rows],
    }


def error_record(error: RowError) -> dict[str, Any]:
    """A row's problem as the job page lists it (app/jobs/templates/jobs/_panel.html)."""
    return {"row": error.row, "column": error.column, "message": error.message}


def outcome_of_record(record: dict[str, Any]) -> Outcome:
    """A kept check again, for its result page (it writes nothing and holds no rows)."""

    def errors(key: str) -> list[RowError]:
        return [RowError(e["row"], e["column"], e["message"]) for e in record.get(key) or []]

    checked = CheckedRows(
        [],
        errors("errors"),
        errors("warnings"),
        record.get("summary") or [],
        record.get("preview_headers") or [],
        record.get("preview") or [],
    )
    return Outcome(
        KINDS[record["kind"]],
        record["filename"],
        record["sha256"],
        bool(record.get("verified")),
        file_error=record.get("file_error"),
        checked=None if record.get("file_error") else checked,
        notes=list(record.get("notes") or []),
        closed_rows=[(n, date.fromisoformat(on)) for n, on in record.get("closed_rows") or []],
        stored_rows=int(record.get("rows") or 0),
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def batches_statement(actor: Any):
    """Every import the actor may see, newest first (withdrawn ones included)."""
    return (
        select(ImportBatch)
        .where(scope_condition(ImportBatch, actor))
        .order_by(ImportBatch.id.desc())
    )


def recent_batches(actor: Any, limit: int = 20) -> list[ImportBatch]:
    """The latest imports the actor may see."""
    return list(db.session.execute(batches_statement(actor).limit(limit)).scalars())
