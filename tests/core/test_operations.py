"""What operators rely on: /healthz says whether the database and the job queue answer (503
when not) and whether workers report; every response carries a request id, which every JSON
log line of that request repeats."""

from __future__ import annotations

import json
import logging

from app.core.logs import JsonFormatter


def test_health_reports_the_database_the_queue_and_the_workers(app, client, monkeypatch):
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "database": "ok", "queue": "ok", "workers": "silent"}
    app.extensions["jobs"].beat()  # a worker reported just now
    assert client.get("/healthz").get_json()["workers"] == "reporting"

    def down():
        raise ConnectionError("redis down")

    monkeypatch.setattr(app.extensions["jobs"], "pending", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["queue"] == "unreachable"
    assert response.get_json()["status"] == "unavailable"


def test_every_response_carries_a_request_id_and_keeps_a_sane_one_from_the_proxy(client):
    made = client.get("/login").headers["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/login").headers["X-Request-ID"] != made
    given = "nginx-4f2a9c11e0"
    assert client.get("/login", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    hostile = "<script>alert(1)</script> ; drop"
    answered = client.get("/login", headers={"X-Request-ID": hostile})
    assert answered.headers["X-Request-ID"] != hostile


def test_a_json_log_line_carries_the_request_id_and_the_access_fields(app, client, caplog):
    caplog.set_level(logging.INFO, logger="crm.access")
    client.get("/login", headers={"X-Request-ID": "req-12345678"})
    record = next(r for r in caplog.records if r.name == "crm.access")
    with app.test_request_context(headers={"X-Request-ID": "req-12345678"}):
        from flask import g

        g.request_id = "req-12345678"
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-12345678"
    assert line["path"] == "/login" and line["status"] == 200 and line["ms"] >= 0
    assert line["level"] == "info" and line["at"].endswith("+00:00")
