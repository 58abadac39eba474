"""`flask --app wsgi create-token USERNAME --name NAME`: a token for an integrator."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.auth import tokens
from app.auth.models import User
from app.core import history
from app.core.forms import ServiceError
from app.core.unit_of_work import transactional
from app.extensions import db


@click.command("create-token")
@click.argument("username")
@click.option("--name", "name", required=True, help="令牌名称（用途或对接的系统）")
@with_appcontext
@transactional
def create_token(username: str, name: str) -> None:
    """Create an API token for USERNAME; the token alone is printed on the last line."""
    history.set_actor(db.session, None)
    user = db.session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()
    if user is None or not user.active:
        click.echo(f"错误：账户“{username}”不存在或已停用", err=True)
        sys.exit(2)
    try:
        token, secret = tokens.create_token(user, name)
    except ServiceError as error:
        click.echo("错误：" + "；".join(error.errors.values()), err=True)
        sys.exit(2)
    click.echo(
        f"已为 {user.username}（{user.role_label}）创建 API 令牌“{token.name}”，只显示这一次："
    )
    click.echo(secret)


def init_app(app) -> None:
    """Register the command."""
    app.cli.add_command(create_token)
