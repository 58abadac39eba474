"""Demo key projects: a year's list of about 80 in six programmes (工程), a few carried over
from last year's list, monthly reports through the last ended month (most on schedule, some
behind, a few far behind), procedures in every state (a few 新建 blocked), the three kinds of
slack (三类现象) and some problems handed to units. Deterministic (fixed seed); adds nothing
when key projects are already recorded."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.auth.models import User
from app.care.models import PROBLEM_CATEGORIES, Problem
from app.core import history
from app.core.dates import today as local_today
from app.core.money import wan_to_yuan
from app.extensions import db
from app.keyprojects.models import (
    FUNDING_CHANNELS,
    PROCEDURE_KINDS,
    KeyMonthlyReport,
    KeyProcedure,
    KeyProject,
    KeyTeamMember,
)
from app.leaders.models import Leader
from app.units.models import Unit

SEED = 12_2026
# (programme, name patterns; {place} is the responsible unit's short name)
PROGRAMMES = {
    "城中村改造工程": [
        "{place}城中村改造项目", "{place}棚户区改造安置房项目", "{place}老旧小区改造项目",
        "{place}片区有机更新项目", "{place}安置社区二期项目",
    ],
    "产业升级工程": [
        "{place}智能制造产业园项目", "{place}新能源电池材料项目", "{place}高端装备制造基地",
        "{place}电子信息产业园标准厂房", "{place}食品精深加工项目", "{place}绿色建材产业园",
    ],
    "基础设施提升工程": [
        "{place}主干道改造提升工程", "{place}供水管网改造工程", "{place}雨污分流改造工程",
        "{place}110kV 输变电工程", "{place}停车场及充电桩建设项目",
    ],
    "生态环保工程": [
        "{place}污水处理厂提标改造项目", "{place}河道综合治理工程", "{place}垃圾分类处理中心",
        "{place}湿地公园建设项目",
    ],
    "民生保障工程": [
        "{place}九年一贯制学校建设项目", "{place}社区卫生服务中心项目", "{place}养老服务中心项目",
        "{place}全民健身中心项目", "{place}农贸市场改造项目",
    ],
    "乡村振兴工程": [
        "{place}高标准农田建设项目", "{place}现代农业示范园项目", "{place}农村人居环境整治项目",
        "{place}乡村旅游综合体项目", "{place}冷链物流集配中心",
    ],
}  # fmt: skip
# Responsible units by programme (those present are used), taken in turn.
STREETS = ("城关街道", "东城街道", "西城街道", "南湖街道")
TOWNS = ("北山镇", "青石镇", "柳河镇", "白马镇", "双河镇", "龙泉镇", "金沙镇", "桃源乡")
PARKS = ("经济技术开发区", "高新技术产业园", "电子信息产业园", "临港物流园")
PROGRAMME_UNITS = {
    "城中村改造工程": (*STREETS, "区住房和城乡建设局"),
    "产业升级工程": PARKS,
    "基础设施提升工程": ("区住房和城乡建设局", *STREETS, *TOWNS[:4]),
    "生态环保工程": (*TOWNS, *STREETS),
    "民生保障工程": (*STREETS, *TOWNS),
    "乡村振兴工程": (*TOWNS, "现代农业产业园"),
}
LIAISONS = ("区发展和改革局", "区住房和城乡建设局", "区自然资源局", "区工业和信息化局")
HELPERS = {  # 帮办部门 of a procedure in progress
    "用地预审": "区自然资源局", "用地批复": "区自然资源局", "建设用地规划许可": "区自然资源局",
    "建设工程规划许可": "区自然资源局", "施工许可": "区住房和城乡建设局",
    "施工图审查": "区住房和城乡建设局",
}  # fmt: skip
CATEGORY_COUNTS = {"续建": 30, "新建": 35, "拟开工": 10, "前期": 5}
CARRIED = 6  # 续建 projects that were on last year's list too
BIG = 30  # 亿元以上 projects
STEPS = (
    "场地平整", "土方开挖", "基础施工", "主体施工", "主体结构封顶", "二次结构施工",
    "装饰装修", "设备安装调试", "室外配套施工", "竣工验收",
)  # fmt: skip
PREPARING = ("可研报告编制", "征地拆迁", "方案设计", "初步设计审查", "施工图设计", "招标文件编制")
GOALS = {
    "续建": "年底前完成主体工程并投入使用",
    "新建": "年内开工建设，年底前主体施工过半",
    "拟开工": "年内完成前期手续并开工",
    "前期": "年内完成可研、立项及用地预审",
}
PROBLEMS = {
    "用地": "项目用地指标尚未落实，影响开工",
    "资金": "专项债资金到位滞后，施工单位资金紧张",
    "审批": "环评批复等待时间较长，请求加快审批",
    "拆迁": "项目红线内尚有 4 户未完成搬迁",
    "水电气": "施工临时用电尚未接入",
    "用工": "施工高峰期劳务用工紧张",
    "其他": "施工扰民投诉较多，需协调周边群众",
}


@dataclass
class Plan:
    """How one demo project's year should read: its schedule share and its special case."""

    category: str
    big: bool
    pace: float  # completion at the last ended month relative to time progress
    case: str = ""  # "" or one of the 三类现象 / blocked / not-in-statistics cases


