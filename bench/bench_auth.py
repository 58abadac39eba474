"""Login and a paginated list at scale: N units and users, median and p95 (test client)."""

from __future__ import annotations

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.extensions import db
from app.units.models import Unit
from bench.common import bench_app, databases, timed

UNITS = 300
USERS = 5000
PASSWORD = "Bench@2026x"


def fill(app) -> None:
    with app.app_context():
        units = [Unit(name=f"单位{i:04d}", kind="乡镇街道") for i in range(UNITS)]
        db.session.add_all(units)
        db.session.flush()
        password_hash = hash_password(PASSWORD)
        users = [
            User(
                username=f"user{i:05d}",
                name=f"用户{i}",
                role="unit",
                unit_id=units[i % UNITS].id,
                password_hash=password_hash,
                must_change_password=False,
                session_token=new_session_token(),
            )
            for i in range(USERS)
        ]
        users.append(
            User(
                username="admin",
                name="管理员",
                role="admin",
                password_hash=password_hash,
                must_change_password=False,
                session_token=new_session_token(),
            )
        )
        db.session.add_all(users)
        db.session.commit()


def run() -> None:
    print(f"登录与列表：{UNITS} 个单位，{USERS} 个账户")
    for label, kind in databases():
        print(f"[{label}]")
        with bench_app(kind) as app:
            fill(app)
            measure(app)


def measure(app) -> None:
    """Time the login and the list pages of one filled application."""
    client = app.test_client()

    def login():
        response = client.post("/login", data={"username": "admin", "password": PASSWORD})
        assert response.status_code == 302
        client.post("/logout")

    timed("登录（含 Argon2id 校验）+ 退出", login, 20)
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    timed("账户列表第 1 页（50 条，含总数）", lambda: client.get("/admin/users/"), 100)
    timed("账户列表按姓名搜索", lambda: client.get("/admin/users/?q=用户49"), 100)
