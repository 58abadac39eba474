"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_STRONG = PasswordHasher()  # argon2-cffi's RFC 9106 "low memory" profile


def _hasher() -> PasswordHasher:
    return _FAST if current_app.config.get("PASSWORD_HASH_FAST") else _STRONG


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def policy_problem(password: str) -> str | None:
    """Why the password breaks the policy (in Chinese), or None when it is acceptable."""
    if len(password) < 8:
        return "密码至少 8 位"
    classes = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(c in string.punctuation or not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少 3 类"
    return None
