"""Key-project figures (docs/domain.md, "The key-project figures"): the 台账 for year Y, months
1..M, its groups (工程, 责任单位, 包保领导), the roll call, 亿元以上, 已开工未入库 and the 三类现象.

Everything is counted as of the period's end: reports of months 1..M only (a report of M+1
changes nothing), started on or before the last day of M, activity on or before the as-of day.
Rates, time progress, lag and light come from `figures.targets`, so a key project's light is
decided exactly like a unit's target light."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import func, select

from app.care.models import CareVisit, Problem
from app.core import scoping
from app.core.money import yuan_to_yi
from app.core.scoping import scoped_select
from app.extensions import db
from app.keyprojects.models import CATEGORIES, KeyMonthlyReport, KeyProject
from app.projects.models import FollowUp
from app.reports.figures.period import Period
from app.reports.figures.targets import RED, completion_rate, lag, light

FLAGS = {"idle": "包而不推", "stuck": "推而不进", "slow": "进而不快"}
SOON_DAYS = 30  # 新建 "将于近期开工": planned start within this many days after the period end
STUCK_MONTHS = 2  # 推而不进: this many consecutive months without investment, ending at M
SAME_PROGRESS_REPORTS = 3  # 推而不进: started, and the last this-many 形象进度 texts equal
NO_LEADER = "未确定包保领导"
# The activity of a key project's 招商 project may be another unit's rows (the follow-ups of
# the project it grew from): only the dates are read, for key projects the actor already sees.
ACTIVITY_READ = "包而不推: the follow-ups and visits of the 招商 project a key project grew from"


@dataclass(frozen=True)
class KeyRow:
    """One key project as of the period's end."""

    key_project: KeyProject
    completed: int  # 元: its reports of Y, months 1..M (完成投资)
    month_invested: int  # 元: month M's report (0 if none)
    progress: str  # latest 形象进度 reported in months 1..M ("" if none)
    rate: Decimal | None  # completed / annual plan, percent
    lag: Decimal | None  # points, time progress − rate (positive behind)
    light: str | None  # GREEN / YELLOW / RED of figures.targets
    flags: tuple[str, ...]  # keys of FLAGS that hold
    last_activity_on: date | None = None  # the team's latest entry on or before the as-of day
    last_activity: str = ""  # what it was (跟进记录 / 安商走访 / 月调度 / 问题交办)
    months_without_investment: int = 0  # consecutive months ending at M with nothing reported
    progress_unchanged: bool = False  # started and the last three 形象进度 texts are equal
    started: bool = False  # started on or before the period's end
    soon: bool = False  # not started, planned start within SOON_DAYS after the period's end


@dataclass(frozen=True)
class KeyGroup:
    """A programme (工程), a unit, a leader, or the total."""

    label: str
    count: int
    total_investment: int
    annual_plan: int
    completed: int
    rate: Decimal | None
    lag: Decimal | None
    light: str | None
    rows: tuple[KeyRow, ...]
    key: Any = None  # the programme's name, the unit's id, the leader's id (0: none)
    flags: tuple[str, ...] = ()  # FLAGS any of its projects shows


@dataclass(frozen=True)
class RollCallLine:
    """One category of the roll call; `soon` only means something for 新建."""

    category: str
    count: int
    started: int
    not_started: int
    soon: int = 0


@dataclass(frozen=True)
class KeyLedger:
    """The 台账 of year Y, months 1..M, as the actor may see it."""

    period: Period
    rows: tuple[KeyRow, ...]
    total: KeyGroup
    programmes: tuple[KeyGroup, ...]
    units: tuple[KeyGroup, ...]
    leaders: tuple[KeyGroup, ...]
    roll_call: tuple[RollCallLine, ...]
    big_count: int  # 亿元以上: total investment >= 10,000 万元
    big_total: int
    unlisted: tuple[KeyRow, ...]  # 已开工未入库
    programme_roll_call: dict[str, tuple[RollCallLine, ...]] = field(default_factory=dict)


# ---------------------------------------------------------------- reading


def _projects_select(actor: Any, year: int, leader_id: int | None):
    stmt = scoped_select(KeyProject, actor).where(KeyProject.year == year)
    if leader_id is not None:
        stmt = stmt.where(KeyProject.leader_id == leader_id)
    return stmt


def _key_projects(actor: Any, year: int, leader_id: int | None) -> list[KeyProject]:
    stmt = _projects_select(actor, year, leader_id).order_by(KeyProject.programme, KeyProject.id)
    return list(db.session.execute(stmt).unique().scalars())


class Report(NamedTuple):
    """What the figures read of one 月调度 entry (columns only: a year's list has 60,000)."""

    month: int
    invested: int
    progress: str


