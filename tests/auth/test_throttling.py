"""Login throttling: failed logins limited per client address and per username, answered 429."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth import throttle
from app.auth.models import User
from app.core.security_log import SecurityEvent
from app.extensions import db
from tests.factories import PASSWORD

WRONG = "Wrong@12345"
FLOODER = "203.0.113.7"
THROTTLED = "登录失败次数过多，请"


def _attempt(client, username, password=WRONG, address="198.51.100.1", **kwargs):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


def _events(app, event: str) -> list[SecurityEvent]:
    with app.app_context():
        return list(
            db.session.execute(select(SecurityEvent).where(SecurityEvent.event == event)).scalars()
        )


def _users(app, usernames) -> list[User]:
    with app.app_context():
        return list(db.session.execute(select(User).where(User.username.in_(usernames))).scalars())


def test_an_address_failing_too_often_is_answered_429_on_the_login_page(client, people, app):
    for n in range(10):
        assert _attempt(client, f"guess{n}", address=FLOODER).status_code == 200
    response = _attempt(client, "guess10", address=FLOODER)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert THROTTLED in page and "后再试" in page
    assert 'value="guess10"' in page and 'name="password"' in page  # the form, ready again
    assert len(_events(app, "login_failed")) == 10  # the throttled attempt was never checked


def test_a_throttled_address_is_refused_even_the_right_password(client, people):
    for n in range(10):
        _attempt(client, f"guess{n}", address=FLOODER)
    assert _attempt(client, "bureau1", PASSWORD, address=FLOODER).status_code == 429
    assert client.get("/").status_code == 302  # not logged in
    assert _attempt(client, "bureau1", PASSWORD, address="198.51.100.2").status_code == 302


def test_a_json_client_gets_the_error_shape_and_retry_after(client, people):
    for n in range(10):
        _attempt(client, f"guess{n}", address=FLOODER)
    response = _attempt(client, "x", address=FLOODER, headers={"Accept": "application/json"})
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "429" and error["message"].startswith(THROTTLED)
    assert int(response.headers["Retry-After"]) > 0


def test_right_passwords_do_not_count_toward_the_limits(client, people):
    for _ in range(15):
        assert _attempt(client, "bureau1", PASSWORD, address=FLOODER).status_code == 302
        client.post("/logout")
    assert _attempt(client, "nobody", address=FLOODER).status_code == 200


def test_the_address_may_try_again_once_the_minute_has_passed(client, people, pinned_clock):
    for n in range(10):
        _attempt(client, f"guess{n}", address=FLOODER)
    assert _attempt(client, "guess", address=FLOODER).status_code == 429
    pinned_clock.shift(timedelta(seconds=61))
    assert _attempt(client, "bureau1", PASSWORD, address=FLOODER).status_code == 302


@pytest.mark.parametrize("username", ["bureau1", "no-such-user"])
def test_one_account_tried_from_many_addresses_is_throttled_known_or_not(client, people, username):
    """The same answers, step by step, for an account that exists and one that does not."""
    answers = [_attempt(client, username, address=f"192.0.2.{n}").status_code for n in range(1, 12)]
    assert answers == [200] * 10 + [429]
    page = _attempt(client, username, address="192.0.2.99").get_data(as_text=True)
    assert THROTTLED in page
    assert _attempt(client, "someone-else", address="192.0.2.99").status_code == 200


def test_a_locked_account_answers_exactly_as_a_wrong_password_does(client, people, app):
    def message(username, password, address):
        page = _attempt(client, username, password, address=address).get_data(as_text=True)
        return page.split('data-testid="login-error">', 1)[1].split("<", 1)[0]

    wrong = message("bureau1", WRONG, "192.0.2.1")
    unknown = message("no-such-user", WRONG, "192.0.2.2")
    for n in range(4):
        _attempt(client, "bureau1", address=f"192.0.2.{10 + n}")
    assert len(_events(app, "lockout")) == 1
    locked_right_password = message("bureau1", PASSWORD, "192.0.2.20")
    assert wrong == unknown == locked_right_password == "用户名或密码错误"
    assert _events(app, "login_failed")[-1].detail["reason"] == "locked"


def test_a_flood_of_1000_attempts_from_one_address_locks_no_account(client, make, app):
    names = [f"staff{n}" for n in range(8)]
    for name in names:
        make.user(name, "bureau")
    answers = [
        _attempt(client, names[n % len(names)], address=FLOODER).status_code for n in range(1000)
    ]
    assert answers.count(429) == 990 and set(answers[:10]) == {200}
    for user in _users(app, names):
        assert user.locked_until is None and user.failed_logins < 5, user.username
    assert _events(app, "lockout") == []
    [throttled] = _events(app, "login_throttled")  # one entry for the flood, not 990
    assert throttled.ip == FLOODER and throttled.detail["limit"] == "address"
    for name in names:  # every owner logs in at once from their own desk
        response = _attempt(app.test_client(), name, PASSWORD, address="198.51.100.50")
        assert response.status_code == 302, name


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


RUN = uuid.uuid4().hex[:8]  # Redis outlives the test: this run's own address and usernames
RUN_ADDRESS = f"10.{int(RUN[:2], 16)}.{int(RUN[2:4], 16)}.{int(RUN[4:6], 16)}"
REDIS = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}

# Another application process on the same Redis: five failed attempts from RUN_ADDRESS.
OTHER_PROCESS = """
import json, sys
import time_machine
from app import create_app
time_machine.travel(float(sys.argv[3]), tick=True).start()  # the clock the servers share
client = create_app(json.loads(sys.argv[1])).test_client()
codes = [
    client.post(
        "/login",
        data={"username": f"{sys.argv[4]}-there{n}", "password": "Wrong@12345"},
        environ_base={"REMOTE_ADDR": sys.argv[2]},
    ).status_code
    for n in range(5)
]
print(json.dumps(codes))
"""


@pytest.fixture
def redis_keys():
    """Remove this run's keys from Redis afterwards."""
    yield
    import redis

    server = redis.Redis.from_url(REDIS["RATELIMIT_STORAGE_URI"])
    accounts = [f"{RUN}-{place}{n}" for place in ("there", "here") for n in range(6)]
    for pattern in [RUN_ADDRESS, *(throttle.username_digest(name) for name in accounts)]:
        for key in server.scan_iter(match=f"*{pattern}*"):
            server.delete(key)
    server.close()


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not listening on 127.0.0.1:6379")
@pytest.mark.parametrize("app_config", [REDIS])
def test_with_redis_the_counts_hold_across_processes(client, people, app, app_config, redis_keys):
    config = {
        key: app.config[key]
        for key in ("TESTING", "SECRET_KEY", "PASSWORD_HASH_FAST", "SQLALCHEMY_DATABASE_URI")
    }
    settings = {**config, **REDIS, "WTF_CSRF_ENABLED": False}
    now = str(time.time())
    other = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", OTHER_PROCESS, json.dumps(settings), RUN_ADDRESS, now, RUN],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "CRM_ENV": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(other.stdout.strip().splitlines()[-1]) == [200] * 5
    answers = [
        _attempt(client, f"{RUN}-here{n}", address=RUN_ADDRESS).status_code for n in range(6)
    ]
    assert answers == [200] * 5 + [429]  # five there and five here make the ten of the limit
