"""Uploads over the request size limit: a Chinese 413 the client gets to read, even sent slowly."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from datetime import date

import pytest
from werkzeug.serving import make_server

from tests.factories import PASSWORD

MB = 1024 * 1024
BOUNDARY = "----crm-upload-limit"


@pytest.fixture
def served(app):
    """The test's application on a free local port, as the browser tests serve it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


def _logged_in_cookie(client) -> tuple[str, str]:
    """(session cookie, CSRF token) of the bureau's logged-in session."""
    response = client.post("/login", data={"username": "bureau1", "password": PASSWORD})
    assert response.status_code == 302
    token = client.csrf_token()
    return client.get_cookie("session").value, token


def _multipart_head(token: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="项目.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def _send_slowly(port: int, cookie: str, token: str, size: int, accept: str) -> bytes:
    """POST a `size`-byte upload in 256 KB pieces with pauses; return all the server answered."""
    head = _multipart_head(token)
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head) + size + len(tail)
    request = (
        f"POST /imports/projects/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: session={cookie}\r\nAccept: {accept}\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode() + head
    piece = b"\0" * (256 * 1024)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        sent = 0
        while sent < size:  # a slow line: the server has long decided before the body is in
            chunk = piece[: size - sent]
            sock.sendall(chunk)
            sent += len(chunk)
            time.sleep(0.003)
        sock.sendall(tail)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_13_mb_upload_sent_slowly_is_answered_with_a_chinese_413_page(client, people, served):
    cookie, token = _logged_in_cookie(client)
    answer = _send_slowly(served, cookie, token, 13 * MB, "text/html")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    page = body.decode()
    assert "上传的文件过大：一次上传不能超过 12 MB" in page
    assert "Cache-Control: no-store" in head.decode()


def test_a_json_client_gets_the_error_shape_for_a_13_mb_upload(client, people, served):
    cookie, token = _logged_in_cookie(client)
    answer = _send_slowly(served, cookie, token, 13 * MB, "application/json")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    error = json.loads(body)["error"]
    assert error["code"] == "413" and "一次上传不能超过 12 MB" in error["message"]


def test_an_upload_within_the_limit_still_reaches_the_import_check(client, people):
    client.post("/login", data={"username": "bureau1", "password": PASSWORD})
    response = client.post(
        "/imports/projects/check",
        data={"file": (io.BytesIO(b"not a spreadsheet" * 1000), "项目.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code != 413


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 2 * MB, "MAX_UPLOAD_MB": 1}])
def test_the_413_page_states_the_configured_limit(client, people, app_config):
    client.post("/login", data={"username": "bureau1", "password": PASSWORD})
    response = client.post(
        "/imports/projects/check",
        data={"file": (io.BytesIO(b"\0" * (3 * MB)), "项目.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "一次上传不能超过 2 MB" in response.get_data(as_text=True)


def test_every_upload_form_states_its_limit(client, people, login, make):
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 10))
    entry = make.funds_entry(project)
    login(people["bureau"])
    pages = {
        "/imports/": "不超过 12 MB",
        "/targets/import": "文件不超过 12 MB",
        f"/funds/{entry.id}/correct": "PDF、JPG 或 PNG，不超过 10 MB",
    }
    for path, text in pages.items():
        page = client.get(path).get_data(as_text=True)
        assert text in page, path
    client.post("/logout")
    login(people["unit"])
    page = client.get(f"/funds/new?project_id={project.id}").get_data(as_text=True)
    assert "PDF、JPG 或 PNG，不超过 10 MB" in page
