"""The auditor's lists (app/core/lists.py): the history of every change and the security log,
exported with the screens' Chinese names, amounts in 万元, personal data masked, times local."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.audit import labels, queries
from app.core import lists
from app.core.dates import to_local
from app.core.history import HistoryEntry
from app.core.permissions import IsAuditor
from app.core.security_log import SecurityEvent
from app.core.spreadsheets import Column

HISTORY_FILTERS = ("table", "action", "actor", "record_id", "from", "to")
SECURITY_FILTERS = ("event", "username", "ip", "from", "to")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# What the filters kept with an export are called (the security log's 筛选条件).
FILTER_LABELS = {
    "q": "搜索", "year": "年份", "month": "月份", "month_from": "起始月", "month_to": "截止月",
    "unit": "单位", "unit_id": "单位", "stage": "阶段", "status": "状态", "kind": "类型",
    "active": "状态", "sort": "排序", "source": "来源", "industry": "产业", "leader_id": "领导",
    "event": "事件", "event_id": "活动", "province": "省份", "city": "城市", "from": "起始日期",
    "to": "截止日期", "table": "记录类型", "action": "操作", "actor": "操作人",
    "record_id": "记录号", "username": "用户名", "ip": "IP", "role": "角色", "key": "指标",
    "dropped": "终止项目", "big": "亿元以上", "reached": "累计到达", "standing": "处于",
}  # fmt: skip


def _kept(names: tuple[str, ...]):
    def filters(args: Mapping[str, Any]) -> dict[str, str]:
        return {name: str(args.get(name) or "").strip()[:100] for name in names}

    return filters


history_filters = _kept(HISTORY_FILTERS)
security_filters = _kept(SECURITY_FILTERS)


def local_time(moment: Any) -> str:
    """A stored UTC moment as the bureau reads it (Asia/Shanghai by default)."""
    local = to_local(moment)
    return local.strftime(TIME_FORMAT) if local else ""


def _change(table: str, key: str, before: Any, after: Any) -> str:
    def shown(value: Any) -> str:
        value = labels.shown_value(table, key, value)
        return "（空）" if value is None or value == "" else str(value)

    return f"{labels.field_label(table, key)}：{shown(before)} → {shown(after)}"


def changes_text(entry: HistoryEntry) -> str:
    """What changed, field by field, as the entry's page shows it (phones masked)."""
    changes = {key: (before, after) for key, before, after in entry.changes(full=False)}
    return "；".join(
        _change(entry.table_name, key, *changes[key])
        for key in labels.in_column_order(entry.table_name, changes)
    )


def _history_row(entry: HistoryEntry) -> list[Any]:
    return [
        entry.id,
        local_time(entry.at),
        entry.actor_name,
        labels.table_label(entry.table_name),
        f"{entry.record_id or ''} {entry.label}".strip(),
        entry.action_label,
        changes_text(entry),
        entry.reason or "",
    ]


HISTORY = lists.register(
    lists.ListSpec(
        name="audit-history",
        title="操作历史",
        endpoint="audit.history",
        statement=lambda actor, args: queries.history_statement(history_filters(args)),
        columns=[
            Column("编号", "int"), Column("时间", width=20), Column("操作人", width=12),
            Column("记录类型", width=14), Column("记录", width=30), Column("操作", width=8),
            Column("变更内容", width=80), Column("原因", width=30),
        ],
        row=_history_row,
        sorts={"id": HistoryEntry.id, "at": HistoryEntry.at, "actor": HistoryEntry.actor_name,
               "table": HistoryEntry.table_name},
        default_sort="-id",
        tiebreak=(HistoryEntry.id.desc(),),
        filter_args=history_filters,
        permission=IsAuditor,
    )
)  # fmt: skip


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        kept = [(FILTER_LABELS.get(k, k), v) for k, v in value.items() if v not in ("", None)]
        return "，".join(f"{k}={v}" for k, v in kept) or "无"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def detail_text(detail: dict) -> str:
    """A security event's details in Chinese: names, values, an export's filter spelt out."""
    return "；".join(f"{k}：{_value_text(v)}" for k, v in labels.detail_items(detail or {}))


def _security_row(event: SecurityEvent) -> list[Any]:
    return [event.id, local_time(event.at), event.event_label, event.username or "",
            event.ip or "", detail_text(event.detail)]  # fmt: skip


SECURITY = lists.register(
    lists.ListSpec(
        name="audit-security",
        title="安全日志",
        endpoint="audit.security",
        statement=lambda actor, args: queries.security_statement(security_filters(args)),
        columns=[
            Column("编号", "int"), Column("时间", width=20), Column("事件", width=14),
            Column("用户", width=14), Column("IP", width=16), Column("详情", width=80),
        ],
        row=_security_row,
        sorts={"id": SecurityEvent.id, "at": SecurityEvent.at, "event": SecurityEvent.event,
               "username": SecurityEvent.username, "ip": SecurityEvent.ip},
        default_sort="-id",
        tiebreak=(SecurityEvent.id.desc(),),
        filter_args=security_filters,
        permission=IsAuditor,
    )
)  # fmt: skip
