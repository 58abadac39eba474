"""The accounts' list (app/core/lists.py): every account, filtered by role, status and name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, or_, select

from app.auth.models import ROLES, User
from app.core import lists
from app.core.dates import to_local
from app.core.pagination import contains_pattern
from app.core.permissions import IsAdmin
from app.core.spreadsheets import Column
from app.units.models import Unit

STATUSES = ("active", "disabled")


def filters(args: Mapping[str, Any]) -> dict[str, str]:
    """The list's filter as kept in the URL: the search words, 角色 and 状态."""
    role = str(args.get("role") or "")
    status = str(args.get("status") or "")
    return {
        "q": str(args.get("q") or "").strip()[:50],
        "role": role if role in ROLES else "",
        "status": status if status in STATUSES else "",
    }


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    f = filters(args)
    stmt = select(User).outerjoin(Unit, Unit.id == User.unit_id)
    if f["q"]:
        like = contains_pattern(f["q"])
        stmt = stmt.where(
            or_(User.username.ilike(like, escape="\\"), User.name.ilike(like, escape="\\"))
        )
    if f["role"]:
        stmt = stmt.where(User.role == f["role"])
    if f["status"]:
        stmt = stmt.where(User.active.is_(f["status"] == "active"))
    return stmt


def _row(user: User) -> list[Any]:
    status = "启用" if user.active else "已停用"
    last = to_local(user.last_login_at)
    return [
        user.username,
        user.name,
        user.role_label,
        user.unit.name if user.unit else "",
        status + ("（待改密码）" if user.must_change_password else ""),
        last.strftime("%Y-%m-%d %H:%M") if last else "",
    ]


USERS = lists.register(
    lists.ListSpec(
        name="users",
        title="账户",
        endpoint="users.index",
        statement=_statement,
        columns=[
            Column("用户名", width=16), Column("姓名", width=12), Column("角色", width=12),
            Column("所属单位", width=16), Column("状态", width=16), Column("最近登录", width=18),
        ],
        row=_row,
        sorts={"role": (User.role, User.username), "username": User.username,
               "name": User.name, "unit": Unit.name, "login": User.last_login_at},
        default_sort="role",
        tiebreak=(User.id,),
        filter_args=filters,
        permission=IsAdmin,
    )
)  # fmt: skip