def _reports(projects, period: Period) -> dict[int, list[Report]]:
    """Each project's reports of Y for months 1..M, by month; `projects` selects the key
    projects (the same statement the rows were read with)."""
    found: dict[int, list[Report]] = defaultdict(list)
    ids = projects.with_only_columns(KeyProject.id).order_by(None)
    stmt = (
        select(
            KeyMonthlyReport.key_project_id,
            KeyMonthlyReport.month,
            KeyMonthlyReport.invested,
            KeyMonthlyReport.progress,
        )
        .where(
            KeyMonthlyReport.key_project_id.in_(ids),
            KeyMonthlyReport.year == period.year,
            KeyMonthlyReport.month <= period.month,
        )
        .order_by(KeyMonthlyReport.month)
    )
    for key_project_id, month, invested, progress in db.session.execute(stmt):
        found[key_project_id].append(Report(month, invested, progress))
    return found


def _latest(found: dict[Any, tuple[date, str]], key: Any, on: date | None, what: str) -> None:
    if key is None or on is None:
        return
    if key not in found or on > found[key][0]:
        found[key] = (on, what)


def _activity(projects: list[KeyProject], as_of: date) -> dict[int, tuple[date, str]]:
    """Per key project, its team's latest entry on or before the as-of day: a follow-up or a
    care visit on its 招商 project, a 月调度 entered, a problem raised on it (or its project)."""
    ids = [kp.id for kp in projects]
    by_project: dict[int, list[int]] = defaultdict(list)
    for kp in projects:
        if kp.project_id:
            by_project[kp.project_id].append(kp.id)
    found: dict[int, tuple[date, str]] = {}
    if not ids:
        return found

    def latest_per(column_key, column_on, *where) -> list[tuple[int, date]]:
        stmt = select(column_key, func.max(column_on)).where(column_on <= as_of, *where)
        return list(db.session.execute(stmt.group_by(column_key)))

    for key, on in latest_per(
        KeyMonthlyReport.key_project_id,
        KeyMonthlyReport.reported_on,
        KeyMonthlyReport.key_project_id.in_(ids),
    ):
        _latest(found, key, on, "月调度")
    for key, on in latest_per(
        Problem.key_project_id,
        Problem.raised_on,
        Problem.key_project_id.in_(ids),
        Problem.deleted_at.is_(None),
    ):
        _latest(found, key, on, "问题交办")
    if by_project:
        linked = list(by_project)
        with scoping.district_wide(ACTIVITY_READ):
            entries = [
                (
                    "跟进记录",
                    latest_per(
                        FollowUp.project_id,
                        FollowUp.happened_on,
                        FollowUp.project_id.in_(linked),
                        FollowUp.deleted_at.is_(None),
                    ),
                ),
                (
                    "安商走访",
                    latest_per(
                        CareVisit.project_id,
                        CareVisit.visited_on,
                        CareVisit.project_id.in_(linked),
                        CareVisit.deleted_at.is_(None),
                    ),
                ),
                (
                    "问题交办",
                    latest_per(
                        Problem.project_id,
                        Problem.raised_on,
                        Problem.project_id.in_(linked),
                        Problem.deleted_at.is_(None),
                    ),
                ),
            ]
        for what, pairs in entries:
            for project_id, on in pairs:
                for key in by_project[project_id]:
                    _latest(found, key, on, what)
    return found


# ---------------------------------------------------------------- one row


def _yellow_max() -> Decimal:
    return Decimal(str(current_app.config["LIGHT_YELLOW_MAX_LAG"]))


def _months_without_investment(reports: list[Report], month: int) -> int:
    invested = {r.month: r.invested for r in reports}
    months = 0
    for m in range(month, 0, -1):
        if invested.get(m, 0) > 0:
            break
        months += 1
    return months


def _row(
    kp: KeyProject,
    reports: list[Report],
    period: Period,
    activity: tuple[date, str] | None,
    idle_since: date,
) -> KeyRow:
    completed = sum(r.invested for r in reports)
    month_invested = sum(r.invested for r in reports if r.month == period.month)
    texts = [r.progress.strip() for r in reports if r.progress and r.progress.strip()]
    points = lag(completed, kp.annual_plan, period.month)
    shown = light(points)
    started = kp.started_on is not None and kp.started_on <= period.end
    planned = kp.planned_start_on
    soon = (
        not started
        and planned is not None
        and period.end < planned <= period.end + timedelta(days=SOON_DAYS)
    )
    without = _months_without_investment(reports, period.month)
    last = [r.progress.strip() for r in reports[-SAME_PROGRESS_REPORTS:]]
    unchanged = started and len(last) == SAME_PROGRESS_REPORTS and len(set(last)) == 1
    completed_by_end = kp.completed_on is not None and kp.completed_on <= period.end
    flags: list[str] = []
    if not completed_by_end:
        if activity is None or activity[0] < idle_since:
            flags.append("idle")
        # A project with no investment planned this year (a 前期 one) is not stuck for not
        # reporting any.
        if (without >= STUCK_MONTHS and kp.annual_plan > 0) or unchanged:
            flags.append("stuck")
        if points is not None and points > _yellow_max():
            flags.append("slow")
    return KeyRow(
        key_project=kp,
        completed=completed,
        month_invested=month_invested,
        progress=texts[-1] if texts else "",
        rate=completion_rate(completed, kp.annual_plan),
        lag=points,
        light=shown,
        flags=tuple(flags),
        last_activity_on=activity[0] if activity else None,
        last_activity=activity[1] if activity else "",
        months_without_investment=without,
        progress_unchanged=unchanged,
        started=started,
        soon=soon,
    )


