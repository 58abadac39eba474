"""The command line: first admin, units, demo data, chain verification."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.units.models import Unit


def test_the_first_admin_comes_from_the_cli_and_must_change_password(app, runner, client):
    result = runner.invoke(
        args=[
            "create-user",
            "root",
            "--role",
            "admin",
            "--name",
            "管理员",
            "--password",
            "Root@20261",
        ]
    )
    assert result.exit_code == 0, result.output
    client.post("/login", data={"username": "root", "password": "Root@20261"})
    assert client.get("/").location.endswith("/account/password")


def test_create_user_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["create-user", "root", "--role", "admin", "--password", "weak"])
    assert result.exit_code == 2 and "密码至少 8 位" in result.output


def test_create_unit_then_a_unit_user(app, runner):
    assert runner.invoke(args=["create-unit", "白马镇", "--kind", "乡镇街道"]).exit_code == 0
    result = runner.invoke(
        args=[
            "create-user",
            "baima",
            "--role",
            "unit",
            "--unit",
            "白马镇",
            "--password",
            "Baima@2026",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["create-user", "x", "--role", "unit", "--unit", "不存在", "--password", "Baima@2026"]
    )
    assert result.exit_code == 2 and "没有名为“不存在”的单位" in result.output


def test_seed_demo_fills_an_empty_database_once(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "用户名 admin" in result.output
    # the terminal is shown each domain as it is seeded, ending at every step done
    assert "重点项目" in result.stderr and "10/10" in result.stderr, repr(result.stderr)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Unit)).scalar() == 30
        roles = set(db.session.execute(select(User.role)).scalars())
        assert roles == {"admin", "auditor", "bureau", "unit", "leader"}
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 2
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["verify-history"]).exit_code == 0
