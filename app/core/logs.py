"""Structured logs: one JSON line per record on stdout, each carrying the request id (taken from
the proxy's `X-Request-ID` or made here, and sent back in the response), and one access line per
request with its status and duration. On in production (`LOG_JSON`), plain text on a laptop."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")  # a proxy's id is believed only when it looks sane


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time (UTC), level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        for key in ("method", "path", "status", "ms", "user_id", "job_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _handler(json_lines: bool) -> logging.Handler:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))  # fmt: skip
    handler.set_name("crm")
    return handler


def init_app(app: Flask) -> None:
    """Log to stdout (JSON in production) and tag every request with its id."""
    json_lines = bool(app.config.get("LOG_JSON"))
    if not app.testing:
        root = logging.getLogger()
        if not any(h.get_name() == "crm" for h in root.handlers):
            root.addHandler(_handler(json_lines))
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
        app.logger.handlers.clear()  # the root handler writes them, once
        app.logger.propagate = True
    access = logging.getLogger("crm.access")

    @app.before_request
    def _start() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        rid = g.get("request_id")
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        started = g.get("request_started")
        if started is not None and request.endpoint != "static":
            # The user already loaded, if any, by its identity: never a query here (reading
            # `.id` of a user expired by the request's commit would load the row again).
            state = inspect(g.get("_login_user"), raiseerr=False)
            user_id = state.identity[0] if state is not None and state.identity else None
            access.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path,
                       "status": response.status_code, "user_id": user_id,
                       "ms": round((time.perf_counter() - started) * 1000, 1)},
            )  # fmt: skip
        return response
