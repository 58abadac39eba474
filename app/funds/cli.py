"""`flask --app wsgi check-stages`: list the records that skip a stage, for the bureau."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import click
from flask.cli import with_appcontext

from app.core.pagination import count
from app.extensions import db
from app.funds import stage_check

# The whole district, as the bureau reads it: the command changes nothing.
DISTRICT = SimpleNamespace(id=None, role="bureau", unit_id=None)
SHOWN = 50


@click.command("check-stages")
@with_appcontext
def check_stages():
    """List funds entries before signing and projects skipping a milestone; exit 1 if any."""
    funds_stmt = stage_check.funds_breaking_signing(DISTRICT)
    gaps_stmt = stage_check.projects_with_gaps(DISTRICT)
    funds_total, gaps_total = count(funds_stmt), count(gaps_stmt)
    click.echo(f"签约之前或未签约项目的到位资金：{funds_total} 条")
    for e in db.session.execute(funds_stmt.limit(SHOWN)).scalars():
        signed = e.project.signed_on.isoformat() if e.project.signed_on else "未签约"
        click.echo(f"  #{e.id} {e.project.name}（签约 {signed}，到位 {e.received_on}）")
    click.echo(f"跳过前一步的项目：{gaps_total} 个")
    for p in db.session.execute(gaps_stmt.limit(SHOWN)).scalars():
        click.echo(f"  #{p.id} {p.name}：缺少{'、'.join(stage_check.missing_milestones(p))}")
    if funds_total + gaps_total:
        click.echo("以上记录未作任何修改，请在“阶段缺失核查”页面逐条核实更正。")
    sys.exit(1 if funds_total + gaps_total else 0)


def init_app(app) -> None:
    """Register the command."""
    app.cli.add_command(check_stages)
