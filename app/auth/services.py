"""Writes on users: login bookkeeping, passwords, the administrator's user management."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app.auth.models import ROLES, User
from app.auth.passwords import hash_password, policy_problem, verify_password
from app.core import security_log
from app.core.db import utcnow
from app.core.forms import ServiceError
from app.extensions import db
from app.units.models import Unit

_DUMMY_HASH: str | None = None


def new_session_token() -> str:
    """A fresh random token; rotating it ends every session of the user."""
    return secrets.token_hex(32)


@dataclass
class LoginResult:
    """What a login attempt came to."""

    user: User | None
    message: str | None = None


def authenticate(username: str, password: str, ip: str) -> LoginResult:
    """Check a login. Failures count toward lock-out in the database and are logged."""
    global _DUMMY_HASH
    username = username.strip()
    session = db.session
    user = session.execute(
        select(User).where(func.lower(User.username) == username.lower())
    ).scalar_one_or_none()
    wrong = "用户名或密码错误"
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        verify_password(_DUMMY_HASH, password)  # same work as for a real account
        security_log.record(session, "login_failed", username=username, ip=ip, reason="no_user")
        return LoginResult(None, wrong)
    now = utcnow()
    right = verify_password(user.password_hash, password)  # the same work, locked or not
    if user.locked_until and user.locked_until > now:
        # Told apart from a wrong password neither by the message nor by the time it takes: a
        # distinct message would confirm that the username exists.
        security_log.record(session, "login_failed", user=user, ip=ip, reason="locked")
        return LoginResult(None, wrong)
    if not right:
        _count_failure(user, ip)
        return LoginResult(None, wrong)
    if not user.active:
        security_log.record(session, "login_failed", user=user, ip=ip, reason="disabled")
        return LoginResult(None, "该账户已停用，请联系系统管理员")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    security_log.record(session, "login", user=user, ip=ip)
    return LoginResult(user)


def _count_failure(user: User, ip: str) -> None:
    """Add one failure atomically (several processes may count at once); lock at the limit."""
    session = db.session
    session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
    )
    session.refresh(user, ["failed_logins"])
    security_log.record(session, "login_failed", user=user, ip=ip, reason="password")
    if user.failed_logins >= current_app.config["LOCKOUT_THRESHOLD"]:
        minutes = current_app.config["LOCKOUT_MINUTES"]
        user.locked_until = utcnow() + timedelta(minutes=minutes)
        user.failed_logins = 0
        security_log.record(session, "lockout", user=user, ip=ip, minutes=minutes)


def logout(user: User, ip: str) -> None:
    """End every session of the user by rotating the token."""
    user.session_token = new_session_token()
    security_log.record(db.session, "logout", user=user, ip=ip)


def change_password(user: User, current: str, new: str, ip: str) -> None:
    """The user's own password change; ends other sessions."""
    errors = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = "当前密码不正确"  # noqa: S105 - a message
    problem = policy_problem(new)
    if problem:
        errors["new_password"] = problem
    elif verify_password(user.password_hash, new):
        errors["new_password"] = "新密码不能与当前密码相同"  # noqa: S105 - a message
    if errors:
        raise ServiceError(errors)
    _set_password(user, new, must_change=False)
    security_log.record(db.session, "password_change", user=user, ip=ip)


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    user.session_token = new_session_token()
    user.failed_logins = 0
    user.locked_until = None


@dataclass
class UserData:
    """The fields an administrator sets on a user."""

    username: str
    name: str
    role: str
    unit_id: int | None
    phone: str | None = None


def user_problems(data: UserData, existing: User | None) -> dict[str, str]:
    """Every problem of an account's data, by field (the form shows them all at once)."""
    errors = {}
    if data.role not in ROLES:
        errors["role"] = "请选择一个角色"
    if data.role == "unit":
        unit = db.session.get(Unit, data.unit_id) if data.unit_id else None
        if unit is None or not unit.active:
            errors["unit_id"] = "责任单位账户必须属于一个启用的单位"
    elif data.unit_id:
        errors["unit_id"] = "只有责任单位账户属于单位，其他角色请留空"
    clash = db.session.execute(
        select(User.id).where(func.lower(User.username) == data.username.lower())
    ).scalar_one_or_none()
    if clash is not None and (existing is None or clash != existing.id):
        errors["username"] = "该用户名已被使用"
    return errors


def create_user(data: UserData, password: str, actor: User | None) -> User:
    """Create an account; it must change its password at first login."""
    errors = user_problems(data, None)
    problem = policy_problem(password)
    if problem:
        errors["password"] = problem
    if errors:
        raise ServiceError(errors)
    user = User(
        username=data.username.strip(),
        name=data.name.strip(),
        role=data.role,
        unit_id=data.unit_id if data.role == "unit" else None,
        phone=data.phone or None,
        active=True,
        session_token=new_session_token(),
        password_hash="",
    )
    _set_password(user, password, must_change=True)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, data: UserData, actor: User, ip: str) -> None:
    """Change an account's name, role or unit. Nobody changes their own role."""
    errors = user_problems(data, user)
    if user.id == actor.id and data.role != user.role:
        errors["role"] = "不能修改自己的角色"
    if errors:
        raise ServiceError(errors)
    old_role, old_unit = user.role, user.unit_id
    user.username = data.username.strip()
    user.name = data.name.strip()
    user.role = data.role
    user.unit_id = data.unit_id if data.role == "unit" else None
    user.phone = data.phone or None
    if (old_role, old_unit) != (user.role, user.unit_id):
        user.session_token = new_session_token()  # the new rights start with a new login
        security_log.record(
            db.session,
            "role_change",
            user=actor,
            ip=ip,
            target=user.username,
            before=f"{old_role}/{old_unit}",
            after=f"{user.role}/{user.unit_id}",
        )


def set_active(user: User, active: bool, actor: User, ip: str) -> None:
    """Disable (ending its sessions at once) or re-enable an account."""
    if user.id == actor.id:
        raise ServiceError("不能停用自己的账户")
    user.active = active
    if not active:
        user.session_token = new_session_token()
    event = "user_enabled" if active else "user_disabled"
    security_log.record(db.session, event, user=actor, ip=ip, target=user.username)


def reset_password(user: User, password: str, actor: User, ip: str) -> None:
    """An administrator sets a temporary password; the user must change it at next login."""
    problem = policy_problem(password)
    if problem:
        raise ServiceError({"password": problem})
    _set_password(user, password, must_change=True)
    security_log.record(db.session, "password_reset", user=actor, ip=ip, target=user.username)
