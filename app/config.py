"""Settings: defaults that work on a laptop; instance/config.py and the environment override."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class DefaultConfig:
    """Defaults for a laptop: SQLite in instance/, plain HTTP on 127.0.0.1."""

    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by create_app from instance_path
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15_000

    # Sessions and login
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = (
        False  # turn on in production behind HTTPS (PITFALLS: CSRF breaks otherwise)
    )
    SESSION_IDLE_MINUTES = 30
    LOCKOUT_THRESHOLD = 5
    LOCKOUT_MINUTES = 15
    PASSWORD_HASH_FAST = False  # tests only: cheap argon2 parameters

    # Forms
    WTF_CSRF_TIME_LIMIT = None  # the session idle timeout bounds a token's life already
    WTF_I18N_ENABLED = False

    # Domain
    TIMEZONE = "Asia/Shanghai"
    PER_PAGE = 50
    LANDED_STAGE = "started"
    LIGHT_YELLOW_MAX_LAG = 10  # percentage points; 0 < lag <= this is yellow, above is red
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
    MAX_UPLOAD_MB = 10
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024


class ProductionConfig(DefaultConfig):
    """Production: PostgreSQL through DATABASE_URL, cookies Secure when HTTPS is on."""

    SESSION_COOKIE_SECURE = True


def load_settings(app, test_config: dict | None) -> None:
    """Apply defaults, then instance/config.py, then the environment, then a test mapping."""
    app.config.from_object(DefaultConfig)
    if os.environ.get("CRM_ENV") == "production":
        app.config.from_object(ProductionConfig)
    app.config.from_pyfile("config.py", silent=True)
    for key in ("SECRET_KEY", "DATABASE_URL"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if os.environ.get("SESSION_COOKIE_SECURE"):
        app.config["SESSION_COOKIE_SECURE"] = os.environ["SESSION_COOKIE_SECURE"] == "1"
    if test_config:
        app.config.update(test_config)

    if app.config.get("DATABASE_URL") and not (test_config or {}).get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "crm.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance: Path) -> str:
    """A random secret kept in instance/, so a laptop needs no configuration."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
