"""Commands: `import-projects`, `import-funds`, `import-key-projects`, `withdraw-import` and
`export-funds`, acting as a named user."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core import history
from app.core.forms import ServiceError
from app.core.unit_of_work import transactional
from app.extensions import db
from app.funds.exports import ledger_sheet, unit_report_sheet
from app.funds.queries import LedgerFilters
from app.imports import exports, services, storage, withdrawal
from app.imports import jobs as import_jobs
from app.imports.models import ImportBatch
from app.jobs.progress import BarProgress

# The command line without --as reads as the bureau does (every unit), and is logged as such.
SYSTEM = SimpleNamespace(
    id=None, role="bureau", unit_id=None, is_authenticated=True, username="命令行", name="命令行"
)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def _user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        _fail(f"账户“{username}”不存在或已停用")
    return user


def _run(kind: str, path: str, username: str, verified: bool, dry_run: bool, reason: str,
         queue: bool = False) -> None:  # fmt: skip
    user = _user(username)
    history.set_actor(db.session, user)
    file = Path(path)
    data = file.read_bytes()
    if queue:
        _queue(kind, file.name, data, user, verified, dry_run, reason)
        return
    run = services.check_file if dry_run else services.import_in_steps
    try:
        with BarProgress("读取文件") as bar:
            outcome = run(kind, data, file.name, user, verified, reason, progress=bar)
            db.session.flush()
    except IntegrityError:
        _fail("该文件刚刚已被导入，不会重复导入")
    if outcome.file_error:
        _fail(outcome.file_error)
    for line in outcome.checked.summary + outcome.notes:
        click.echo(line)
    for warning in outcome.checked.warnings:
        click.echo(f"提示：第 {warning.row} 行 {warning.column}：{warning.message}")
    if outcome.errors:
        for error in outcome.errors:
            click.echo(f"第 {error.row} 行 [{error.column or '—'}]：{error.message}", err=True)
        rows = len({e.row for e in outcome.errors})
        _fail(f"{rows} 行共 {len(outcome.errors)} 处错误，整个文件未导入", 1)
    if outcome.reason_error:
        _fail(outcome.reason_error + "（用 --reason 说明）")
    if outcome.closed_rows:
        click.echo("提示：" + outcome.closed_note)
    if dry_run:
        db.session.rollback()  # the check's own writes: a dry run keeps nothing
        click.echo("检查通过（--dry-run：未写入任何数据）。")
        return
    click.echo(f"已导入 {outcome.written} 行，批次 #{outcome.batch.id}。")


def _queue(kind: str, filename: str, data: bytes, user: User, verified: bool, dry_run: bool,
           reason: str) -> None:  # fmt: skip
    """Hand the file to a worker: its check (--dry-run) or its import, as a job of the user."""
    token = storage.save(kind, filename, user.id, verified, data)
    pending = storage.load(token, user.id)
    try:
        if dry_run:
            job = import_jobs.start_check(pending, user)
        else:
            job = import_jobs.start_import(pending, user, reason)
    except ServiceError as error:
        storage.remove(token)
        _fail("；".join(error.errors.values()))
    page = current_app.url_map.bind("").build("jobs.detail", {"job_id": job.id})
    click.echo(f"已提交后台任务 #{job.id}（{job.title}）。")
    click.echo(f"以 {user.username} 登录后在“我的后台任务”查看进度和结果：{page}")
    click.echo("任务由后台任务进程执行：flask --app wsgi jobs-worker（或 make worker）须在运行。")


@click.command("import-projects")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, help="以此账户的角色和范围导入")
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@click.option("--reason", default="", help="日期落在已月结月份时须说明的原因")
@click.option("--queue", is_flag=True, help="交给后台任务进程执行（显示任务编号，在任务页查看）")
@transactional
def import_projects(path, username, dry_run, reason, queue):
    """Import projects from an .xlsx/.xls/.csv file: all rows or none."""
    _run("projects", path, username, False, dry_run, reason, queue)


@click.command("import-funds")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, help="以此账户的角色和范围导入")
@click.option("--verified", is_flag=True, help="按已核实记录（仅投资促进局，用于历史台账）")
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@click.option("--reason", default="", help="按已核实导入且日期落在已月结月份时须说明的原因")
@click.option("--queue", is_flag=True, help="交给后台任务进程执行（显示任务编号，在任务页查看）")
@transactional
def import_funds(path, username, verified, dry_run, reason, queue):
    """Import funds entries from an .xlsx/.xls/.csv file: all rows or none."""
    _run("funds", path, username, verified, dry_run, reason, queue)


@click.command("import-key-projects")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, help="以此账户的角色和范围导入")
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@click.option("--queue", is_flag=True, help="交给后台任务进程执行（显示任务编号，在任务页查看）")
@transactional
def import_key_projects(path, username, dry_run, queue):
    """Import the yearly key-project list from an .xlsx/.xls/.csv file: all rows or none."""
    _run("keyproject", path, username, False, dry_run, "", queue)


@click.command("withdraw-import")
@with_appcontext
@click.argument("batch_id", type=click.IntRange(1, 2**62))
@click.option("--as", "username", required=True, help="以此账户撤回（须为投资促进局账户）")
@click.option("--reason", required=True, help="撤回原因，记入每条记录的操作历史")
@transactional
def withdraw_import(batch_id, username, reason):
    """Withdraw (撤回) an import batch: every row it wrote, or none."""
    user = _user(username)
    history.set_actor(db.session, user)
    batch = db.session.execute(
        select(ImportBatch).where(ImportBatch.id == batch_id)
    ).scalar_one_or_none()
    if batch is None:
        _fail(f"导入批次 #{batch_id} 不存在")
    try:
        count = withdrawal.withdraw_batch(batch, user, reason)
    except ServiceError as error:
        _fail("；".join(error.errors.values()), 1)
    click.echo(f"已撤回批次 #{batch_id}，{count} 条记录已删除。")


@click.command("export-funds")
@with_appcontext
@click.option("--year", type=click.IntRange(1990, 2100), required=True, help="年度")
@click.option("--month", type=click.IntRange(1, 12), required=True, help="截至月份（1..M）")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出 .xlsx")
@click.option("--as", "username", help="以此账户的范围导出（默认全区）")
@transactional
def export_funds(year, month, out, username):
    """Verified funds of months 1..M by unit, and the ledger on a second sheet."""
    actor = _user(username) if username else SYSTEM
    filters = LedgerFilters(year=year, month_from=1, month_to=month)
    ledger = LedgerFilters(year=year, month_from=1, month_to=month, status="verified")
    sheets = [unit_report_sheet(actor, filters), ledger_sheet(actor, ledger)]
    rows = exports.run(
        sheets,
        Path(out),
        name="funds-by-unit+ledger",
        filters={"year": str(year), "to": str(month), "status": "verified"},
        actor=actor if username else None,
        username="" if username else "命令行",
        ip="cli",
    )
    units, entries = sheets[0].row_count, sheets[1].row_count
    click.echo(f"已导出到 {out}：{units} 个单位，{entries} 笔明细（共 {rows} 行）。")


def init_app(app) -> None:
    """Register the commands."""
    for command in (
        import_projects, import_funds, import_key_projects, withdraw_import, export_funds
    ):
        app.cli.add_command(command)
