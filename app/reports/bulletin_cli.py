"""`flask --app wsgi bulletin --year Y --month M --out DIR`: write the month's bulletin files,
with a progress bar; `--queue --user NAME` hands it to the job workers instead (a job kind).

A closed month gives the files as issued, byte for byte. An open month is generated now as the
bureau would see it: the command acts as the system with the bureau's district-wide scope (it
reads, never writes business data), and the export is recorded in the security log."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.core import scoping, security_log
from app.core.unit_of_work import transactional
from app.extensions import db
from app.jobs import kinds
from app.jobs import services as jobs
from app.jobs.progress import BarProgress
from app.reports import bulletin as bulletins
from app.reports import closing
from app.reports.figures.period import Period, period_problem

# The system, reading as the bureau does (every unit); it has no account and writes nothing.
SYSTEM_AS_BUREAU = SimpleNamespace(
    role="bureau", unit_id=None, is_authenticated=True, id=None, username="系统（命令行）"
)


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


def _period(raw_year: str | None, raw_month: str | None) -> Period:
    if not raw_year or not raw_month:
        _fail("请用 --year 和 --month 指定年份和月份，例如 --year 2026 --month 10")
    problem = period_problem(raw_year, raw_month)
    if problem:
        _fail(problem)
    return Period(int(raw_year), int(raw_month))


def _folder(raw: str | None) -> Path:
    if not raw:
        _fail("请用 --out 指定输出目录")
    folder = Path(raw)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(f"无法创建输出目录“{raw}”：{error.strerror or error}")
    if not folder.is_dir():
        _fail(f"“{raw}”不是目录")
    return folder


def bulletin_files(actor: Any, period: Period, progress: Any) -> tuple[str, list, dict, bool]:
    """(what the files are, [(name, bytes)], the snapshot's rows, closed?) of the month's
    bulletin: as issued for a closed month, else generated now as `actor` sees it."""
    close = closing.month_close(period.year, period.month)
    if close is not None:
        progress.set_total(1, "读取印发时的文件")
        files = [(close.docx_name, close.docx), (close.xlsx_name, close.xlsx)]
        progress.advance()
        state = f"已月结（{close.closed_at:%Y-%m-%d}），输出印发时的文件"
        return state, files, close.snapshot.get("rows", {}), True
    progress.set_total(2, "计算通报数据")
    bulletin = bulletins.make_bulletin(actor, period)
    progress.advance()
    progress.step = "生成 Word 和 Excel 文件"
    issued = bulletins.issued_files(bulletin)
    progress.advance()
    files = [(issued.docx_name, issued.docx), (issued.xlsx_name, issued.xlsx)]
    return "未月结，按当前数据生成", files, issued.snapshot["rows"], False


def _record_export(username: str, period: Period, closed: bool, rows: dict, via: str) -> None:
    security_log.record(
        db.session, "export", username=username, what="月度通报",
        filter={"year": period.year, "month": period.month, "issued": closed, "via": via},
        rows=rows,
    )  # fmt: skip


def _run_bulletin_job(params: dict[str, Any], progress: Any) -> kinds.JobResult:
    """The bulletin as a job: both files in one .zip, kept for the user who asked for it."""
    period = Period(int(params["year"]), int(params["month"]))
    actor = scoping.current_actor(db.session)
    state, files, rows, closed = bulletin_files(actor, period, progress)
    target = jobs.result_path(progress.job_id, ".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    _record_export(actor.username, period, closed, rows, "job")
    return kinds.JobResult(summary=f"{period.label}通报：{state}", file=target.name,
                           file_name=f"{period.label}通报.zip")  # fmt: skip


BULLETIN = kinds.register(kinds.JobKind("bulletin", "月度通报", _run_bulletin_job, unit="步"))


def _queued_as(raw_user: str | None, period: Period) -> None:
    """Queue the bulletin for a bureau account: it appears under that user's 我的后台任务."""
    from app.auth.models import User

    if not raw_user:
        _fail("加 --queue 时请用 --user 指定一个投资促进局账户（结果在该账户的“我的后台任务”中）")
    with scoping.district_wide("the command looks up the account it queues for"):
        named = select(User).where(User.username == raw_user)
        user = db.session.execute(named).scalar_one_or_none()
    if user is None or not user.is_active or user.role != "bureau":
        _fail(f"“{raw_user}”不是在用的投资促进局账户")
    job = jobs.start(BULLETIN.name, {"year": period.year, "month": period.month}, user,
                     title=f"月度通报：{period.label}")  # fmt: skip
    db.session.commit()
    click.echo(f"已排队：任务 #{job.id}（{job.title}）。后台任务进程运行后，{raw_user} 登录后在"
               f"“我的后台任务”（/jobs/{job.id}）查看进度并下载结果。")  # fmt: skip


@click.command("bulletin")
@with_appcontext
@click.option("--year", "raw_year", help="年份，例如 2026")
@click.option("--month", "raw_month", help="截至月份 1—12（通报覆盖 1 月至该月）")
@click.option("--out", "raw_out", help="输出目录（不存在则创建）")
@click.option("--queue", is_flag=True, help="交给后台任务进程生成（结果在 --user 账户的任务中）")
@click.option("--user", "raw_user", help="加 --queue 时：任务归属的投资促进局账户")
@transactional
def bulletin_command(raw_year, raw_month, raw_out, queue, raw_user):
    """Write the month's bulletin (.docx) and its tables (.xlsx) into a folder, or queue it."""
    period = _period(raw_year, raw_month)
    if queue:
        _queued_as(raw_user, period)
        return
    folder = _folder(raw_out)
    with BarProgress(f"{period.label}通报", unit="步") as bar:
        state, files, rows, closed = bulletin_files(SYSTEM_AS_BUREAU, period, bar)
    if not closed:
        state += "（全区范围）"
    paths = []
    for name, data in files:
        path = folder / name
        try:
            path.write_bytes(data)
        except OSError as error:
            _fail(f"无法写入“{path}”：{error.strerror or error}")
        paths.append(path)
    _record_export(SYSTEM_AS_BUREAU.username, period, closed, rows, "cli")
    click.echo(f"{period.label}通报：{state}")
    for path in paths:
        click.echo(str(path.resolve()))


def init_app(app) -> None:
    """Register the command."""
    app.cli.add_command(bulletin_command)
