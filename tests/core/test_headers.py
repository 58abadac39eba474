"""Security headers and cookie flags on every response."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/app.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_with_personal_data_are_not_cached(client, people):
    client.post("/login", data={"username": "bureau1", "password": PASSWORD})
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax_and_not_secure_by_default(client, people):
    response = client.post("/login", data={"username": "bureau1", "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}])
def test_session_cookie_is_secure_when_configured(client, people, app_config):
    response = client.post(
        "/login", data={"username": "bureau1", "password": PASSWORD}, base_url="https://localhost"
    )
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie


def test_pages_load_nothing_from_other_hosts(client, people):
    client.post("/login", data={"username": "admin1", "password": PASSWORD})
    for path in ("/login", "/", "/admin/users/", "/admin/units/"):
        body = client.get(path).get_data(as_text=True)
        assert "http://" not in body and "https://" not in body, path
        assert "<script>" not in body and "onclick=" not in body, path


def test_health_check_is_open(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
