"""Demo aftercare: visits, commitments (some overdue, some kept) and problems in every state on
the signed demo projects. Finds what it needs in the database; deterministic (fixed seed)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.care.models import CareVisit, Commitment, Problem, ProblemEscalation
from app.core import history
from app.core.dates import today as local_today
from app.extensions import db
from app.projects.models import Project
from app.units.models import Unit

SEED = 7_2026
PROJECTS = 60  # signed projects that get aftercare records

REQUESTS = {
    "用地": ["二期扩建需新增用地约 30 亩，请求协调用地指标", "土地不动产权证办理进度缓慢"],
    "资金": ["申请技术改造专项资金补助", "流动资金紧张，请求协调银行授信"],
    "审批": ["环评批复等待时间较长，请求加快审批", "施工许可办理需多部门会商"],
    "用工": ["投产前需招聘一线工人约 200 名，请求协助招工", "数控技术工人短缺"],
    "水电气": ["厂区双回路供电尚未接入", "天然气管道接入需协调燃气公司", "污水管网尚未接通"],
    "拆迁": ["项目红线内尚有 3 户未完成搬迁", "地上附着物补偿存在争议"],
    "其他": ["企业高管子女入学需协调", "厂区周边道路照明不足，夜班通勤不便"],
}
# Departments that usually handle a category; the project's own unit otherwise.
HANDLERS = {
    "用地": "区自然资源局",
    "资金": "区发展和改革局",
    "审批": "区发展和改革局",
    "用工": "区商务局",
    "水电气": "区住房和城乡建设局",
    "拆迁": None,
    "其他": None,
}
PROMISES = [
    "签约后 6 个月内完成项目用地挂牌出让",
    "厂区道路硬化及雨污管网在开工前建成",
    "按协议兑现设备投资补助",
    "协助解决高管人才公寓 10 套",
    "投产前完成 110kV 变电站配套建设",
    "协助办理项目立项、环评等前期手续",
]
VISIT_NOTES = [
    "企业生产经营正常，反映用工较紧张",
    "了解项目建设进度，主体厂房已封顶",
    "企业希望加快办理不动产权证",
    "走访企业负责人，宣讲惠企政策",
    "协调解决施工用电问题，企业表示满意",
]
# Every state a problem can be in, handed out first so each appears at least once.
STATES = [
    "unassigned",
    "open",
    "in_progress",
    "resolved_in_time",
    "resolved_late",
    "overdue",
    "escalated_baobao",
    "escalated_head",
]

WEIGHTS = [1, 2, 2, 5, 2, 2, 1, 1]  # after the first round: mostly resolved, as in life


def _between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


class DemoCare:
    """Builds the records; holds the random generator, the day, the users and units."""

    def __init__(self, today: date):
        self.rng = random.Random(SEED)
        self.today = today
        users = db.session.execute(select(User).where(User.active.is_(True))).scalars().all()
        self.bureau = [u for u in users if u.role == "bureau"]
        self.unit_users = {u.unit_id: u for u in users if u.role == "unit"}
        self.units = {u.name: u for u in db.session.execute(select(Unit)).scalars()}

    def author(self, project: Project) -> User | None:
        return self.unit_users.get(project.unit_id) or (self.bureau[0] if self.bureau else None)

    def visits(self, project: Project) -> list[CareVisit]:
        author = self.author(project)
        return [
            CareVisit(
                project_id=project.id,
                visited_on=_between(self.rng, project.signed_on, self.today),
                visitors=f"{project.unit.name} 工作专班",
                notes=self.rng.choice(VISIT_NOTES),
                created_by_id=author.id if author else None,
            )
            for _ in range(self.rng.randint(1, 3))
        ]

    def commitments(self, project: Project) -> list[Commitment]:
        out = []
        for promise in self.rng.sample(PROMISES, self.rng.randint(1, 2)):
            due = project.signed_on + timedelta(days=self.rng.choice([90, 180, 270, 400]))
            kept = due < self.today and self.rng.random() < 0.8
            out.append(
                Commitment(
                    project_id=project.id,
                    promise=promise,
                    delivering_unit_id=project.unit_id,
                    due_on=due,
                    fulfilled_on=min(due, self.today) - timedelta(days=self.rng.randint(0, 20))
                    if kept
                    else None,
                    evidence_note="验收记录已归档" if kept else None,
                )
            )
        return out

    def problem(self, project: Project, state: str) -> tuple[Problem, list[ProblemEscalation]]:
        category = self.rng.choice(list(REQUESTS))
        # Open matters are recent; resolved ones spread over the project's aftercare.
        earliest = project.signed_on
        if not state.startswith("resolved"):
            earliest = max(earliest, self.today - timedelta(days=120))
        raised = _between(self.rng, earliest, self.today - timedelta(days=45))
        raised = max(raised, project.signed_on)
        allowed = self.rng.choice([15, 20, 30, 30, 40])
        handler = self.units.get(HANDLERS[category] or "") or project.unit
        problem = Problem(
            project_id=project.id,
            category=category,
            description=self.rng.choice(REQUESTS[category]),
            raised_on=raised,
            raised_by_id=(self.author(project) or self.bureau[0]).id,
            level=0,
            status="open",
        )
        if state == "unassigned":
            problem.raised_on = self.today - timedelta(days=self.rng.randint(1, 6))
            return problem, []
        problem.handling_unit_id = handler.id
        problem.deadline = raised + timedelta(days=allowed)
        if state == "open":
            problem.raised_on = self.today - timedelta(days=5)
            problem.deadline = self.today + timedelta(days=25)
        elif state == "in_progress":
            problem.status = "in_progress"
            problem.deadline = max(self.today + timedelta(days=10), problem.deadline)
        elif state.startswith("resolved"):
            late = state == "resolved_late"
            problem.status = "resolved"
            early = self.rng.randint(0, allowed - 5)
            problem.resolved_on = problem.deadline + timedelta(
                days=self.rng.randint(3, 25) if late else -early
            )
            problem.resolution = f"已由{handler.name}协调解决"
            problem.resolved_by_id = (self.unit_users.get(handler.id) or self.bureau[0]).id
        steps = {"escalated_baobao": 1, "escalated_head": 2}.get(state, 0)
        escalations = []
        for level in range(steps):
            escalations.append(
                ProblemEscalation(
                    from_level=level,
                    to_level=level + 1,
                    reason="超过办理期限仍未解决，提请协调"
                    if level == 0
                    else "涉及多部门，提请主要领导调度",
                    escalated_on=problem.deadline + timedelta(days=3 + 7 * level),
                    escalated_by_id=self.bureau[0].id if self.bureau else None,
                )
            )
        problem.level = steps
        return problem, escalations


def seed() -> None:
    """Add aftercare records to the signed demo projects (nothing when there are none)."""
    today = local_today()
    projects = (
        db.session.execute(
            select(Project)
            .where(
                Project.signed_on.is_not(None),
                Project.signed_on <= today - timedelta(days=60),
                Project.deleted_at.is_(None),
                Project.dropped_on.is_(None),
            )
            .order_by(Project.id)
        )
        .scalars()
        .all()
    )
    if not projects:
        return
    maker = DemoCare(today)
    if not maker.bureau:
        return
    chosen = maker.rng.sample(projects, min(PROJECTS, len(projects)))
    states = iter(STATES)
    escalations: list[tuple[Problem, list[ProblemEscalation]]] = []
    for project in sorted(chosen, key=lambda p: p.id):
        db.session.add_all(maker.visits(project))
        db.session.add_all(maker.commitments(project))
        for _ in range(maker.rng.randint(0, 2)):
            state = next(states, None) or maker.rng.choices(STATES, WEIGHTS)[0]
            problem, steps = maker.problem(project, state)
            db.session.add(problem)
            escalations.append((problem, steps))
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    for problem, steps in escalations:
        for step in steps:
            step.problem_id = problem.id
            db.session.add(step)
    history.note_reason(db.session, "演示数据")
    db.session.flush()