# ---------------------------------------------------------------- groups


def group(
    label: str, rows: list[KeyRow] | tuple[KeyRow, ...], month: int, key: Any = None
) -> KeyGroup:
    """Sums, rate, lag and light of some rows (a programme, unit, leader or the total)."""
    rows = tuple(rows)
    plan = sum(r.key_project.annual_plan for r in rows)
    completed = sum(r.completed for r in rows)
    points = lag(completed, plan, month)
    flags = tuple(k for k in FLAGS if any(k in r.flags for r in rows))
    return KeyGroup(
        label=label,
        count=len(rows),
        total_investment=sum(r.key_project.total_investment for r in rows),
        annual_plan=plan,
        completed=completed,
        rate=completion_rate(completed, plan),
        lag=points,
        light=light(points),
        rows=rows,
        key=key,
        flags=flags,
    )


def _groups(rows: tuple[KeyRow, ...], month: int, key_of, label_of) -> tuple[KeyGroup, ...]:
    buckets: dict[Any, list[KeyRow]] = {}
    for row in rows:
        buckets.setdefault(key_of(row), []).append(row)
    return tuple(group(label_of(rows_[0]), rows_, month, key) for key, rows_ in buckets.items())


def roll_call(rows: tuple[KeyRow, ...] | list[KeyRow]) -> tuple[RollCallLine, ...]:
    """Per category (续建, 新建, 拟开工, 前期): count, started by the period's end, not started,
    and `soon` = not started with a planned start within SOON_DAYS (30) days after the
    period's end (the speeches' "将于近期开工")."""
    lines = []
    for category in CATEGORIES:
        mine = [r for r in rows if r.key_project.category == category]
        started = sum(1 for r in mine if r.started)
        lines.append(
            RollCallLine(
                category, len(mine), started, len(mine) - started, sum(1 for r in mine if r.soon)
            )
        )
    return tuple(lines)


def key_ledger(actor: Any, period: Period, *, leader_id: int | None = None) -> KeyLedger:
    """The 台账 of the actor's key projects of year Y, as of the end of month M (only one
    包保领导's when `leader_id` is given, as the leader's to-do page needs)."""
    projects = _key_projects(actor, period.year, leader_id)
    reports = _reports(_projects_select(actor, period.year, leader_id), period)
    as_of = period.as_of()
    idle_since = as_of - timedelta(days=int(current_app.config["IDLE_DAYS"]))
    activity = _activity(projects, as_of)
    rows = tuple(
        _row(kp, reports.get(kp.id, []), period, activity.get(kp.id), idle_since) for kp in projects
    )
    month = period.month
    programmes = _groups(
        rows, month, lambda r: r.key_project.programme, lambda r: r.key_project.programme
    )
    units = tuple(
        sorted(
            _groups(
                rows, month, lambda r: r.key_project.unit_id, lambda r: r.key_project.unit.name
            ),
            key=lambda g: g.label,
        )
    )
    leaders = tuple(
        sorted(
            _groups(
                rows,
                month,
                lambda r: r.key_project.leader_id or 0,
                lambda r: r.key_project.leader.name if r.key_project.leader else NO_LEADER,
            ),
            key=lambda g: (g.key == 0, g.label),
        )
    )
    big = [r for r in rows if r.key_project.is_big]
    return KeyLedger(
        period=period,
        rows=rows,
        total=group("合计", rows, month),
        programmes=programmes,
        units=units,
        leaders=leaders,
        roll_call=roll_call(rows),
        big_count=len(big),
        big_total=sum(r.key_project.total_investment for r in big),
        unlisted=tuple(r for r in rows if r.started and not r.key_project.in_statistics),
        programme_roll_call={g.label: roll_call(g.rows) for g in programmes},
    )


# ---------------------------------------------------------------- the lists behind the numbers

RECORD_KEYS = {
    "all": "全部重点项目",
    "started": "已开工项目",
    "not_started": "未开工项目",
    "soon": "近期将开工项目（计划开工日期在期末后 30 天内）",
    "big": "亿元以上项目",
    "unlisted": "已开工未入库项目",
    "green": "绿灯项目",
    "yellow": "黄灯项目",
    "red": "红灯项目",
    "unlit": "未下达年度计划的项目（不亮灯）",
    **{k: f"{v}项目" for k, v in FLAGS.items()},
}


