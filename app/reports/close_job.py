"""月结 as a job: the bulletin is built and kept by a worker (23–40 s on a large district), while
the bureau watches its progress; a second close of the same month waits its turn or is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core import scoping
from app.core.forms import ServiceError
from app.extensions import db
from app.jobs import kinds
from app.jobs import services as jobs
from app.reports import bulletin as bulletins
from app.reports import closing
from app.reports.figures.period import Period

KIND = "month-close"


def start(actor: Any, period: Period, on: date) -> Any:
    """Queue the close of `period` for the actor; refused while one for that month waits or runs."""
    params = {"year": period.year, "month": period.month, "on": on.isoformat()}
    return jobs.start(KIND, params, actor, title=f"月结：{period.label}通报",
                      lock_key=f"{KIND}:{period.year}-{period.month}")  # fmt: skip


def _run(params: dict[str, Any], progress: Any) -> kinds.JobResult:
    period = Period(int(params["year"]), int(params["month"]))
    on = date.fromisoformat(params["on"])
    actor = scoping.current_actor(db.session)
    progress.set_total(3, "计算通报数据")
    bulletin = bulletins.make_bulletin(actor, period, on)
    progress.step = "生成 Word 和 Excel 文件"
    progress.advance()
    issued = bulletins.issued_files(bulletin)
    progress.step = "保存印发文件和数据快照"
    progress.advance()
    try:
        closing.close_month(actor, period, issued, on)
    except ServiceError as refused:
        raise kinds.JobRefused("；".join(refused.errors.values())) from refused
    except IntegrityError as clash:  # closed by someone else a moment earlier
        raise kinds.JobRefused(f"{period.year}年{period.month}月已经月结，不能重复月结") from clash
    progress.advance()
    page = current_app.url_map.bind("").build(
        "bulletins.index", {"year": period.year, "month": period.month}
    )
    return kinds.JobResult(summary=f"已月结：{period.label}通报已保存，今后下载即为印发时的文件",
                           url=page)  # fmt: skip


kinds.register(kinds.JobKind(KIND, "月结", _run, unit="步"))
