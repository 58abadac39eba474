"""Demo accounts: one or more of every role, with a shared demo password."""

from __future__ import annotations

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.extensions import db
from app.units.models import Unit

DEMO_PASSWORD = "Demo@2026zs"  # noqa: S105 - printed demo login, documented in README

# (username, 姓名, role, unit name or None)
DEMO_USERS = [
    ("admin", "王建国", "admin", None),
    ("auditor", "李审", "auditor", None),
    ("zsj", "陈招商", "bureau", None),
    ("zsj2", "刘晓燕", "bureau", None),
    ("chengguan", "赵城关", "unit", "城关街道"),
    ("beishan", "孙北山", "unit", "北山镇"),
    ("kaifaqu", "周开发", "unit", "经济技术开发区"),
    ("gaoxin", "吴高新", "unit", "高新技术产业园"),
    ("shangwu", "郑商务", "unit", "区商务局"),
    ("shenzhen", "冯驻深", "unit", "驻深圳招商联络处"),
    ("quwei", "张书记", "leader", None),
    ("quzhang", "黄区长", "leader", None),
]


def seed(units: dict[str, Unit]) -> dict[str, User]:
    """Add the demo accounts (no forced password change: they are for trying the system)."""
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for username, name, role, unit_name in DEMO_USERS:
        users[username] = User(
            username=username,
            name=name,
            role=role,
            unit_id=units[unit_name].id if unit_name else None,
            password_hash=password_hash,
            must_change_password=False,
            session_token=new_session_token(),
            active=True,
        )
        db.session.add(users[username])
    db.session.flush()
    return users


def logins() -> list[tuple[str, str, str]]:
    """One demo login per role: (role, username, password)."""
    seen, rows = set(), []
    for username, _name, role, _unit in DEMO_USERS:
        if role not in seen:
            seen.add(role)
            rows.append((role, username, DEMO_PASSWORD))
    return rows
