"""API test helpers: tokens for the role fixtures and a client that sends them."""

from __future__ import annotations

import pytest

from app.auth import tokens
from app.auth.models import User
from app.core import history
from app.extensions import db


class ApiClient:
    """Calls /api/v1 with a bearer token; `get/post/patch/put/delete(path, json=...)`."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def call(self, method: str, path: str, *, headers: dict | None = None, **kwargs):
        url = path if path.startswith("/api/") else "/api/v1" + path
        return self.client.open(url, method=method, headers=self.headers(headers), **kwargs)

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self.call("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def make_token(app):
    """Create a token for a user record (from `people` or `make.user`); returns the secret."""

    def make(user_record, name: str = "测试令牌") -> str:
        with app.app_context():
            history.set_actor(db.session, None)
            user = db.session.get(User, user_record.id)
            _, secret = tokens.create_token(user, name)
            db.session.commit()
            return secret

    return make


@pytest.fixture
def api_as(app, make_token):
    """An ApiClient acting as a user record: `api_as(people["unit"]).get("/projects")`."""

    def as_user(user_record) -> ApiClient:
        return ApiClient(app.test_client(), make_token(user_record))

    return as_user


@pytest.fixture
def anonymous_api(app) -> ApiClient:
    """An ApiClient without a token."""
    return ApiClient(app.test_client(), None)
