"""Sessions that keep work: a form posted after the session or its token ended comes back with
what the user typed, survives the sign-in and is submitted with one click; the keep-alive."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from app.extensions import db
from app.projects.models import Project
from tests.factories import PASSWORD
from tests.projects.conftest import form

OURS = {"Origin": "http://localhost"}  # what a browser sends with a form from our pages


def _inputs(html: str) -> dict[str, str]:
    """The named inputs of a page and their values (hidden ones included)."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            found[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return found


def _kept_form(html: str) -> tuple[str, dict[str, str]]:
    """The confirm page's form: where it posts and what it posts."""
    match = re.search(
        r'<form method="post" action="([^"]*)" data-testid="kept-form">(.*?)</form>', html, re.S
    )
    assert match, html[:2000]
    return unescape(match.group(1)), _inputs(match.group(2))


def _projects(app) -> list[Project]:
    with app.app_context():
        return list(db.session.execute(select(Project)).scalars())


def _sign_in_again(client, user, page: str):
    """Sign in on the sign-in-again page, carrying its kept form."""
    fields = _inputs(page)
    assert "kept" in fields
    return client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "kept": fields["kept"]},
        headers=OURS,
    )


def test_a_stale_token_gives_back_the_form_and_one_click_submits_it(app, client, people, login):
    login(people["unit"])
    typed = form(people["unit_a"].id, name="光伏组件项目", notes="第一行\n第二行 <b>不是标签</b>")
    response = client.post("/projects/new", data={**typed, "csrf_token": "stale"}, headers=OURS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "您上次填写的内容已保留，请确认后提交" in page
    assert "CSRF" not in page and "<b>不是标签</b>" not in page  # escaped, not markup
    action, kept = _kept_form(page)
    assert action == "/projects/new"
    assert kept["name"] == "光伏组件项目" and kept["notes"] == "第一行\n第二行 <b>不是标签</b>"
    assert kept["csrf_token"] != "stale"
    assert _projects(app) == []  # nothing was saved yet

    submitted = client.post(action, data=kept, csrf=False, headers=OURS)  # the one click
    assert submitted.status_code == 302
    (project,) = _projects(app)
    assert project.name == "光伏组件项目" and project.notes == "第一行\n第二行 <b>不是标签</b>"


def test_a_form_posted_after_logout_elsewhere_survives_the_sign_in(app, client, people, login):
    login(people["unit"])
    with client.session_transaction() as session:
        session.clear()  # logged out in another tab: the same cookie, now empty
    typed = form(people["unit_a"].id, name="氢能装备项目", planned_wan="8800")
    response = client.post("/projects/new", data={**typed, "csrf_token": "old"}, headers=OURS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登录已过期，请重新登录后提交" in page and "CSRF" not in page
    assert "已保留" in page

    after = _sign_in_again(client, people["unit"], page)
    assert after.status_code == 200
    action, kept = _kept_form(after.get_data(as_text=True))
    assert kept["name"] == "氢能装备项目" and kept["planned_wan"] == "8800"
    submitted = client.post(action, data=kept, csrf=False, headers=OURS)
    assert submitted.status_code == 302, re.findall(r"invalid-feedback[^<]*<", submitted.text)
    assert [p.name for p in _projects(app)] == ["氢能装备项目"]


def test_a_logged_out_post_is_kept_too(app, client, people):
    typed = form(people["unit_a"].id, name="生物医药项目")
    for token in (True, False):  # a token of an anonymous session, or none at all
        response = client.post("/projects/new", data=typed, csrf=token, headers=OURS)
        assert response.status_code == 200, token
        assert "登录已过期，请重新登录后提交" in response.get_data(as_text=True)
    after = _sign_in_again(client, people["unit"], response.get_data(as_text=True))
    _action, kept = _kept_form(after.get_data(as_text=True))
    assert kept["name"] == "生物医药项目"


def test_an_idle_session_keeps_the_form_for_its_own_user_only(
    app, client, people, login, pinned_clock
):
    login(people["unit"])
    client.get("/projects/new")
    pinned_clock.shift(timedelta(minutes=31))
    typed = form(people["unit_a"].id, name="城关街道的项目")
    response = client.post("/projects/new", data=typed, headers=OURS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "登录已过期，请重新登录后提交" in page
    assert client.get("/projects/", follow_redirects=False).status_code == 302  # signed out

    # Another unit's user signing in on this browser never sees 城关街道's typed values.
    other = _sign_in_again(client, people["other_unit"], page)
    assert other.status_code == 302
    home = client.get(other.location).get_data(as_text=True)
    assert "城关街道的项目" not in home and "已丢弃" in home
    client.post("/logout")

    mine = _sign_in_again(client, people["unit"], page)
    assert mine.status_code == 200
    assert _kept_form(mine.get_data(as_text=True))[1]["name"] == "城关街道的项目"


def test_a_password_field_is_never_kept(app, client, people, login):
    login(people["unit"])
    secret = "Secret@2026x"
    data = {"current_password": secret, "new_password": secret, "confirm": secret}
    response = client.post("/account/password", data={**data, "csrf_token": "x"}, headers=OURS)
    assert secret not in response.get_data(as_text=True)
    with client.session_transaction() as session:
        session.clear()
    response = client.post("/account/password", data={**data, "csrf_token": "x"}, headers=OURS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and secret not in page
    from app.core import kept_work

    with app.test_request_context():
        kept = kept_work.load(_inputs(page)["kept"])
    assert kept.url == "/account/password" and kept.fields == []


def test_a_wrong_password_on_the_sign_in_again_page_keeps_the_form(app, client, people):
    typed = form(people["unit_a"].id, name="保留测试项目")
    page = client.post("/projects/new", data=typed, headers=OURS).get_data(as_text=True)
    blob = _inputs(page)["kept"]
    wrong = client.post(
        "/login", data={"username": "unita", "password": "Wrong@1234", "kept": blob}, headers=OURS
    )
    assert wrong.status_code == 200 and "用户名或密码错误" in wrong.get_data(as_text=True)
    again = _sign_in_again(client, people["unit"], wrong.get_data(as_text=True))
    assert _kept_form(again.get_data(as_text=True))[1]["name"] == "保留测试项目"


def test_a_forged_or_cross_site_post_keeps_nothing(app, client, people, login):
    login(people["unit"])
    typed = form(people["unit_a"].id, name="别人塞进来的项目")
    for headers in ({"Origin": "https://evil.example"}, {}):
        response = client.post("/projects/new", data={**typed, "csrf_token": "x"}, headers=headers)
        assert response.status_code == 400
        assert "别人塞进来的项目" not in response.get_data(as_text=True)
    client.post("/logout")
    forged = client.post(
        "/login", data={"username": "unita", "password": PASSWORD, "kept": "forged.blob"}
    )
    assert forged.status_code == 302 and forged.location == "/"


def test_a_form_too_large_to_keep_says_so(app, client, people):
    typed = form(people["unit_a"].id, notes="长" * 70_000)
    response = client.post("/projects/new", data=typed, headers=OURS)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "未能自动保留" in page and 'name="kept"' not in page


def test_keep_alive_extends_the_session(app, client, people, login, pinned_clock):
    login(people["bureau"])
    pinned_clock.shift(timedelta(minutes=20))
    alive = client.post("/session/keepalive", headers={"Accept": "application/json"})
    assert alive.status_code == 200 and alive.get_json() == {"idle_seconds": 1800}
    pinned_clock.shift(timedelta(minutes=20))  # 40 minutes since login, 20 since the ping
    assert client.get("/").status_code == 200
    pinned_clock.shift(timedelta(minutes=31))
    late = client.post("/session/keepalive", headers={"Accept": "application/json"})
    assert late.status_code == 401
    assert late.get_json()["error"]["message"] == "登录已过期，请重新登录后提交"


def test_the_idle_notice_is_configured_for_signed_in_pages_only(app, client, people, login):
    assert 'name="session-idle"' not in client.get("/login").get_data(as_text=True)
    login(people["unit"])
    page = client.get("/").get_data(as_text=True)
    assert '<meta name="session-idle" content="1800" data-keepalive="/session/keepalive"' in page
    assert "session.js" in page
