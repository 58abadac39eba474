"""The REST API under /api/v1: token authentication, JSON errors, limits, OpenAPI.

`init_app(app)` binds it: every module of app/api/resources/ is imported (each makes its
blueprint with `app.api.core.resource_blueprint`) and its blueprint registered with the spec.
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask, request

from app.api import errors
from app.api.core import blueprints, make_api

MAX_API_BODY = 1024 * 1024  # 1 MB: far above any record, far below an upload


def _import_resources() -> None:
    from app.api import resources

    for module in sorted(m.name for m in pkgutil.iter_modules(resources.__path__)):
        importlib.import_module(f"{resources.__name__}.{module}")


def _limit_body() -> None:
    """API requests carry JSON, not files: 1 MB at most (the screens allow uploads)."""
    if errors.is_api_request():
        request.max_content_length = MAX_API_BODY


def init_app(app: Flask) -> None:
    """Bind the API: settings, the spec, the resource blueprints, auth, errors, CSRF exemption."""
    from app.api import auth, cli, docs
    from app.api.idempotency import IdempotencyKey  # noqa: F401  (its table in the metadata)
    from app.auth.tokens import ApiToken  # noqa: F401
    from app.extensions import csrf, login_manager

    app.config.setdefault("API_RATE_LIMIT", "600/minute")
    app.config.setdefault("API_TITLE", "招商引资 CRM API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.session_interface = auth.ApiSessionInterface()
    login_manager.request_loader(auth.load_user_from_token)
    api = make_api(app)
    _import_resources()
    for blueprint in blueprints():
        api.register_blueprint(blueprint)
        login_manager.blueprint_login_views[blueprint.name] = None  # 401, not the login page
        csrf.exempt(blueprint)
    app.register_blueprint(docs.bp)
    csrf.exempt(docs.bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)
    app.after_request(errors.normalise)
    cli.init_app(app)
