"""`flask --app wsgi bulletin --year Y --month M --out DIR`: write the month's bulletin files.

A closed month gives the files as issued, byte for byte. An open month is generated now as the
bureau would see it: the command acts as the system with the bureau's district-wide scope (it
reads, never writes business data), and the export is recorded in the security log."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import click
from flask.cli import with_appcontext

from app.core import security_log
from app.core.unit_of_work import transactional
from app.extensions import db
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


@click.command("bulletin")
@with_appcontext
@click.option("--year", "raw_year", help="年份，例如 2026")
@click.option("--month", "raw_month", help="截至月份 1—12（通报覆盖 1 月至该月）")
@click.option("--out", "raw_out", help="输出目录（不存在则创建）")
@transactional
def bulletin_command(raw_year, raw_month, raw_out):
    """Write the month's bulletin (.docx) and its tables (.xlsx) into a folder."""
    period = _period(raw_year, raw_month)
    folder = _folder(raw_out)
    close = closing.month_close(period.year, period.month)
    if close is not None:
        files = [(close.docx_name, close.docx), (close.xlsx_name, close.xlsx)]
        rows = close.snapshot.get("rows", {})
        state = f"已月结（{close.closed_at:%Y-%m-%d}），输出印发时的文件"
    else:
        issued = bulletins.issued_files(bulletins.make_bulletin(SYSTEM_AS_BUREAU, period))
        files = [(issued.docx_name, issued.docx), (issued.xlsx_name, issued.xlsx)]
        rows = issued.snapshot["rows"]
        state = "未月结，按当前数据生成（全区范围）"
    paths = []
    for name, data in files:
        path = folder / name
        try:
            path.write_bytes(data)
        except OSError as error:
            _fail(f"无法写入“{path}”：{error.strerror or error}")
        paths.append(path)
    security_log.record(
        db.session, "export", username=SYSTEM_AS_BUREAU.username, what="月度通报",
        filter={"year": period.year, "month": period.month, "issued": close is not None,
                "via": "cli"},
        rows=rows,
    )  # fmt: skip
    click.echo(f"{period.label}通报：{state}")
    for path in paths:
        click.echo(str(path.resolve()))


def init_app(app) -> None:
    """Register the command."""
    app.cli.add_command(bulletin_command)
