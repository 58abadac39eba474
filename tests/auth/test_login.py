"""Login, lock-out, idle timeout, replayed cookies, password policy and forced change."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import create_app
from app.auth.models import User
from app.core.db import utcnow
from app.core.security_log import SecurityEvent
from app.extensions import db
from tests.factories import PASSWORD


def _events(app, event: str) -> list[SecurityEvent]:
    with app.app_context():
        return list(
            db.session.execute(select(SecurityEvent).where(SecurityEvent.event == event)).scalars()
        )


def _post_login(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_login_with_right_password_opens_home_page(client, people):
    response = _post_login(client, "bureau1", PASSWORD)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "bureau1姓名" in page and "投资促进局" in page


def test_wrong_password_and_unknown_user_get_the_same_message(client, people, app):
    wrong = _post_login(client, "bureau1", "Nope@12345").get_data(as_text=True)
    unknown = _post_login(client, "nobody", "Nope@12345").get_data(as_text=True)
    assert "用户名或密码错误" in wrong and "用户名或密码错误" in unknown
    assert 'value="bureau1"' in wrong  # the typed username is kept
    assert len(_events(app, "login_failed")) == 2


def test_five_failures_lock_the_account_even_for_the_right_password(client, people, app):
    for _ in range(5):
        _post_login(client, "bureau1", "Wrong@12345")
    page = _post_login(client, "bureau1", PASSWORD).get_data(as_text=True)
    assert "用户名或密码错误" in page
    assert client.get("/").status_code == 302  # still not logged in
    assert len(_events(app, "lockout")) == 1
    assert [e.detail["reason"] for e in _events(app, "login_failed")][-1] == "locked"


def test_lockout_is_kept_in_the_database_across_processes(client, people, app):
    for _ in range(5):
        _post_login(client, "bureau1", "Wrong@12345")
    # A second application process on the same database (a restart, another worker).
    other = create_app(
        {
            **{
                k: app.config[k]
                for k in ("TESTING", "SECRET_KEY", "PASSWORD_HASH_FAST", "SQLALCHEMY_DATABASE_URI")
            }
        }
    )
    from tests.conftest import CRMClient

    other.test_client_class = CRMClient
    assert _post_login(other.test_client(), "bureau1", PASSWORD).status_code == 200
    assert _events(other, "login_failed")[-1].detail["reason"] == "locked"
    with other.app_context():
        db.engine.dispose()


def test_lock_ends_after_its_time(client, people, app):
    for _ in range(5):
        _post_login(client, "bureau1", "Wrong@12345")
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.username == "bureau1")
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert _post_login(client, "bureau1", PASSWORD).status_code == 302


def test_four_failures_then_success_resets_the_counter(client, people, app):
    for _ in range(4):
        _post_login(client, "bureau1", "Wrong@12345")
    assert _post_login(client, "bureau1", PASSWORD).status_code == 302
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "bureau1")).scalar_one()
        assert user.failed_logins == 0 and user.locked_until is None


def test_disabled_user_cannot_log_in(client, make, app):
    make.user("gone", "bureau", active=False)
    page = _post_login(client, "gone", PASSWORD).get_data(as_text=True)
    assert "已停用" in page
    assert client.get("/").status_code == 302


def test_idle_session_expires_after_the_setting(client, people, login, app):
    login(people["bureau"])
    assert client.get("/").status_code == 200
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - idle - 1
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert len(_events(app, "session_expired")) == 1


def test_activity_within_the_idle_limit_keeps_the_session(client, people, login, app):
    login(people["bureau"])
    with client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 + 30
    assert client.get("/").status_code == 200


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    fresh = app.test_client()
    fresh.set_cookie("session", cookie)
    return fresh.get("/")


def test_cookie_copied_before_logout_no_longer_works(client, people, login, app):
    login(people["bureau"])
    stolen = _cookie(client)
    assert _replay(app, stolen).status_code == 200
    client.post("/logout")
    assert _replay(app, stolen).status_code == 302


def test_cookie_copied_before_password_change_no_longer_works(client, people, login, app):
    login(people["bureau"])
    stolen = _cookie(client)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Changed@2026",
            "confirm": "Changed@2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # the session that changed it continues
    assert _replay(app, stolen).status_code == 302


def test_cookie_copied_before_disable_no_longer_works(client, people, login, app):
    login(people["bureau"])
    stolen = _cookie(client)
    admin = app.test_client()
    admin.post("/login", data={"username": "admin1", "password": PASSWORD})
    assert admin.post(f"/admin/users/{people['bureau'].id}/active").status_code == 302
    assert _replay(app, stolen).status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("Short1!", False),  # 7 characters
        ("alllowercase", False),  # one class
        ("lowerUPPER", False),  # two classes
        ("lowerUPPER1", True),  # three classes
        ("lower123!", True),  # lower, digit, symbol
        ("Abcdefg1", True),  # exactly 8
    ],
)
def test_password_policy(client, people, login, password, accepted):
    login(people["bureau"])
    page = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": password, "confirm": password},
    )
    assert (page.status_code == 302) is accepted
    if not accepted:
        assert "密码" in page.get_data(as_text=True)


def test_wrong_current_password_is_refused_beside_the_field(client, people, login):
    login(people["bureau"])
    page = client.post(
        "/account/password",
        data={
            "current_password": "Wrong@1234",
            "new_password": "Good@12345",
            "confirm": "Good@12345",
        },
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "当前密码不正确" in body


def test_new_account_must_change_password_before_anything_else(client, make, app):
    make.user("fresh", "bureau", must_change=True)
    _post_login(client, "fresh", PASSWORD)
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/account/password")
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Fresh@2026x",
            "confirm": "Fresh@2026x",
        },
    )
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "%2F%2Fevil.example",
        "/%09/evil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/\r\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_that_is_not_a_path_on_this_site_goes_to_the_home_page(client, people, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "bureau1", "password": PASSWORD},
    )
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize(
    "raw_query", ["next=%2F%2Fevil.example", "next=/%09/evil.example", "next=/%5C%5Cevil.example"]
)
def test_next_decoded_from_the_address_bar_cannot_leave_the_site(client, people, raw_query):
    response = client.post(
        f"/login?{raw_query}", data={"username": "bureau1", "password": PASSWORD}
    )
    assert response.location == "/"


def test_next_on_this_site_is_followed_after_login(client, people):
    response = client.post(
        "/login",
        query_string={"next": "/projects/?q=%E5%9B%AD&page=2"},
        data={"username": "bureau1", "password": PASSWORD},
    )
    assert response.location == "/projects/?q=%E5%9B%AD&page=2"
