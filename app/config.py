"""Settings: defaults that work on a laptop; instance/config.py and the environment override."""

from __future__ import annotations

import os
import secrets
from datetime import date
from pathlib import Path

PRODUCTION_SECRET_MIN_LENGTH = 32


class ConfigurationError(RuntimeError):
    """A setting production cannot run without; the message says how to set it."""


class DefaultConfig:
    """Defaults for a laptop: SQLite in instance/, plain HTTP on 127.0.0.1."""

    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by create_app from instance_path
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15_000

    # Sessions and login
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = (
        False  # on in production, over HTTPS only (docs/pitfalls.md, "Sessions and security")
    )
    SESSION_IDLE_MINUTES = 30
    LOCKOUT_THRESHOLD = 5
    LOCKOUT_MINUTES = 15
    PASSWORD_HASH_FAST = False  # tests only: cheap argon2 parameters

    # Login throttling (app/auth/throttle.py): failed logins per client address and per submitted
    # username, answered 429 before the password is checked. The address limit is what stops one
    # machine from locking many accounts; the account limit bounds guesses from many machines.
    LOGIN_LIMIT_PER_ADDRESS = "10 per minute; 30 per hour; 100 per day"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    # Where the counts live. memory:// holds in one process only (the laptop, the tests); with
    # several workers set REDIS_URL (or RATELIMIT_STORAGE_URI), e.g. redis://127.0.0.1:6379/0.
    RATELIMIT_STORAGE_URI: str | None = "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count in the process, keep serving
    RATELIMIT_SWALLOW_ERRORS = True  # a storage error is logged, never a 500 on the login page
    RATELIMIT_KEY_PREFIX = "crm"
    TRUSTED_PROXIES = 0  # reverse proxies in front (nginx: 1) whose X-Forwarded-For is believed

    # Forms
    WTF_CSRF_TIME_LIMIT = None  # the session idle timeout bounds a token's life already
    WTF_I18N_ENABLED = False

    # Domain
    TIMEZONE = "Asia/Shanghai"
    PER_PAGE = 50
    LANDED_STAGE = "started"
    LIGHT_YELLOW_MAX_LAG = 10  # percentage points; 0 < lag <= this is yellow, above is red
    FIGURE_DECIMALS = 2  # places of completion rates, time progress, shares and lags
    STAGE_TIME_LIMITS = {
        "lead": 30,
        "negotiating": 90,
        "signed": 60,
        "registered": 120,
        "funded": 180,
        "started": 365,
    }
    NOT_STARTED_LIMIT_DAYS = 180
    TRIP_YIELD_DAYS = 90  # a trip that produced no project within this many days is marked
    EARLIEST_DATE = date(2000, 1, 1)  # no date typed or imported before this (app/core/dates.py)
    DATE_YEARS_AHEAD = 5  # nor more than this many years after today
    MAX_UPLOAD_MB = 10
    KEY_REPORT_DUE_DAY = 10  # a month's 月调度 is due by this day of the following month
    KEPT_FORM_MINUTES = 60  # a form posted after the session ended waits this long for sign-in
    IMPORT_WITHDRAW_DAYS = 7  # an import batch may be withdrawn (撤回) this many days after
    IDLE_DAYS = 30  # 包而不推: no follow-up, visit or 月调度 entry by the team in this many days
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    # Jobs (app/jobs/): the queue is a SQLite file in instance/ unless JOB_QUEUE_URL names Redis
    # (redis://127.0.0.1:6379/1) for workers on several hosts; results go to JOB_RESULTS_DIR
    # (shared storage when there are several hosts).
    JOB_QUEUE_URL: str | None = None
    JOB_RESULTS_DIR: str | None = None  # default instance/job-results
    UPLOAD_DIR: str | None = None  # evidence, imports awaiting confirmation; default instance/
    JOB_STALE_SECONDS = 60  # a running job whose worker has not reported for this long failed
    EXPORT_INLINE_ROWS = 20_000  # a list export of more rows runs as a job
    IMPORT_INLINE_ROWS = 1_200  # a file of more rows (header and title rows included) is
    # checked and written by jobs, with progress on the job page; smaller ones in the request

    # Logs and the database pool (PostgreSQL): per app process
    LOG_JSON = False  # one JSON line per record on stdout, with the request id (production: on)
    LOG_LEVEL = "INFO"
    DB_POOL_SIZE = 5
    DB_MAX_OVERFLOW = 10
    DB_POOL_TIMEOUT = 10  # seconds a request waits for a connection before the 503 page
    DB_POOL_RECYCLE = 1800


class ProductionConfig(DefaultConfig):
    """Production: PostgreSQL through DATABASE_URL, cookies Secure when HTTPS is on."""

    SESSION_COOKIE_SECURE = True
    LOG_JSON = True
    RATELIMIT_STORAGE_URI = None  # must be chosen: REDIS_URL, or memory:// for a single worker


def load_settings(app, test_config: dict | None) -> None:
    """Apply defaults, then instance/config.py, then the environment, then a test mapping."""
    production = os.environ.get("CRM_ENV") == "production"
    app.config.from_object(DefaultConfig)
    if production:
        app.config.from_object(ProductionConfig)
    app.config["PRODUCTION"] = production
    app.config.from_pyfile("config.py", silent=True)
    for key in ("SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI", "JOB_QUEUE_URL",
                "JOB_RESULTS_DIR", "UPLOAD_DIR"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if os.environ.get("REDIS_URL") and not os.environ.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    for key in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "DB_POOL_RECYCLE"):
        if os.environ.get(key):
            app.config[key] = int(os.environ[key])
    if os.environ.get("LOG_JSON"):
        app.config["LOG_JSON"] = os.environ["LOG_JSON"] == "1"
    if os.environ.get("TRUSTED_PROXIES"):
        app.config["TRUSTED_PROXIES"] = int(os.environ["TRUSTED_PROXIES"])
    if os.environ.get("SESSION_COOKIE_SECURE"):
        app.config["SESSION_COOKIE_SECURE"] = os.environ["SESSION_COOKIE_SECURE"] == "1"
    if test_config:
        app.config.update(test_config)

    if app.config.get("DATABASE_URL") and not (test_config or {}).get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "crm.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if app.config["PRODUCTION"]:
        _require_production_secret(app.config.get("SECRET_KEY"))
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _require_production_secret(secret: str | None) -> None:
    """Production never makes its own key: every worker must sign sessions with the same one."""
    if secret and len(secret) >= PRODUCTION_SECRET_MIN_LENGTH:
        return
    problem = "未设置 SECRET_KEY" if not secret else "SECRET_KEY 太短"
    raise ConfigurationError(
        f"{problem}：生产环境（CRM_ENV=production）必须设置至少 {PRODUCTION_SECRET_MIN_LENGTH} 位"
        "的随机 SECRET_KEY，所有进程使用同一个值。生成并设置，例如："
        " export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        '（或写入 instance/config.py：SECRET_KEY = "..."）'
    )


def _instance_secret(instance: Path) -> str:
    """A random secret kept in instance/, so a laptop needs no configuration.

    Written to a temporary file and linked into place, so two processes starting at once agree
    on one key (the second link fails and reads the first) and nobody reads a half-written file.
    """
    path = instance / "secret_key"
    if not path.exists():
        candidate = instance / f"secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        candidate.write_text(secrets.token_hex(32))
        candidate.chmod(0o600)
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()
