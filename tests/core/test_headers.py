"""Security headers and cookie flags on every response."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.funds.models import FundsEntry
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
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["queue"] == "ok"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _evidence_download(app, client, make, people, login):
    """A funds entry with an evidence file uploaded by the unit user; its download."""
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 10))
    login(people["unit"])
    response = client.post(
        f"/funds/new?project_id={project.id}",
        data={
            "received_on": "2026-03-05",
            "amount_wan": "100",
            "origin": "国内省外",
            "use": "固定资产投资",
            "evidence_ref": "YH001",
            "evidence": (io.BytesIO(PDF), "回单.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        entry_id = db.session.execute(select(FundsEntry.id)).scalar_one()
    return client.get(f"/funds/{entry_id}/evidence")


def test_files_with_personal_or_business_data_are_never_stored_by_caches(
    app, client, people, login, make
):
    evidence = _evidence_download(app, client, make, people, login)
    assert evidence.status_code == 200 and evidence.data == PDF
    client.post("/logout")
    login(people["bureau"])
    downloads = {
        "evidence": evidence,
        "export": client.get("/exports/projects"),
        "bulletin docx": client.get("/bulletins/download?year=2026&month=10&format=docx"),
        "bulletin xlsx": client.get("/bulletins/download?year=2026&month=10&format=xlsx"),
    }
    for what, response in downloads.items():
        assert response.status_code == 200, what
        assert response.headers["Cache-Control"] == "no-store", what
        assert "attachment" in response.headers["Content-Disposition"], what


def test_static_assets_may_be_revalidated_but_pages_may_not_be_kept(client, people, login):
    assert "no-store" not in client.get("/static/app.css").headers["Cache-Control"]
    login(people["bureau"])
    for path in ("/", "/projects/", "/funds/", "/no-such-page"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
