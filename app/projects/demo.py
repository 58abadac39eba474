"""Demo projects: about 400 across every stage and unit, with follow-ups, contacts and a few
deliberate duplicates. Deterministic: the same data every time (random.Random, fixed seed)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from app.auth.models import User
from app.core import history, uscc
from app.core.dates import today as local_today
from app.core.money import wan_to_yuan
from app.events.models import PromotionEvent
from app.extensions import db
from app.leaders.demo import district_baobao
from app.leaders.models import Leader
from app.projects import demo_activity as activity
from app.projects import demo_words as words
from app.projects.models import Project
from app.projects.names import normalise_investor, search_text
from app.projects.services import ProjectData, field_problems, milestone_problems
from app.units.models import Unit

SEED = 20261122
DEMO_TODAY = date(2026, 11, 22)
EARLIEST = date(2024, 1, 1)
REGULAR = 368
STEPS = ("negotiating_on", "signed_on", "registered_on", "started_on", "operating_on")
GAPS = {  # days from the milestone before
    "negotiating_on": (10, 75),
    "signed_on": (30, 170),
    "registered_on": (10, 80),
    "started_on": (30, 170),
    "operating_on": (150, 400),
}
# (milestones reached, weight): 0 = a lead ... 5 = operating
REACHED = [(0, 22), (1, 22), (2, 15), (3, 14), (4, 15), (5, 12)]
UNIT_WEIGHT = {"乡镇街道": 3, "区直部门": 1, "园区": 6, "其他": 2}
OTHER_SOURCES = [
    ("领导外出招商", 16),
    ("以商招商", 14),
    ("中介推荐", 9),
    ("企业来访", 12),
    ("其他", 4),
]
EVENT_SOURCE = {
    "推介会": "招商推介会",
    "展会": "展会",
    "考察": "领导外出招商",
    "座谈会": "以商招商",
}


class DemoProjects:
    """Builds the demo projects; holds the random generator and what is already taken."""

    def __init__(self, units, users, leaders, events, today: date):
        self.rng = random.Random(SEED)
        self.today = today
        self.units = [u for u in units.values() if u.active]
        self.users = users
        self.actor = next(u for u in users.values() if u.role == "bureau")
        self.unit_users = {u.unit_id: u for u in users.values() if u.role == "unit"}
        self.bureau_users = [u for u in users.values() if u.role == "bureau"]
        self.baobao = district_baobao(leaders)
        self.events = sorted(events.values(), key=lambda e: e.held_on)
        self.keys: set[str] = {normalise_investor(n) for pair in words.DUPLICATES for n in pair[:2]}
        self.codes: set[str] = set()
        self.roaming_hosts = {u.id for u in self.units if u.kind in ("园区", "其他")}

    def pick(self, weighted):
        """One value of (value, weight) pairs."""
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]

    def code(self, division: str) -> str:
        """A fresh, valid USCC of a company registered in that division."""
        while True:
            body = "91" + division + "MA" + "".join(self.rng.choices(uscc.ALPHABET, k=7))
            full = body + uscc.check_character(body)
            if full not in self.codes:
                self.codes.add(full)
                return full

    def origin(self) -> tuple[str, str, bool]:
        if self.rng.random() < 0.08:
            return (*self.rng.choice(words.FOREIGN_ORIGINS), True)
        province, city, _ = self.pick([(o, o[2]) for o in words.ORIGINS])
        return province, city, False

    def investor(self, chain: str, city: str, foreign: bool) -> str:
        """A realistic company name not yet used by another demo investor."""
        business = words.CHAINS[chain][2]
        while True:
            brand, trade = self.rng.choice(words.BRANDS), self.rng.choice(business)
            if foreign:
                name = f"{brand}（{city}）{trade}有限公司"
            elif self.rng.random() < 0.2 and city in words.CITY_SHORT:
                name = f"{brand}{trade}（{words.CITY_SHORT[city]}）有限公司"
            elif self.rng.random() < 0.15:
                name = f"{brand}{trade}股份有限公司"
            else:
                name = f"{city}{brand}{trade}有限公司"
            if normalise_investor(name) not in self.keys:
                self.keys.add(normalise_investor(name))
                return name

    def planned_wan(self) -> Decimal:
        """From a few hundred 万元 to several 亿元, rounded as people report them."""
        low, high, step = self.pick(
            [((300, 2000, 50), 30), ((2000, 10000, 100), 40), ((10000, 50000, 500), 25)]
            + [((50000, 150000, 1000), 5)]
        )
        return Decimal(self.rng.randrange(low, high, step))

    def gap(self, field: str) -> timedelta:
        return timedelta(days=self.rng.randint(*GAPS[field]))

    def forward(self, dates: dict, last: date, start: int, reached: int) -> dict:
        """Add milestones after `last` up to `reached` steps, stopping before the future."""
        for field in STEPS[start:reached]:
            last = last + self.gap(field)
            if last > self.today:
                break
            dates[field] = last
        return dates

    def timeline(self, reached: int, lead_on: date) -> dict:
        return self.forward({}, lead_on, 0, reached)

    def pinned(self, reached: int, field: str, on: date) -> tuple[date, dict]:
        """Milestones with one of them on a given day (a 集中签约 or 集中开工 ceremony)."""
        index = STEPS.index(field)
        dates = {field: on}
        for earlier, later in zip(
            reversed(STEPS[:index]), reversed(STEPS[1 : index + 1]), strict=True
        ):
            dates[earlier] = dates[later] - self.gap(later)
        lead_on = dates[STEPS[0]] - self.gap(STEPS[0])
        return lead_on, self.forward(dates, on, index + 1, max(reached, index + 1))

    def latest_start(self, reached: int) -> date:
        typical = sum((GAPS[f][0] + GAPS[f][1]) // 2 for f in STEPS[:reached])
        return max(EARLIEST, self.today - timedelta(days=typical + 10))

    def source(self, unit: Unit, reached: int) -> tuple[str, PromotionEvent | None, date]:
        """Where the lead came from and when it was first recorded."""
        latest = self.latest_start(reached)
        if unit.name.startswith("驻") and self.rng.random() < 0.6:
            return "驻外联络处", None, self.day_between(EARLIEST, latest)
        hosts = (None, unit.id, *self.roaming_hosts)  # a town's own event serves that town
        sourcing = [
            e
            for e in self.events
            if e.kind in EVENT_SOURCE and e.held_on <= latest and e.host_unit_id in hosts
        ]
        own = [e for e in sourcing if e.host_unit_id == unit.id]
        if own and self.rng.random() < 0.6:
            event = self.rng.choice(own)
            lead_on = min(self.today, event.held_on + timedelta(days=self.rng.randint(0, 14)))
            return EVENT_SOURCE[event.kind], event, lead_on
        if sourcing and self.rng.random() < 0.45:
            event = self.rng.choice(sourcing)
            lead_on = min(self.today, event.held_on + timedelta(days=self.rng.randint(0, 14)))
            return EVENT_SOURCE[event.kind], event, lead_on
        return self.pick(OTHER_SOURCES), None, self.day_between(EARLIEST, latest)

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def leader_for(self, planned: Decimal) -> Leader | None:
        if planned >= 50000:
            return self.baobao[self.rng.randint(0, 1)]  # 区委书记 or 区长 for the largest
        return self.rng.choice(self.baobao) if self.rng.random() < 0.55 else None

    def project(
        self,
        unit: Unit,
        chain: str,
        reached: int,
        *,
        investor=None,
        event=None,
        pin=None,
        code=None,
    ) -> Project:
        """One validated project; `pin` = (milestone, day) fixes one date."""
        rng = self.rng
        industry, templates, _ = words.CHAINS[chain]
        province, city, foreign = self.origin()
        investor = investor or self.investor(chain, city, foreign)
        name = words.brand_of(investor) + rng.choice(templates).format(
            n=rng.choice([5, 10, 20, 30, 50])
        )
        planned = self.planned_wan()
        source, sourced_by, lead_on = self.source(unit, reached)
        if event is not None:
            source, sourced_by = "招商推介会", event
        if pin:
            lead_on, dates = self.pinned(reached, *pin)
        else:
            dates = self.timeline(reached, lead_on)
        contract = None
        if "signed_on" in dates:
            contract = (planned * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal(10))
        if "registered_on" in dates:
            code = code or self.code(words.LOCAL_DIVISION)
        elif code is None and rng.random() < 0.3:
            code = self.code(words.DIVISIONS[city])
        leader = self.leader_for(planned)
        data = ProjectData(
            name=name,
            investor_name=investor,
            unit_id=unit.id,
            source=source,
            industry=industry,
            uscc=code,
            origin_province=province,
            origin_city=city,
            foreign_funded=foreign,
            chain_tag=chain,
            planned_wan=planned,
            leader_id=leader.id if leader else None,
            event_id=sourced_by.id if sourced_by else None,
            milestones=dates,
            contract_wan=contract,
        )
        self.check(data)
        project = Project(
            name=name,
            investor_name=investor,
            investor_key=normalise_investor(investor),
            uscc=code,
            origin_province=province,
            origin_city=city,
            foreign_funded=foreign,
            industry=industry,
            chain_tag=chain,
            planned_investment=wan_to_yuan(planned),
            contract_investment=wan_to_yuan(contract) if contract is not None else None,
            unit_id=unit.id,
            leader_id=data.leader_id,
            source=source,
            event_id=data.event_id,
            lead_on=lead_on,
            search_text=search_text(name, investor, code),
            created_by_id=self.actor.id,
            **dates,
        )
        self.maybe_drop(project, dates, reached)
        db.session.add(project)
        return project

    def check(self, data: ProjectData) -> None:
        """The services' own rules: a demo record that breaks one is a bug here."""
        problems = field_problems(data, self.actor)
        problems.update(milestone_problems(data.milestones, data.contract_wan, data.uscc))
        if problems:
            raise ValueError(f"demo project {data.name}: {problems}")

    def maybe_drop(self, project: Project, dates: dict, reached: int) -> None:
        if reached >= 5 or self.rng.random() > 0.09:
            return
        last = max([project.lead_on, *dates.values()])
        dropped_on = last + timedelta(days=self.rng.randint(15, 150))
        if dropped_on <= self.today:
            project.dropped_on = dropped_on
            project.drop_reason = self.rng.choice(words.DROP_REASONS)

    def unit(self) -> Unit:
        return self.rng.choices(self.units, [UNIT_WEIGHT[u.kind] for u in self.units])[0]

    def chain_for(self, unit: Unit) -> str:
        preferred = words.UNIT_CHAINS.get(unit.name)
        if preferred and self.rng.random() < 0.75:
            return self.rng.choice(preferred)
        return self.rng.choice(list(words.CHAINS))

    def build(self) -> list[Project]:
        """Every demo project: regular ones, ceremony batches, and the duplicates."""
        projects = []
        for _ in range(REGULAR):
            unit = self.unit()
            projects.append(self.project(unit, self.chain_for(unit), self.pick(REACHED)))
        for event in self.events:
            if event.kind == "集中签约":
                for _ in range(8):
                    unit = self.unit()
                    reached = self.rng.randint(2, 5)
                    projects.append(
                        self.project(
                            unit,
                            self.chain_for(unit),
                            reached,
                            event=event,
                            pin=("signed_on", event.held_on),
                        )
                    )
            elif event.kind == "集中开工":
                for _ in range(8):
                    unit = self.unit()
                    reached = self.rng.randint(4, 5)
                    pin = ("started_on", event.held_on)
                    projects.append(self.project(unit, self.chain_for(unit), reached, pin=pin))
        by_name = {u.name: u for u in self.units}
        for first, second, same_code, chain, unit_a, unit_b in words.DUPLICATES:
            code = self.code("440300") if same_code else None
            projects.append(self.project(by_name[unit_a], chain, 1, investor=first, code=code))
            projects.append(self.project(by_name[unit_b], chain, 0, investor=second, code=code))
        return projects


def seed(
    units: dict[str, Unit],
    users: dict[str, User],
    leaders: dict[str, Leader],
    events: dict[str, PromotionEvent],
) -> list[Project]:
    """Add the demo projects with their follow-ups and contacts; return the projects."""
    maker = DemoProjects(units, users, leaders, events, min(local_today(), DEMO_TODAY))
    projects = maker.build()
    history.note_reason(db.session, "演示数据")
    db.session.flush()  # ids, and stage_order computed by the database
    for project in projects:
        db.session.refresh(project, ["stage_order"])
    with db.session.no_autoflush:  # one flush below, so every history row has the reason
        for project in projects:
            user = maker.unit_users.get(project.unit_id) or maker.rng.choice(maker.bureau_users)
            db.session.add_all(activity.follow_ups(maker.rng, project, user, maker.today))
            db.session.add_all(activity.contacts(maker.rng, project))
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    return projects
