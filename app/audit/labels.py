"""What the auditor's screens call the tables, the columns and their values, as users know them.

One place for the Chinese names of every audited table and column (the forms' labels, the
domains' `__merge_label__` and the models' docstrings are where they come from); a test walks
the metadata so a new column without a name here fails. Values are shown as elsewhere: money
(BigInteger 元 columns) in 万元 with two decimals, timestamps (stored UTC) in the bureau's time
zone, yes/no in Chinese.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime

from app.auth.models import ROLES
from app.care.models import STATUSES as PROBLEM_STATUSES
from app.core.dates import to_local
from app.core.db import Base
from app.core.money import yuan_to_wan
from app.funds.models import STATUSES as FUNDS_STATUSES
from app.keyprojects.models import PROCEDURE_STATUSES
from app.trips.models import STATUSES as TRIP_STATUSES

TABLE_LABELS = {
    "projects": "项目",
    "project_contacts": "联系人",
    "follow_ups": "跟进记录",
    "funds_entries": "到位资金",
    "care_visits": "走访记录",
    "care_commitments": "承诺事项",
    "problems": "问题交办",
    "problem_escalations": "问题升级",
    "events": "招商活动",
    "leaders": "领导",
    "trips": "外出招商",
    "trip_leaders": "外出招商领导",
    "trip_projects": "外出招商推进项目",
    "targets": "目标任务",
    "units": "责任单位",
    "users": "用户账户",
    "import_batches": "导入批次",
    "month_closes": "月结",
    "key_projects": "重点项目",
    "key_procedures": "重点项目前置要件",
    "key_monthly_reports": "重点项目月调度",
    "key_schedule_locks": "月调度锁定",
    "key_team_members": "重点项目工作班子",
    "api_tokens": "API 令牌",
}

# Columns that mean the same in every table that has them.
COMMON_FIELDS = {
    "id": "编号",
    "submission_id": "提交编号",
    "version": "版本号",
    "created_at": "创建时间",
    "updated_at": "更新时间",
    "created_by_id": "创建人",
    "deleted_at": "删除时间",
    "deleted_by_id": "删除人",
    "project_id": "项目",
    "key_project_id": "重点项目",
    "unit_id": "责任单位",
    "leader_id": "包保领导",
    "trip_id": "外出招商",
    "event_id": "招商活动",
    "user_id": "登录账户",
    "notes": "备注",
    "year": "年度",
    "month": "月份",
    "name": "名称",
    "kind": "类型",
    "status": "状态",
    "active": "启用",
    "started_on": "开工日期",
    "import_batch_id": "导入批次",
}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "projects": {
        "name": "项目名称",
        "investor_name": "投资方",
        "investor_key": "投资方（查重用）",
        "duplicate_key": "疑似重复分组键",
        "uscc": "统一社会信用代码",
        "origin_province": "投资方所在省",
        "origin_city": "投资方所在市",
        "foreign_funded": "外资项目",
        "industry": "产业类别",
        "chain_tag": "产业链",
        "planned_investment": "计划总投资",
        "contract_investment": "合同投资额",
        "source": "项目来源",
        "lead_on": "线索日期",
        "negotiating_on": "洽谈日期",
        "signed_on": "签约日期",
        "registered_on": "注册日期",
        "funded_on": "资金到位日期",
        "started_on": "开工日期",
        "operating_on": "投产日期",
        "stage_order": "所处阶段",
        "stage_since": "进入本阶段日期",
        "dropped_on": "终止日期",
        "drop_reason": "终止原因",
        "merged_into_id": "合并到项目",
        "search_text": "检索文本",
    },
    "project_contacts": {
        "name": "姓名",
        "title": "职务",
        "phone": "电话",
        "email": "电子邮箱",
    },
    "api_tokens": {
        "user_id": "所属账户",
        "name": "令牌名称",
        "token_hash": "令牌哈希",
        "last_used_at": "最近使用时间",
        "revoked_at": "撤销时间",
    },
    "follow_ups": {
        "user_id": "跟进人",
        "happened_on": "跟进日期",
        "kind": "方式",
        "summary": "跟进情况",
        "next_step": "下一步",
        "next_due_on": "下一步期限",
        "is_latest": "是否为项目最新跟进",
    },
    "funds_entries": {
        "received_on": "到位日期",
        "amount": "到位金额",
        "origin": "资金来源",
        "use": "资金用途",
        "evidence_ref": "凭证号",
        "evidence_key": "凭证号（查重用）",
        "evidence_path": "凭证文件存放位置",
        "evidence_name": "凭证文件名",
        "evidence_type": "凭证文件类型",
        "evidence_size": "凭证文件大小（字节）",
        "status": "核实状态",
        "entered_by_id": "录入人",
        "verified_by_id": "核实人",
        "verified_at": "核实时间",
        "verification_note": "核实意见",
        "reverses_id": "冲销的记录",
        "replaces_id": "更正的记录",
        "correction_reason": "更正原因",
        "import_batch_id": "导入批次",
    },
    "care_visits": {"visited_on": "走访日期", "visitors": "走访人员", "notes": "走访情况"},
    "care_commitments": {
        "promise": "承诺内容",
        "delivering_unit_id": "兑现单位",
        "due_on": "兑现期限",
        "fulfilled_on": "兑现日期",
        "evidence_note": "佐证说明",
    },
    "problems": {
        "category": "问题类别",
        "description": "问题描述",
        "raised_on": "提出日期",
        "raised_by_id": "提出人",
        "handling_unit_id": "承办单位",
        "deadline": "办理期限",
        "level": "升级层级",
        "status": "办理状态",
        "resolution": "办理结果",
        "resolved_on": "办结日期",
        "resolved_by_id": "办结人",
    },
    "problem_escalations": {
        "problem_id": "问题",
        "from_level": "原层级",
        "to_level": "升至层级",
        "reason": "升级原因",
        "escalated_on": "升级日期",
        "escalated_by_id": "升级人",
    },
    "events": {
        "name": "活动名称",
        "kind": "活动类型",
        "city": "举办城市",
        "held_on": "举办日期",
        "host_unit_id": "承办单位",
    },
    "leaders": {
        "name": "姓名",
        "post": "职务",
        "unit_id": "辖区",
        "head_kind": "党政一把手类别",
        "is_baobao": "包保领导",
        "active": "在任",
        "took_office_on": "任职日期",
    },
    "trips": {
        "started_on": "开始日期",
        "ended_on": "结束日期",
        "province": "前往省份",
        "city": "前往城市",
        "enterprises": "拜访企业",
        "report": "外出招商报告",
    },
    "trip_leaders": {"leader_id": "领导"},
    "trip_projects": {"project_id": "推进的项目", "note": "推进情况"},
    "targets": {
        "signed_count": "签约项目数",
        "signed_investment": "签约投资额",
        "funds_total": "到位资金",
        "funds_out_of_province": "省外到位资金",
        "funds_out_of_city": "市外到位资金",
        "funds_out_of_district": "区外到位资金",
        "funds_foreign": "外资到位资金",
        "big_count": "亿元以上项目数",
        "started_count": "开工项目数",
        "set_by_id": "下达人",
        "claimed_at": "认领时间",
        "claimed_by_id": "认领人",
    },
    "units": {"name": "单位名称", "kind": "单位类型"},
    "users": {
        "username": "用户名",
        "name": "姓名",
        "role": "角色",
        "password_hash": "密码（摘要）",
        "must_change_password": "须修改密码",
        "password_changed_at": "密码修改时间",
        "session_token": "会话令牌",
        "failed_logins": "连续登录失败次数",
        "locked_until": "锁定至",
        "last_login_at": "最近登录时间",
        "phone": "联系电话",
    },
    "import_batches": {
        "kind": "导入类型",
        "sha256": "文件指纹（SHA-256）",
        "filename": "文件名",
        "row_count": "行数",
        "verified": "按已核实导入",
        "user_id": "导入人",
        "unit_id": "所属单位",
        "withdrawn_at": "撤回时间",
        "withdrawn_by_id": "撤回人",
        "withdraw_reason": "撤回原因",
    },
    "month_closes": {
        "closed_at": "月结时间",
        "closed_by_id": "月结人",
        "issued_on": "印发日期",
        "snapshot_json": "印发时数据",
        "docx_name": "通报文件名（Word）",
        "xlsx_name": "附表文件名（Excel）",
        "docx_sha256": "通报文件指纹",
        "xlsx_sha256": "附表文件指纹",
        "docx": "通报文件（Word）",
        "xlsx": "附表文件（Excel）",
    },
    "key_projects": {
        "name": "项目名称",
        "programme": "所属工程",
        "category": "项目类别",
        "level": "项目级别",
        "total_investment": "总投资",
        "annual_plan": "年度计划投资",
        "liaison_unit_id": "联络单位",
        "funding_channel": "资金渠道",
        "planned_start_on": "计划开工日期",
        "started_on": "实际开工日期",
        "completed_on": "竣工日期",
        "in_statistics": "已入统",
        "project_id": "对应招商项目",
        "carried_from_id": "结转自",
        "goal": "年度形象进度目标",
        "plan_path": "实施方案存放位置",
        "plan_name": "实施方案文件名",
        "plan_type": "实施方案文件类型",
        "plan_size": "实施方案文件大小（字节）",
    },
    "key_procedures": {
        "kind": "前置要件",
        "position": "排序",
        "status": "办理状态",
        "applied_on": "申报日期",
        "done_on": "办结日期",
        "handling_unit_id": "办理单位",
    },
    "key_monthly_reports": {
        "invested": "当月完成投资",
        "progress": "形象进度",
        "reported_on": "填报日期",
        "reported_by_id": "填报人",
    },
    "key_schedule_locks": {"locked_by_id": "锁定人", "locked_at": "锁定时间"},
    "key_team_members": {"name": "姓名", "post": "职务"},
}

# Coded values shown by the names the screens use.
VALUE_LABELS: dict[tuple[str, str], dict[str, str]] = {
    ("funds_entries", "status"): FUNDS_STATUSES,
    ("problems", "status"): PROBLEM_STATUSES,
    ("trips", "status"): TRIP_STATUSES,
    ("key_procedures", "status"): PROCEDURE_STATUSES,
    ("users", "role"): ROLES,
}


def _mappers() -> dict[str, Any]:
    return {m.local_table.name: m for m in Base.registry.mappers}


@cache
def _columns(table: str) -> dict[str, Any]:
    """The attribute key → column of one mapped table (the history's keys are attribute keys)."""
    mapper = _mappers().get(table)
    if mapper is None:
        return {}
    return {attr.key: attr.columns[0] for attr in mapper.column_attrs}


def table_label(table: str) -> str:
    """What users call the records of a table (项目, 到位资金 …); the raw name if unknown."""
    if table in TABLE_LABELS:
        return TABLE_LABELS[table]
    mapper = _mappers().get(table)
    return (getattr(mapper.class_, "__merge_label__", None) if mapper else None) or table


def field_label(table: str, key: str) -> str:
    """What users call a column of a table (项目名称, 计划总投资 …); the raw name if unknown."""
    return FIELD_LABELS.get(table, {}).get(key) or COMMON_FIELDS.get(key) or key


def is_money(table: str, key: str) -> bool:
    """Whole-元 amounts: every BigInteger column of the domain tables."""
    column = _columns(table).get(key)
    return column is not None and isinstance(column.type, BigInteger)


def shown_value(table: str, key: str, value: Any) -> Any:
    """A history value as the rest of the product shows it."""
    if value is None or value == "":
        return value
    column = _columns(table).get(key)
    if column is None:
        return value
    kind = column.type
    if isinstance(kind, BigInteger) and isinstance(value, int) and not isinstance(value, bool):
        return f"{yuan_to_wan(value):,} 万元"
    if isinstance(kind, Boolean) and isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and (table, key) in VALUE_LABELS:
        return VALUE_LABELS[table, key].get(value, value)
    if isinstance(kind, DateTime) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.replace(tzinfo=None) - moment.utcoffset()
        return to_local(moment).strftime("%Y-%m-%d %H:%M:%S")
    return value


def in_column_order(table: str, keys) -> list[str]:
    """Keys in the order of the table's columns (as the forms list them), unknown ones last."""
    order = {key: i for i, key in enumerate(_columns(table))}
    return sorted(keys, key=lambda key: (order.get(key, len(order)), key))


def user_columns(table: str) -> list[str]:
    """The columns of a table that name an account (录入人, 核实人 …)."""
    return [
        key
        for key, column in _columns(table).items()
        if any(fk.target_fullname == "users.id" for fk in column.foreign_keys)
    ]


def field_names(table: str, keys) -> str:
    """The Chinese names of some columns, joined for a list cell."""
    return "、".join(field_label(table, key) for key in in_column_order(table, keys))


# What the security log's details are called.
DETAIL_LABELS = {
    "reason": "原因",
    "minutes": "锁定分钟",
    "target": "对象账户",
    "before": "变更前",
    "after": "变更后",
    "limit": "限流类型",
    "rule": "限流规则",
    "what": "内容",
    "export": "导出",
    "filter": "筛选条件",
    "rows": "行数",
    "project_id": "项目编号",
    "contact_id": "联系人编号",
    "history_entry_id": "历史记录编号",
    "table": "数据表",
    "record_id": "记录编号",
    "path": "地址",
    "method": "请求方式",
    "download_name": "文件名",
}
DETAIL_VALUES = {
    "reason": {
        "no_user": "用户名不存在",
        "locked": "账户已锁定",
        "disabled": "账户已停用",
        "password": "密码错误",
    },
    "limit": {"account": "按账户", "address": "按地址"},
}


def detail_items(detail: dict) -> list[tuple[str, Any]]:
    """A security event's details as (Chinese name, value) pairs."""
    items = []
    for key, value in detail.items():
        if key == "table" and isinstance(value, str):
            value = table_label(value)
        value = DETAIL_VALUES.get(key, {}).get(value, value) if isinstance(value, str) else value
        items.append((DETAIL_LABELS.get(key, key), value))
    return items