def _holds(row: KeyRow, key: str) -> bool:
    kp = row.key_project
    tests = {
        "all": True,
        "started": row.started,
        "not_started": not row.started,
        "soon": row.soon,
        "big": kp.is_big,
        "unlisted": row.started and not kp.in_statistics,
        "unlit": row.light is None,
    }
    if key in tests:
        return tests[key]
    if key in FLAGS:
        return key in row.flags
    return row.light == key


def records(
    ledger: KeyLedger,
    key: str = "all",
    category: str | None = None,
    programme: str | None = None,
    unit_id: int | None = None,
    leader_id: int | None = None,
) -> tuple[KeyRow, ...]:
    """The rows behind one number of the ledger or flags page; leader_id 0 is "no leader"."""
    if key not in RECORD_KEYS:
        return ()
    found = []
    for row in ledger.rows:
        kp = row.key_project
        if category is not None and kp.category != category:
            continue
        if programme is not None and kp.programme != programme:
            continue
        if unit_id is not None and kp.unit_id != unit_id:
            continue
        if leader_id is not None and (kp.leader_id or 0) != leader_id:
            continue
        if _holds(row, key):
            found.append(row)
    return tuple(found)


def leader_rows(ledger: KeyLedger, leader_id: int) -> tuple[KeyRow, ...]:
    """A 包保领导's own key projects of the ledger."""
    return tuple(r for r in ledger.rows if r.key_project.leader_id == leader_id)


# ---------------------------------------------------------------- sentences


def _yi(amount_yuan: int) -> str:
    """亿元 as the speeches write it: 199亿元, 19.06亿元 (trailing zeros dropped)."""
    text = f"{yuan_to_yi(amount_yuan):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def headline(ledger: KeyLedger) -> str:
    """计划实施重点项目107项，其中续建45项、新建62项，总投资199亿元，当年计划完成投资44亿元."""
    total = ledger.total
    parts = "、".join(f"{line.category}{line.count}项" for line in ledger.roll_call if line.count)
    text = f"计划实施重点项目{total.count}项"
    if parts:
        text += f"，其中{parts}"
    return (
        text + f"，总投资{_yi(total.total_investment)}亿元"
        f"，当年计划完成投资{_yi(total.annual_plan)}亿元"
    )


def _roll_call_parts(lines: tuple[RollCallLine, ...]) -> list[str]:
    by = {line.category: line for line in lines}
    parts = []
    if by.get("续建") and by["续建"].count:
        parts.append(f"去年结转的{by['续建'].count}个项目，{by['续建'].started}个已开工建设")
    if by.get("新建") and by["新建"].count:
        line = by["新建"]
        text = f"{line.count}个新开工项目，{line.started}个已开始地基施工"
        if line.soon:
            text += f"，{line.soon}个将于近期开工"
        parts.append(text)
    if by.get("拟开工") and by["拟开工"].count:
        parts.append(f"{by['拟开工'].count}个拟开工项目，{by['拟开工'].started}个已开工")
    if by.get("前期") and by["前期"].count:
        parts.append(f"{by['前期'].count}个前期项目")
    return parts


def roll_call_sentence(ledger: KeyLedger) -> str:
    """去年结转的26个项目，17个已开工建设；18个新开工项目，5个已开始地基施工，7个将于近期开工."""
    return "；".join(_roll_call_parts(ledger.roll_call))


def programme_roll_call_sentence(lines: tuple[RollCallLine, ...]) -> str:
    """The same sentence for one programme's lines."""
    return "；".join(_roll_call_parts(lines))


_NUMERALS = "零一两三四五六七八九十"


def months_phrase(month: int) -> str:
    """1月, 前两个月 … 前十一个月, 全年."""
    if month == 1:
        return "1月"
    if month == 12:
        return "全年"
    numeral = _NUMERALS[month] if month <= 10 else "十" + _NUMERALS[month - 10].replace("两", "二")
    return f"前{numeral}个月"


def lag_sentence(group: KeyGroup, period: Period) -> str:
    """前两个月完成投资落后时间进度11.80个百分点 / 超进度… / 与时间进度持平."""
    text = months_phrase(period.month) + "完成投资"
    if group.lag is None:
        return text + "（未下达年度计划）"
    if group.lag > 0:
        return text + f"落后时间进度{group.lag}个百分点"
    if group.lag < 0:
        return text + f"超进度{-group.lag}个百分点"
    return text + "与时间进度持平"


def is_red(row: KeyRow) -> bool:
    """The row's light is red (for cards that count them)."""
    return row.light == RED
