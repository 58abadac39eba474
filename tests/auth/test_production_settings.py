"""Production refuses to start without a SECRET_KEY or a shared store for the login limits."""

from __future__ import annotations

import logging
import threading

import pytest

from app import create_app
from app.config import ConfigurationError, _instance_secret
from app.extensions import db

SECRET = "s" * 64
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def production(monkeypatch, tmp_path):
    """CRM_ENV=production with nothing else set; returns a factory taking the test mapping."""
    monkeypatch.setenv("CRM_ENV", "production")
    for name in ("SECRET_KEY", "REDIS_URL", "RATELIMIT_STORAGE_URI", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    made = []

    def build(**settings):
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}", **settings}
        )
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_production_without_secret_key_refuses_to_start_saying_how_to_set_it(
    production, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    with pytest.raises(ConfigurationError) as refused:
        production()
    message = str(refused.value)
    assert "SECRET_KEY" in message and "export SECRET_KEY=" in message
    assert "CRM_ENV=production" in message


def test_production_refuses_a_short_secret_key(production, monkeypatch):
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(ConfigurationError, match="SECRET_KEY 太短"):
        production()


def test_production_without_a_shared_store_for_the_login_limits_refuses_to_start(
    production, monkeypatch
):
    monkeypatch.setenv("SECRET_KEY", SECRET)
    with pytest.raises(ConfigurationError) as refused:
        production()
    assert "REDIS_URL" in str(refused.value) and "memory://" in str(refused.value)


def test_production_takes_redis_url_for_the_login_limits(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    app = production()
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert app.config["SECRET_KEY"] == SECRET and app.config["SESSION_COOKIE_SECURE"] is True


def test_production_on_memory_counts_starts_with_a_loud_warning(production, monkeypatch, caplog):
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    with caplog.at_level(logging.WARNING):
        production()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("memory://" in w and "REDIS_URL" in w for w in warnings)


def test_the_laptop_secret_is_one_for_processes_starting_together(tmp_path):
    keys: list[str] = []
    start = threading.Barrier(8)

    def start_one():
        start.wait()
        keys.append(_instance_secret(tmp_path))

    threads = [threading.Thread(target=start_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