def last_ended(on: date) -> tuple[int, int]:
    """The last month that has ended (as app.reports.figures.period, which this may not use)."""
    return (on.year - 1, 12) if on.month == 1 else (on.year, on.month - 1)


def _month_end(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


class DemoKeyProjects:
    """Builds the records; holds the random generator, the period, units, leaders, users."""

    def __init__(self, today: date):
        self.rng = random.Random(SEED)
        self.today = today
        self.year, self.month = last_ended(today)
        units = {u.name: u for u in db.session.execute(select(Unit)).scalars()}
        self.units = units
        active = [u for u in units.values() if u.active]
        self.owners = {
            programme: [units[n] for n in names if n in units and units[n].active] or active
            for programme, names in PROGRAMME_UNITS.items()
        }
        self.turns: dict[str, int] = {}
        self.leaders = list(
            db.session.execute(
                select(Leader)
                .where(Leader.active.is_(True), Leader.is_baobao.is_(True))
                .order_by(Leader.id)
            ).scalars()
        )
        users = db.session.execute(select(User).where(User.active.is_(True))).scalars().all()
        self.bureau = next((u for u in users if u.role == "bureau"), None)
        self.unit_users = {u.unit_id: u for u in users if u.role == "unit"}
        self.names: set[str] = set()

    # ----- the list ---------------------------------------------------------------------
    def plans(self) -> list[Plan]:
        """Categories, 亿元以上 and each project's pace and special case, in a fixed mix."""
        categories = [c for c, n in CATEGORY_COUNTS.items() for _ in range(n)]
        plans = [Plan(c, False, self.rng.uniform(1.02, 1.2)) for c in categories]
        for plan in self.rng.sample(plans, BIG):
            plan.big = True
        started = [p for p in plans if p.category in ("续建", "新建")]
        self.rng.shuffle(started)
        for plan, pace in zip(started[:8], (0.9, 0.92, 0.94, 0.95, 0.96, 0.93, 0.91, 0.97),
                              strict=False):  # fmt: skip
            plan.pace = pace  # yellow: a little behind
        cases = ["far_behind", "far_behind", "far_behind", "no_reports", "zero_months",
                 "same_progress", "stale_report", "not_in_statistics", "not_in_statistics",
                 "not_in_statistics", "completed", "completed"]  # fmt: skip
        for plan, case in zip(started[8:], cases, strict=False):
            plan.case = case
            if case == "far_behind":
                plan.pace = self.rng.uniform(0.25, 0.45)
        new = [p for p in plans if p.category == "新建" and not p.case and p.pace > 1]
        for plan in new[:4]:
            plan.case = "blocked"
        for plan in new[4:7]:
            plan.case = "ready"  # every procedure done, not started yet
        to_start = [p for p in plans if p.category == "拟开工"]
        for plan in to_start[:3]:
            plan.case = "started_early"  # 拟开工 with its procedures done, already started
        return plans

    def name(self, programme: str, place: str) -> str:
        patterns = PROGRAMMES[programme]
        for pattern in self.rng.sample(patterns, len(patterns)):
            candidate = pattern.format(place=place)
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate
        for n in range(2, 20):
            candidate = patterns[0].format(place=place) + f"（{n}期）"
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate
        raise RuntimeError("demo names exhausted")

    def amounts(self, plan: Plan) -> tuple[Decimal, Decimal]:
        """Total and this year's plan in 万元 (whole 十万元, as lists are drawn up)."""
        if plan.big:
            total = Decimal(self.rng.randrange(10_000, 90_000, 100))
        else:
            total = Decimal(self.rng.randrange(2_000, 9_900, 100))
        share = {"续建": (0.2, 0.5), "新建": (0.15, 0.4), "拟开工": (0.05, 0.15),
                 "前期": (0.01, 0.03)}[plan.category]  # fmt: skip
        annual = (total * Decimal(str(round(self.rng.uniform(*share), 2)))).quantize(Decimal(10))
        return total, max(annual, Decimal(10))

    def start_on(self, plan: Plan) -> date | None:
        if plan.category == "续建":
            return date(self.year - self.rng.choice((1, 1, 2)), self.rng.randint(3, 10), 15)
        if plan.category == "新建" and plan.case not in ("blocked", "ready"):
            latest = max(1, min(self.month - 2, 8))
            return date(self.year, self.rng.randint(1, latest), self.rng.randint(5, 25))
        if plan.case == "started_early":
            return date(self.year, max(1, self.month - 2), 10)
        return None

    def project(self, plan: Plan, index: int) -> KeyProject:
        programme = list(PROGRAMMES)[index % len(PROGRAMMES)]
        turn = self.turns[programme] = self.turns.get(programme, -1) + 1
        unit = self.owners[programme][turn % len(self.owners[programme])]
        place = unit.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        if unit.kind == "区直部门":
            place = "城区"
        total, annual = self.amounts(plan)
        started = self.start_on(plan)
        liaison = self.units.get(self.rng.choice(LIAISONS))
        leader = self.leaders[index % len(self.leaders)] if self.leaders else None
        completed = None
        if plan.case == "completed" and started:
            completed = min(_month_end(self.year, max(1, self.month - 1)), self.today)
        project = KeyProject(
            year=self.year,
            name=self.name(programme, place),
            programme=programme,
            category=plan.category,
            level=self.rng.choices(("省重点", "市重点", "区重点"), (1, 3, 6))[0],
            total_investment=wan_to_yuan(total),
            annual_plan=wan_to_yuan(annual),
            leader_id=leader.id if leader else None,
            unit_id=unit.id,
            liaison_unit_id=liaison.id if liaison and liaison.id != unit.id else None,
            funding_channel=self.rng.choices(FUNDING_CHANNELS, (1, 3, 1, 1, 5, 1))[0],
            planned_start_on=started or date(self.year, self.rng.randint(3, 12), 1),
            started_on=started,
            completed_on=completed,
            in_statistics=started is not None and plan.case != "not_in_statistics",
            goal=GOALS[plan.category],
        )
        leader_name = leader.name if leader else "分管副区长"
        project.team = [
            KeyTeamMember(name=leader_name, post="包保领导"),
            KeyTeamMember(name=f"{unit.name}项目专班", post="责任单位负责人"),
        ]
        return project

    # ----- procedures -------------------------------------------------------------------
    def procedures(self, project: KeyProject, plan: Plan) -> list[KeyProcedure]:
        """One row per procedure; done before the start (or early in the year if not started)."""
        start = project.started_on or date(self.year, 1, 20)
        base = start - timedelta(days=len(PROCEDURE_KINDS) * 12 + 30)
        rows = []
        blocked = {"环评", "施工许可"} if plan.case == "blocked" else set()
        if blocked:
            blocked = {self.rng.choice(sorted(blocked))}
        for position, kind in enumerate(PROCEDURE_KINDS):
            done_on = min(base + timedelta(days=12 * position), self.today)
            status = "done"
            if kind in ("能评", "稳评") and self.rng.random() < 0.4:
                status = "na"
            if plan.category == "前期":
                status = ("doing", "todo")[position > 1] if position else "done"
            elif plan.category == "拟开工" and plan.case != "started_early":
                status = "done" if position < 4 else ("doing" if position < 7 else "todo")
            if kind in blocked:
                status = "doing" if kind == "环评" else "todo"
            row = KeyProcedure(kind=kind, position=position, status=status)
            if status == "done":
                row.applied_on = done_on - timedelta(days=self.rng.randint(5, 30))
                row.done_on = done_on
            elif status == "doing":
                row.applied_on = min(self.today, date(self.year, max(1, self.month - 1), 8))
                helper = self.units.get(HELPERS.get(kind, "区发展和改革局"))
                row.handling_unit_id = helper.id if helper else None
            rows.append(row)
        return rows

    # ----- monthly reports --------------------------------------------------------------
    def reports(self, project: KeyProject, plan: Plan) -> list[KeyMonthlyReport]:
        """Reports for each month from its start (or January) through the last ended month."""
        if project.started_on is None or project.started_on.year < self.year:
            first = 1  # not started: land, design and other preparatory spending counts too
        else:
            first = project.started_on.month
        last = self.month
        if plan.case == "no_reports":
            last = self.month - 3  # nothing for the last three months (推而不进)
        elif plan.case == "stale_report":
            last = self.month - 1  # last one entered well over a month ago (包而不推)
        if project.completed_on:
            last = min(last, project.completed_on.month)
        months = list(range(first, last + 1))
        if not months:
            return []
        annual = Decimal(project.annual_plan) / 10_000
        target = annual * Decimal(self.month) / 12 * Decimal(str(round(plan.pace, 3)))
        if project.completed_on:
            target = max(target, annual)
        weights = [self.rng.uniform(0.7, 1.3) for _ in months]
        if plan.case == "zero_months":
            weights[-2:] = [0.0, 0.0][: len(weights[-2:])]  # two months of no investment
            if not any(weights):
                weights[0] = 1.0
        scale = Decimal(str(sum(weights)))
        amounts = [(target * Decimal(str(w)) / scale).quantize(Decimal("0.01")) for w in weights]
        amounts[-1 if weights[-1] else 0] += target.quantize(Decimal("0.01")) - sum(amounts)
        if plan.pace >= 1:  # rounding never turns a green project yellow
            amounts[-1 if weights[-1] else 0] += Decimal("0.01") * len(amounts)
        author = self.unit_users.get(project.unit_id) or self.bureau
        out = []
        for step, (month, amount) in enumerate(zip(months, amounts, strict=True)):
            out.append(
                KeyMonthlyReport(
                    year=self.year,
                    month=month,
                    invested=wan_to_yuan(max(amount, Decimal(0))),
                    progress=self.progress(plan, step, len(months), project),
                    reported_on=self.reported_on(month, plan),
                    reported_by_id=author.id if author else None,
                )
            )
        return out

    def progress(self, plan: Plan, step: int, count: int, project: KeyProject) -> str:
        if project.started_on is None:
            return f"正在开展{PREPARING[min(step * len(PREPARING) // count, len(PREPARING) - 1)]}"
        if plan.case == "same_progress":
            return "主体施工"  # never changes (推而不进)
        begin = 3 if project.started_on and project.started_on.year < self.year else 0
        index = min(begin + step * (len(STEPS) - begin) // max(count, 1), len(STEPS) - 1)
        if project.completed_on and step == count - 1:
            index = len(STEPS) - 1
        return STEPS[index]

    def reported_on(self, month: int, plan: Plan) -> date:
        if plan.case == "stale_report":
            return date(self.year, month, 25)  # entered at the end of the month itself
        following = date(self.year + (month == 12), month % 12 + 1, self.rng.randint(2, 9))
        return min(following, self.today)

    # ----- last year's list and the problems --------------------------------------------
    def carried(self, project: KeyProject) -> KeyProject:
        """Last year's entry of a project carried over (续建) to this year's list."""
        before = KeyProject(
            year=self.year - 1,
            name=project.name,
            programme=project.programme,
            category="新建" if project.started_on.year == self.year - 1 else "续建",
            level=project.level,
            total_investment=project.total_investment,
            annual_plan=project.total_investment // 3,
            leader_id=project.leader_id,
            unit_id=project.unit_id,
            liaison_unit_id=project.liaison_unit_id,
            funding_channel=project.funding_channel,
            planned_start_on=project.started_on,
            started_on=project.started_on,
            in_statistics=True,
            goal="年内开工建设",
        )
        author = self.unit_users.get(project.unit_id) or self.bureau
        first = project.started_on.month if project.started_on.year == self.year - 1 else 1
        share = before.annual_plan // (13 - first)
        before.reports = [
            KeyMonthlyReport(
                year=self.year - 1, month=m, invested=share, progress=STEPS[min(m // 4, 3)],
                reported_on=date(self.year - 1 + (m == 12), m % 12 + 1, 6),
                reported_by_id=author.id if author else None,
            )
            for m in range(first, 13)
        ]  # fmt: skip
        return before

    def problems(self, projects: list[KeyProject]) -> list[Problem]:
        """Problems raised while scheduling: open, in progress, overdue, resolved."""
        if self.bureau is None:
            return []
        started = [p for p in projects if p.started_on]
        chosen = self.rng.sample(started, min(12, len(started)))
        states = ["open", "open", "in_progress", "in_progress", "overdue", "overdue", "overdue",
                  "resolved", "resolved", "resolved", "resolved_late", "resolved"]  # fmt: skip
        out = []
        for project, state in zip(chosen, states, strict=False):
            category = self.rng.choice([c for c in PROBLEM_CATEGORIES if c in PROBLEMS])
            handler = {"用地": "区自然资源局", "审批": "区发展和改革局",
                       "水电气": "区住房和城乡建设局"}.get(category)  # fmt: skip
            unit = self.units.get(handler or "") or project.unit
            raised = self.today - timedelta(days=self.rng.randint(40, 90))
            if state == "open":
                raised = self.today - timedelta(days=self.rng.randint(3, 10))
            deadline = raised + timedelta(days=30)
            problem = Problem(
                key_project_id=project.id,
                category=category,
                description=PROBLEMS[category],
                raised_on=raised,
                raised_by_id=self.bureau.id,
                handling_unit_id=unit.id,
                deadline=deadline,
                level=0,
                status="open",
            )
            if state == "in_progress":
                problem.status = "in_progress"
                problem.deadline = self.today + timedelta(days=self.rng.randint(5, 20))
            elif state.startswith("resolved"):
                problem.status = "resolved"
                shift = self.rng.randint(3, 15)
                late = deadline + timedelta(days=shift)
                early = deadline - timedelta(days=shift)
                problem.resolved_on = min(late if state == "resolved_late" else early, self.today)
                problem.resolution = f"经{unit.name}协调已解决"
                solver = self.unit_users.get(unit.id) or self.bureau
                problem.resolved_by_id = solver.id
            out.append(problem)
        return out


def seed(today: date | None = None) -> list[KeyProject]:
    """Add the demo key-project list (nothing when key projects are already recorded)."""
    if db.session.execute(select(func.count()).select_from(KeyProject)).scalar_one():
        return []
    maker = DemoKeyProjects(today or local_today())
    if not any(maker.owners.values()):
        return []
    plans = maker.plans()
    projects = [maker.project(plan, index) for index, plan in enumerate(plans)]
    carried = [
        (p, maker.carried(p))
        for p, plan in zip(projects, plans, strict=True)
        if plan.category == "续建" and plan.case == "" and p.started_on.year == maker.year - 1
    ][:CARRIED]
    db.session.add_all(before for _p, before in carried)
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    for project, before in carried:
        project.carried_from_id = before.id
    for project, plan in zip(projects, plans, strict=True):
        project.procedures = maker.procedures(project, plan)
        project.reports = maker.reports(project, plan)
    db.session.add_all(projects)
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    db.session.add_all(maker.problems(projects))
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    return projects
