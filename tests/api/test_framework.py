"""The API's plumbing: tokens, the error shape, bad input, limits, the spec and its page."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.auth.tokens import ApiToken
from app.extensions import db


def _error(response) -> dict:
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def test_no_token_is_refused_with_the_error_shape(anonymous_api):
    response = anonymous_api.get("/projects")
    assert response.status_code == 401
    assert "Authorization" in _error(response)["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Basic dXNlcjpwdw==", "crm_x"])
def test_a_garbage_token_is_refused(client, header):
    response = client.get("/api/v1/projects", headers={"Authorization": header})
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


def test_a_revoked_token_stops_working_at_once(app, api_as, people):
    api = api_as(people["bureau"])
    assert api.get("/projects").status_code == 200
    with app.app_context():
        token = db.session.query(ApiToken).one()
        token.revoked_at = token.created_at
        db.session.commit()
    response = api.get("/projects")
    assert response.status_code == 401
    assert _error(response)["message"] == "API 令牌已被撤销"


def test_a_disabled_users_token_stops_working_at_once(app, api_as, people):
    api = api_as(people["unit"])
    assert api.get("/projects").status_code == 200
    with app.app_context():
        db.session.get(User, people["unit"].id).active = False
        db.session.commit()
    assert api.get("/projects").status_code == 401


def test_the_api_sets_no_cookie_and_ignores_a_session_cookie(client, login, people, api_as):
    login(people["bureau"])  # a browser signed in to the screens
    assert client.get("/api/v1/projects").status_code == 401  # its cookie is not a credential
    response = api_as(people["bureau"]).get("/projects")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_auditor_reads_no_business_data(api_as, people):
    response = api_as(people["auditor"]).get("/projects")
    assert response.status_code == 403
    assert _error(response)["code"] == "forbidden"


def test_unknown_routes_and_methods_answer_json(api_as, people):
    api = api_as(people["bureau"])
    missing = api.get("/nothing-here")
    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"
    wrong = api.delete("/projects")
    assert wrong.status_code == 405 and _error(wrong)["code"] == "method_not_allowed"


def test_malformed_json_is_a_400(api_as, people):
    response = api_as(people["bureau"]).post(
        "/projects", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "JSON" in _error(response)["message"]


def test_unknown_fields_and_wrong_types_are_named(api_as, people):
    response = api_as(people["bureau"]).post(
        "/projects", json={"name": 5, "colour": "red", "unit_id": "x"}
    )
    assert response.status_code == 422
    fields = _error(response)["fields"]
    assert fields["colour"] == "未知字段"
    assert fields["name"] == "须为字符串"
    assert fields["unit_id"] == "须为整数"
    assert fields["investor_name"] == "必填"


def test_a_body_over_one_megabyte_is_a_413(api_as, people):
    big = "x" * (1024 * 1024 + 10)
    response = api_as(people["bureau"]).post("/projects", json={"name": big})
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "query", ["page=-1", "page=0", "per_page=100000", "per_page=0", "page=abc", "bogus=1"]
)
def test_bad_paging_is_refused_not_guessed(api_as, people, query):
    response = api_as(people["bureau"]).get(f"/projects?{query}")
    assert response.status_code == 422
    assert _error(response)["fields"]


def test_an_id_beyond_any_column_is_not_found(api_as, people):
    response = api_as(people["bureau"]).get(f"/projects/{10**30}")
    assert response.status_code == 404


def test_nul_characters_never_reach_the_database(api_as, people):
    response = api_as(people["bureau"]).post(
        "/projects",
        json={
            "name": "项\u0000目",
            "investor_name": "某\u0000公司",
            "unit_id": people["unit_a"].id,
            "source": "其他",
            "industry": "工业",
        },
    )
    assert response.status_code == 201
    assert response.get_json()["name"] == "项目"


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"API_RATE_LIMIT": "3/minute"}

    def test_the_fourth_request_in_a_minute_is_a_429(self, api_as, people):
        api = api_as(people["bureau"])
        assert [api.get("/projects").status_code for _ in range(3)] == [200, 200, 200]
        response = api.get("/projects")
        assert response.status_code == 429
        assert _error(response)["code"] == "rate_limited"
        assert int(response.headers["Retry-After"]) >= 1

    def test_the_limit_counts_per_token(self, api_as, people):
        first, second = api_as(people["bureau"]), api_as(people["bureau"])
        for _ in range(3):
            first.get("/projects")
        assert first.get("/projects").status_code == 429
        assert second.get("/projects").status_code == 200


def test_the_spec_documents_every_error_and_the_bearer_scheme(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operations = [
        op for path in spec["paths"].values() for key, op in path.items() if key != "parameters"
    ]
    assert len(operations) > 10
    for operation in operations:
        for status in ("400", "401", "403", "404", "409", "413", "422", "429"):
            assert status in operation["responses"], operation.get("operationId")


def test_the_docs_page_uses_vendored_assets_and_no_inline_script(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/api_docs.js" in html
    assert "<script>" not in html and "http" not in html.split("<body>")[1].split("</body>")[0]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
