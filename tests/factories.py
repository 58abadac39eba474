"""Test data factories. Each call commits in its own app context and returns a plain record."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.services import new_session_token
from app.core import history
from app.events.models import PromotionEvent
from app.extensions import db
from app.leaders.models import Leader
from app.projects.models import FollowUp, Project
from app.projects.names import normalise_investor, search_text
from app.units.models import Unit

PASSWORD = "Test@1234pw"


class Record(SimpleNamespace):
    """A committed row's column values, usable after its session is gone."""


def record(obj: Any) -> Record:
    """Copy an ORM object's column values into a Record."""
    mapper = inspect(obj).mapper
    return Record(**{attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs})


class Factory:
    """Creates rows for one application; more domains add methods here."""

    def __init__(self, app):
        self.app = app
        self._hash = None

    def add(self, obj: Any) -> Record:
        """Commit one object (as the system) and return its record."""
        with self.app.app_context():
            history.set_actor(db.session, None)
            db.session.add(obj)
            db.session.commit()
            return record(obj)

    def unit(self, name: str = "测试镇", kind: str = "乡镇街道", active: bool = True) -> Record:
        return self.add(Unit(name=name, kind=kind, active=active))

    def user(
        self,
        username: str,
        role: str,
        unit: Record | None = None,
        password: str = PASSWORD,
        must_change: bool = False,
        active: bool = True,
    ) -> Record:
        with self.app.app_context():
            password_hash = hash_password(password)
        return self.add(
            User(
                username=username,
                name=f"{username}姓名",
                role=role,
                unit_id=unit.id if unit else None,
                password_hash=password_hash,
                must_change_password=must_change,
                session_token=new_session_token(),
                active=active,
            )
        )

    def leader(
        self,
        name: str = "张书记",
        post: str = "区委书记",
        unit: Record | None = None,
        head_kind: str | None = "party",
        is_baobao: bool = True,
        active: bool = True,
        user: Record | None = None,
    ) -> Record:
        return self.add(
            Leader(
                name=name,
                post=post,
                unit_id=unit.id if unit else None,
                head_kind=head_kind,
                is_baobao=is_baobao,
                active=active,
                user_id=user.id if user else None,
            )
        )

    def event(
        self,
        name: str = "2025 深圳招商推介会",
        kind: str = "推介会",
        city: str = "深圳市",
        held_on=None,
        host_unit: Record | None = None,
    ) -> Record:
        from datetime import date

        return self.add(
            PromotionEvent(
                name=name,
                kind=kind,
                city=city,
                held_on=held_on or date(2025, 3, 18),
                host_unit_id=host_unit.id if host_unit else None,
            )
        )

    def project(
        self,
        unit: Record,
        name: str = "智能制造产业园",
        investor: str = "华润置地（深圳）有限公司",
        **fields: Any,
    ) -> Record:
        """A project written straight to the table (no service checks): any stage, any date.
        Amounts in fields are whole 元 (planned_investment, contract_investment)."""
        from datetime import date

        values = {
            "industry": "工业",
            "source": "招商推介会",
            "planned_investment": 0,
            "origin_province": "广东省",
            "origin_city": "深圳市",
            "lead_on": date(2025, 1, 2),
            **fields,
        }
        return self.add(
            Project(
                name=name,
                investor_name=investor,
                investor_key=normalise_investor(investor),
                unit_id=unit.id,
                search_text=search_text(name, investor, values.get("uscc")),
                **values,
            )
        )

    def follow_up(
        self,
        project: Record,
        user: Record,
        happened_on,
        summary: str = "电话沟通",
        next_step: str | None = None,
        next_due_on=None,
        kind: str = "电话",
    ) -> Record:
        return self.add(
            FollowUp(
                project_id=project.id,
                user_id=user.id,
                happened_on=happened_on,
                kind=kind,
                summary=summary,
                next_step=next_step,
                next_due_on=next_due_on,
            )
        )

    def funds_entry(self, project: Record, amount_wan: str = "100", status: str = "verified",
                    received_on=None, origin: str = "国内省外", ref: str | None = None,
                    **fields: Any) -> Record:
        """A funds entry written straight to the ledger (no service checks)."""
        from datetime import date
        from decimal import Decimal

        from app.core.money import wan_to_yuan
        from app.funds.models import FundsEntry, evidence_key

        self._refs = getattr(self, "_refs", 0) + 1
        ref = ref or f"PZ{self._refs:05d}"
        return self.add(FundsEntry(
            project_id=project.id, received_on=received_on or date(2026, 3, 5),
            amount=wan_to_yuan(Decimal(amount_wan)), origin=origin,
            use=fields.pop("use", "固定资产投资"), evidence_ref=ref, evidence_key=evidence_key(ref),
            status=status, **fields))

    def target(self, unit: Record, year: int = 2026, **values: Any) -> Record:
        """A unit's target for a year; money in 万元 strings, counts as integers."""
        from decimal import Decimal

        from app.core.money import wan_to_yuan
        from app.targets.models import Target

        for key, value in list(values.items()):
            if isinstance(value, str):
                values[key] = wan_to_yuan(Decimal(value))
        return self.add(Target(unit_id=unit.id, year=year, **values))

    def key_project(self, unit: Record, name: str = "城南污水处理厂", year: int = 2026,
                    total_wan: str = "20000", plan_wan: str = "6000", **fields: Any) -> Record:
        """A key project written straight to the table (no service checks); amounts in 万元
        strings, other fields as the model's columns (category, programme, leader_id, ...)."""
        from decimal import Decimal

        from app.core.money import wan_to_yuan
        from app.keyprojects.models import KeyProject

        values = {"programme": "基础设施工程", "category": "续建", "level": "区重点",
                  "funding_channel": "社会投资", **fields}
        return self.add(KeyProject(
            unit_id=unit.id, name=name, year=year, total_investment=wan_to_yuan(Decimal(total_wan)),
            annual_plan=wan_to_yuan(Decimal(plan_wan)), **values))

    def key_report(self, key_project: Record, month: int, invested_wan: str = "500",
                   progress: str = "主体施工", year: int | None = None, reported_on=None) -> Record:
        """One month's 月调度 entry written straight to the table."""
        from datetime import date
        from decimal import Decimal

        from app.core.money import wan_to_yuan
        from app.keyprojects.models import KeyMonthlyReport

        year = year or key_project.year
        following = date(year + (month == 12), month % 12 + 1, 5)
        return self.add(KeyMonthlyReport(
            key_project_id=key_project.id, year=year, month=month,
            invested=wan_to_yuan(Decimal(invested_wan)), progress=progress,
            reported_on=reported_on or following))

    def key_procedure(self, key_project: Record, kind: str, status: str = "done",
                      done_on=None, applied_on=None, handling_unit: Record | None = None) -> Record:
        """One procedure (前置要件) row; status todo / doing / done / na."""
        from datetime import date

        from app.keyprojects.models import PROCEDURE_KINDS, KeyProcedure

        if status == "done" and done_on is None:
            done_on = date(2026, 1, 10)
        return self.add(KeyProcedure(
            key_project_id=key_project.id, kind=kind, position=PROCEDURE_KINDS.index(kind),
            status=status, done_on=done_on, applied_on=applied_on,
            handling_unit_id=handling_unit.id if handling_unit else None))
