"""Command-line commands: `flask --app wsgi COMMAND`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.auth import services as auth_services
from app.auth.models import ROLES, User
from app.core import backup, history
from app.core.chain import broken_links, seal_before_reading, unsealed
from app.core.forms import ServiceError
from app.core.history import HistoryEntry
from app.core.security_log import SecurityEvent
from app.core.unit_of_work import transactional
from app.extensions import db
from app.jobs.progress import BarProgress
from app.units import services as unit_services
from app.units.models import UNIT_KINDS
from app.units.queries import unit_by_name


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="角色")
@click.option("--unit", "unit_name", help="所属单位名称（仅 unit 角色）")
@click.option("--name", "name", help="姓名（默认同用户名）")
@click.password_option("--password", prompt="密码", confirmation_prompt="再次输入密码")
@transactional
def create_user(username, role, unit_name, name, password):
    """Create an account; it must change its password at first login."""
    history.set_actor(db.session, None)
    unit_id = None
    if unit_name:
        unit = unit_by_name(unit_name)
        if unit is None:
            _fail(f"没有名为“{unit_name}”的单位")
        unit_id = unit.id
    data = auth_services.UserData(
        username=username, name=name or username, role=role, unit_id=unit_id
    )
    try:
        user = auth_services.create_user(data, password, actor=None)
    except ServiceError as error:
        _fail("；".join(error.errors.values()))
    click.echo(f"已创建账户 {user.username}（{user.role_label}），首次登录须修改密码。")


@click.command("create-unit")
@with_appcontext
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(UNIT_KINDS), help="类别")
@transactional
def create_unit(name, kind):
    """Create a responsible unit."""
    history.set_actor(db.session, None)
    try:
        unit = unit_services.create_unit(name, kind, actor=None)
    except ServiceError as error:
        _fail("；".join(error.errors.values()))
    click.echo(f"已创建单位 {unit.name}（{unit.kind}）。")


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--if-empty", is_flag=True, help="数据库已有账户时不载入，只打印演示账户（make run 使用）"
)
@transactional
def seed_demo(if_empty):
    """Load the demo data set into an empty database and print one login per role."""
    from app.demo import SEED_DEMO, demo_logins
    from app.jobs.runner import run_here

    if db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0:
        run_here(SEED_DEMO.name, {})  # a progress bar while each domain is seeded; committed
        click.echo("已载入演示数据。")
    elif not if_empty:
        _fail("数据库中已有账户，演示数据只能载入空数据库")
    logins = demo_logins()
    demo_names = [username for _role, username, _password in logins]
    present = db.session.execute(
        select(func.count()).select_from(User).where(User.username.in_(demo_names))
    ).scalar_one()
    if present == len(demo_names):
        click.echo("演示账户（每个角色一个）：")
        for role, username, password in logins:
            click.echo(f"  {ROLES[role]:<6} 用户名 {username:<10} 密码 {password}")


@click.command("verify-history")
@with_appcontext
@transactional
def verify_history():
    """Seal what is pending, then recompute the hash chains of the history and the security
    log; exit 1 if altered or if a row was never sealed."""
    seal_before_reading(db.session)
    connection = db.session.connection()
    broken = False
    for model, label in ((HistoryEntry, "操作历史"), (SecurityEvent, "安全日志")):
        ids = list(broken_links(connection, model))
        pending = unsealed(connection, model)
        total = db.session.execute(select(func.count()).select_from(model)).scalar_one()
        if ids:
            broken = True
            shown = ", ".join(map(str, ids[:20])) + (" ……" if len(ids) > 20 else "")
            found = f"发现 {len(ids)} 条被篡改、断链或未能封存"
            click.echo(f"{label}：{total} 条，{found}，编号：{shown}")
        else:
            click.echo(f"{label}：{total} 条，哈希链完整。")
        if pending:
            broken = True
            shown = ", ".join(map(str, pending[:20])) + (" ……" if len(pending) > 20 else "")
            click.echo(f"{label}：{len(pending)} 条超过 5 分钟仍未封存入链，编号：{shown}")
    sys.exit(1 if broken else 0)


@click.command("backup")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="新的备份文件夹")
def backup_command(out):
    """Back up the database and the stored files while users work (docs/deploy.md)."""
    try:
        with BarProgress("备份", unit="步") as bar:
            manifest = backup.take(out, bar)
    except backup.BackupError as error:
        _fail(str(error))
    click.echo(
        f"已备份到 {out}：{manifest.dialect} 数据库 {sum(manifest.rows.values())} 行，"
        f"文件 {manifest.files} 个，校验值 {manifest.sha256[:12]}"
    )


@click.command("restore")
@with_appcontext
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="确认覆盖当前数据库（先停止应用服务和后台任务）")
def restore_command(folder, yes):
    """Put a backup back over the current database and files."""
    if not yes:
        _fail("恢复会覆盖当前数据库的全部数据：确认已停止应用服务和后台任务后，加 --yes 再运行")
    try:
        with BarProgress("恢复", unit="步") as bar:
            manifest = backup.restore(folder, bar)
    except backup.BackupError as error:
        _fail(str(error))
    click.echo(f"已恢复 {manifest.taken_at} 的备份（{sum(manifest.rows.values())} 行）")


def init_app(app) -> None:
    """Register the commands."""
    for command in (create_user, create_unit, seed_demo, verify_history, backup_command,
                    restore_command):  # fmt: skip
        app.cli.add_command(command)
