"""招商引资 CRM: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.config import load_settings


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, errors, commands."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_settings(app, test_config)
    _sqlite_engine_options(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def _sqlite_engine_options(app: Flask) -> None:
    """SQLite waits for the write lock instead of failing at once (PITFALLS.md)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        timeout = app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": timeout}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions of app.extensions to this app."""
    from app import models  # noqa: F401  (every table known to metadata and migrations)
    from app.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)


def register_request_hooks(app: Flask) -> None:
    """Per request, in order: idle timeout, history actor, permission, forced password change."""
    from app.auth import views as auth_views
    from app.core.web import enforce_permission, register_security_headers

    auth_views.init_app(app)
    app.before_request(enforce_permission)
    app.before_request(auth_views.must_change_password_gate)
    register_security_headers(app)


def register_blueprints(app: Flask) -> None:
    """Every blueprint and its navigation entries."""
    from app.audit.views import bp as audit_bp
    from app.auth.admin_views import bp as users_bp
    from app.auth.views import bp as auth_bp
    from app.core.navigation import NavItem, register
    from app.main.views import bp as main_bp
    from app.units.views import bp as units_bp

    for bp in (main_bp, auth_bp, users_bp, units_bp, audit_bp):
        app.register_blueprint(bp)
    register(
        app,
        NavItem("账户管理", "users.index", "people", "系统管理", "创建、停用账户，重置密码"),
        NavItem("单位管理", "units.index", "building", "系统管理", "乡镇街道、区直部门、园区"),
        NavItem("操作历史", "audit.history", "clock-history", "审计", "每条记录的新增、修改、删除"),
        NavItem("安全日志", "audit.security", "shield-lock", "审计", "登录、锁定、拒绝访问、导出"),
        NavItem("完整性校验", "audit.integrity", "patch-check", "审计", "校验历史与日志的哈希链"),
    )


def register_errorhandlers(app: Flask) -> None:
    """Chinese error pages and JSON errors."""
    from app.core.web import register_errorhandlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates use."""
    from app.core import templating

    templating.init_app(app)


def register_commands(app: Flask) -> None:
    """The `flask --app wsgi ...` commands."""
    from app import cli

    cli.init_app(app)
