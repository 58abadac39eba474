"""招商引资 CRM: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from app.config import load_settings
from app.core.db import reads_only
from app.core.params import PlainRequest
from app.core.unit_of_work import UnitOfWorkFlask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, errors, commands."""
    app = UnitOfWorkFlask(__name__, instance_relative_config=True)
    app.request_class = PlainRequest  # no control characters in any query string or form
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_settings(app, test_config)
    _sqlite_engine_options(app)
    _pool_options(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    reads_only(app.view_functions["static"])  # a page's CSS and scripts load beside a writer
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def _sqlite_engine_options(app: Flask) -> None:
    """SQLite waits for the write lock instead of failing at once (docs/pitfalls.md, "SQLite")."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        timeout = app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": timeout}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _pool_options(app: Flask) -> None:
    """A server database's connection pool, per app process (docs/deploy.md)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("pool_size", app.config["DB_POOL_SIZE"])
        options.setdefault("max_overflow", app.config["DB_MAX_OVERFLOW"])
        options.setdefault("pool_timeout", app.config["DB_POOL_TIMEOUT"])
        options.setdefault("pool_recycle", app.config["DB_POOL_RECYCLE"])
        # Every statement planned for its own values: psycopg prepares a statement after its
        # fifth run, and PostgreSQL then plans it for any values, which counted the due
        # follow-ups of a user owning 150,000 in 98 ms instead of 4 (docs/pitfalls.md).
        # Added to the options given in connect_args or in the URL, which these would replace.
        connect_args = dict(options.get("connect_args", {}))
        in_url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query.get("options", "")
        given = connect_args.get("options", in_url if isinstance(in_url, str) else "")
        connect_args["options"] = f"{given} -c plan_cache_mode=force_custom_plan".strip()
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions of app.extensions to this app."""
    from app import models  # noqa: F401  (every table known to metadata and migrations)
    from app.auth import throttle
    from app.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    throttle.init_app(app)  # login throttling (Flask-Limiter)


def register_request_hooks(app: Flask) -> None:
    """Per request, in order: idle timeout, history actor, permission, forced password change."""
    from app.auth import views as auth_views
    from app.core import logs
    from app.core.web import enforce_permission, register_security_headers

    logs.init_app(app)  # first: every later hook's log lines carry the request id
    auth_views.init_app(app)
    app.before_request(enforce_permission)
    app.before_request(auth_views.must_change_password_gate)
    register_security_headers(app)


def register_blueprints(app: Flask) -> None:
    """Every blueprint and its navigation entries."""
    from app import targets, todo, trips
    from app.audit.views import bp as audit_bp
    from app.auth import token_views  # noqa: F401  (the profile page: API tokens)
    from app.auth.admin_views import bp as users_bp
    from app.auth.views import bp as auth_bp
    from app.care import panel as care_panel
    from app.care.views import bp as care_bp
    from app.core.navigation import NavItem, register
    from app.events.views import bp as events_bp
    from app.funds import (
        stage_check_views,  # noqa: F401  (adds its route to the funds blueprint)
        statement_views,  # noqa: F401  (adds its route to the funds blueprint)
    )
    from app.funds import views as funds_views
    from app.imports import views as imports_views
    from app.leaders.views import bp as leaders_bp
    from app.main.views import bp as main_bp
    from app.projects import record_views  # noqa: F401  (adds its routes to the projects blueprint)
    from app.projects.duplicate_views import bp as duplicates_bp
    from app.projects.views import bp as projects_bp
    from app.reports.bulletin_views import bp as bulletins_bp
    from app.reports.views import bp as reports_bp
    from app.targets import set_views  # noqa: F401  (adds the bureau's routes to targets)
    from app.targets.views import bp as targets_bp
    from app.trips import report_views  # noqa: F401  (adds the compliance routes to trips)
    from app.trips.views import bp as trips_bp
    from app.units.views import bp as units_bp

    for bp in (main_bp, auth_bp, users_bp, units_bp, audit_bp, projects_bp):
        app.register_blueprint(bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(duplicates_bp)
    app.register_blueprint(care_bp)
    app.register_blueprint(funds_views.bp)
    app.register_blueprint(imports_views.bp)
    app.register_blueprint(imports_views.export_bp)
    app.register_blueprint(bulletins_bp)
    from app.keyprojects.views import bp as keyprojects_bp  # 重点项目库 (KA)

    app.register_blueprint(keyprojects_bp)
    from app.keyprojects.schedule_views import bp as keyschedule_bp  # 月调度 and 督查 (KC)

    app.register_blueprint(keyschedule_bp)
    for bp in (leaders_bp, targets_bp, trips_bp, reports_bp):
        app.register_blueprint(bp)
    funds_views.init_app(app)
    care_panel.init_app(app)
    todo.init_app(app)
    targets.init_app(app)
    trips.init_app(app)
    from app.reports import keyproject_views  # 重点项目台账 and 三类现象 (KD)

    keyproject_views.init_app(app)
    from app.search.views import bp as search_bp  # the top bar's search

    app.register_blueprint(search_bp)
    from app import jobs  # the job queue, the job pages and the worker command

    jobs.init_app(app)
    from app import api  # the REST API under /api/v1 (docs/api.md)

    api.init_app(app)
    register(
        app,
        NavItem("我的待办", "main.home", "list-check", "我的待办", "到期、逾期、待处理的事项",
                badge=todo.badge_count),
        NavItem("我的后台任务", "jobs.index", "hourglass-split", "我的待办",
                "大批量导出、月结的进度和结果"),
        NavItem("驾驶舱", "reports.dashboard", "speedometer2", "统计报表", "落地率、到位资金"),
        NavItem("月度通报", "bulletins.index", "file-earmark-text", "统计报表",
                "生成、下载、月结月度通报"),
        NavItem("项目列表", "projects.index", "list-ul", "招商项目", "筛选、搜索全部项目"),
        NavItem("项目看板", "projects.board", "kanban", "招商项目", "按阶段查看项目，推进里程碑"),
        NavItem("登记项目", "projects.create", "plus-circle", "招商项目", "登记新的招商线索"),
        NavItem("到期跟进", "projects.due", "alarm", "招商项目", "下一步已到期的跟进事项"),
        NavItem("招商活动", "events.index", "calendar-event", "招商项目", "推介会、展会及其项目"),
        NavItem("重复项目", "duplicates.index", "intersect", "招商项目", "核实并合并重复项目"),
        NavItem("到位资金台账", "funds.index", "cash-coin", "到位资金", "录入、核实、更正到位资金"),
        NavItem("到位资金报表", "funds.report", "bar-chart", "到位资金", "按单位、来源、用途统计"),
        NavItem("到位资金情况表", "funds.statement", "table", "到位资金",
                "按来源、产业、亿元以上统计的履约项目与完成情况"),
        NavItem("阶段缺失核查", "funds.stage_check_list", "exclamation-triangle", "到位资金",
                "签约前到位的资金、跳过前一步的项目"),
        NavItem("数据导入", "imports.index", "upload", "到位资金", "从 Excel 导入项目和资金"),
        NavItem("问题交办", "care.problems", "flag", "安商服务", "企业诉求与推进问题的交办、督办"),
        NavItem("问题看板", "care.board", "clipboard-data", "安商服务", "各承办单位的办理情况"),
        NavItem("进而不快", "care.stalled", "hourglass-split", "安商服务", "超时限的项目"),
        NavItem("目标完成情况", "targets.index", "bullseye", "目标与外出", "亮灯、排名、红黑榜"),
        NavItem("下达目标", "targets.grid", "pencil-square", "目标与外出", "为各单位下达年度目标"),
        NavItem("本单位目标", "targets.mine", "hand-thumbs-up", "目标与外出", "认领本单位目标"),
        NavItem("外出招商", "trips.index", "airplane", "目标与外出", "领导外出招商记录"),
        NavItem("外出情况", "trips.compliance", "calendar-check", "目标与外出", "月度外出情况"),
        NavItem("外出成效", "trips.yields", "graph-up-arrow", "目标与外出", "每次外出促成的项目"),
        NavItem("领导名录", "leaders.index", "person-badge", "目标与外出", "党政一把手、包保领导"),
        NavItem("重点项目库", "keyprojects.index", "buildings", "重点项目",
                "年度重点项目名录、六个一、前置要件"),
        NavItem("列入重点项目", "keyprojects.create", "plus-square", "重点项目",
                "登记新的重点项目"),
        NavItem("重点项目台账", "keyfigures.ledger", "journal-text", "重点项目",
                "完成投资、亮灯，按工程、单位、包保领导汇总"),
        NavItem("三类现象", "keyfigures.flags", "exclamation-octagon", "重点项目",
                "包而不推、推而不进、进而不快"),
        NavItem("月调度", "keyschedule.month", "calendar-check", "重点项目",
                "每月完成投资和形象进度的填报、锁定"),
        NavItem("督查", "keyschedule.inspection", "search", "重点项目",
                "重点项目推进问题按承办单位的办理情况"),
        NavItem("账户管理", "users.index", "people", "系统管理", "创建、停用账户，重置密码"),
        NavItem("单位管理", "units.index", "building", "系统管理", "乡镇街道、区直部门、园区"),
        NavItem("操作历史", "audit.history", "clock-history", "审计", "每条记录的新增、修改、删除"),
        NavItem("安全日志", "audit.security", "shield-lock", "审计", "登录、锁定、拒绝访问、导出"),
        NavItem("完整性校验", "audit.integrity", "patch-check", "审计", "校验历史与日志的哈希链"),
    )


def register_errorhandlers(app: Flask) -> None:
    """Chinese error pages and JSON errors."""
    from app.core import write_guard
    from app.core.web import register_errorhandlers as register

    register(app)
    write_guard.init_app(app)  # a business write refused by role: the 403 page


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates use."""
    from app.core import templating

    templating.init_app(app)


def register_commands(app: Flask) -> None:
    """The `flask --app wsgi ...` commands."""
    from app import cli, rollups
    from app.funds import cli as funds_cli
    from app.imports import cli as imports_cli
    from app.reports import bulletin_cli

    cli.init_app(app)
    rollups.init_app(app)  # flask rebuild-rollups
    funds_cli.init_app(app)
    imports_cli.init_app(app)
    bulletin_cli.init_app(app)
