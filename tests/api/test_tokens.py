"""Tokens: made on the profile page (shown once) or by create-token, listed, revoked."""

from __future__ import annotations

import re

from app.auth.tokens import ApiToken
from app.extensions import db


def _secret(html: str) -> str:
    return re.search(r'id="new-token">([^<]+)<', html).group(1)


def test_the_profile_page_makes_a_token_shown_once(app, client, login, people):
    login(people["unit"])
    response = client.post("/profile", data={"name": "统计平台"})
    html = response.get_data(as_text=True)
    secret = _secret(html)
    assert "只显示这一次" in html and "统计平台" in html
    again = client.get("/profile").get_data(as_text=True)
    assert secret not in again and "统计平台" in again and "从未使用" in again
    with app.app_context():
        stored = db.session.query(ApiToken).one()
        assert stored.token_hash != secret and secret not in stored.token_hash
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/projects", headers=headers).status_code == 200
    assert "从未使用" not in client.get("/profile").get_data(as_text=True)


def test_a_token_needs_a_name(client, login, people):
    login(people["unit"])
    html = client.post("/profile", data={"name": " "}).get_data(as_text=True)
    assert "请填写令牌名称" in html and 'id="new-token"' not in html


def test_revoking_on_the_profile_page_takes_effect_at_once(app, client, login, people):
    login(people["bureau"])
    secret = _secret(client.post("/profile", data={"name": "小程序"}).get_data(as_text=True))
    headers = {"Authorization": f"Bearer {secret}"}
    api = app.test_client()
    assert api.get("/api/v1/projects", headers=headers).status_code == 200
    with app.app_context():
        token_id = db.session.query(ApiToken.id).scalar()
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 302
    assert api.get("/api/v1/projects", headers=headers).status_code == 401
    assert "已撤销" in client.get("/profile").get_data(as_text=True)


def test_another_users_token_cannot_be_revoked(app, client, login, people, make_token):
    make_token(people["bureau"])
    with app.app_context():
        token_id = db.session.query(ApiToken.id).scalar()
    login(people["unit"])
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 404


def test_the_auditor_and_the_leader_may_keep_tokens(client, login, people):
    for role in ("auditor", "leader", "admin"):
        client.post("/logout")
        login(people[role])
        assert 'id="new-token"' in client.post("/profile", data={"name": role}).get_data(
            as_text=True
        )


def test_create_token_prints_the_token_alone_on_its_last_line(app, runner, people):
    result = runner.invoke(args=["create-token", "bureau1", "--name", "统计平台"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"crm_[A-Za-z0-9_-]{40,}", secret)
    response = app.test_client().get(
        "/api/v1/projects", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200


def test_create_token_refuses_an_unknown_user(runner, people):
    result = runner.invoke(args=["create-token", "nobody", "--name", "x"])
    assert result.exit_code == 2 and "不存在" in result.output


def test_a_token_name_too_long_or_with_markup_is_refused_or_shown_as_text(app, client, login,
                                                                          people):  # fmt: skip
    from sqlalchemy import func, select

    from app.auth.tokens import NAME_MAX, ApiToken
    from app.extensions import db

    login(people["unit"])
    html = client.post("/profile", data={"name": "长" * (NAME_MAX + 1)}).get_data(as_text=True)
    assert f"最多 {NAME_MAX} 个字" in html and 'id="new-token"' not in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    shown = client.post("/profile", data={"name": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in shown.get_data(as_text=True)
    assert "&lt;script&gt;" in shown.get_data(as_text=True)
