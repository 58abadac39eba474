"""The imports' list (app/core/lists.py): every import batch one may see, with its 撤回 state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from app.core import lists
from app.core.dates import to_local
from app.core.permissions import WritesBusinessData
from app.core.spreadsheets import Column
from app.imports import services
from app.imports.models import ImportBatch

TIME_FORMAT = "%Y-%m-%d %H:%M"


def _statement(actor: Any, args: Mapping[str, Any]) -> Select:
    return services.batches_statement(actor)


def _time(moment: Any) -> str:
    local = to_local(moment)
    return local.strftime(TIME_FORMAT) if local else ""


def _row(batch: ImportBatch) -> list[Any]:
    withdrawn_by = batch.withdrawn_by.name if batch.withdrawn_by else ""
    return [
        batch.id,
        _time(batch.created_at),
        batch.kind_label,
        "是" if batch.verified else "",
        batch.filename,
        batch.row_count,
        batch.user.name if batch.user else "系统",
        "已撤回" if batch.withdrawn else "有效",
        _time(batch.withdrawn_at),
        withdrawn_by,
        batch.withdraw_reason or "",
    ]


BATCHES = lists.register(
    lists.ListSpec(
        name="import-batches",
        title="导入记录",
        endpoint="imports.batches",
        statement=_statement,
        columns=[
            Column("批次", "int"), Column("导入时间", width=18), Column("内容", width=14),
            Column("已核实", width=8), Column("文件", width=36), Column("行数", "int"),
            Column("导入人", width=12), Column("状态", width=8), Column("撤回时间", width=18),
            Column("撤回人", width=12), Column("撤回原因", width=30),
        ],
        row=_row,
        sorts={"id": ImportBatch.id, "kind": ImportBatch.kind, "rows": ImportBatch.row_count},
        default_sort="-id",
        tiebreak=(ImportBatch.id.desc(),),
        permission=WritesBusinessData,
    )
)  # fmt: skip
