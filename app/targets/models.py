"""The Target table: one unit's targets for one year, and who claimed (认领) them when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    DateTime,
    ForeignKey,
    Integer,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, TimestampMixin, VersionedMixin
from app.core.money import format_wan
from app.core.scoping import UnitScoped
from app.units.models import Unit


@dataclass(frozen=True)
class Measure:
    """One kind of target: its column, label, unit, whether it is money, the funds origin."""

    key: str
    label: str
    short: str
    money: bool
    origin: str | None = None

    @property
    def unit_label(self) -> str:
        return "万元" if self.money else "个"

    @property
    def header(self) -> str:
        return f"{self.label}（{self.unit_label}）"


MEASURES: tuple[Measure, ...] = (
    Measure("signed_count", "签约项目", "签约项目", False),
    Measure("signed_investment", "签约投资额", "签约额", True),
    Measure("funds_total", "到位资金", "到位资金", True),
    Measure("funds_out_of_province", "国内省外到位资金", "国内省外", True, "国内省外"),
    Measure("funds_out_of_city", "省内市外到位资金", "省内市外", True, "省内市外"),
    Measure("funds_out_of_district", "市内区外到位资金", "市内区外", True, "市内区外"),
    Measure("funds_foreign", "外资到位资金", "外资", True, "外资"),
    Measure("big_count", "亿元以上项目", "亿元以上", False),
    Measure("started_count", "开工项目", "开工项目", False),
)
BY_KEY = {m.key: m for m in MEASURES}
FUNDS_KEY = "funds_total"  # the measure units are ranked by (docs/domain.md, "Ranking and 红黑榜")
OPTIONAL_KEYS = frozenset(m.key for m in MEASURES if m.origin)  # shown only where set


ORIGIN_KEYS = tuple(m.key for m in MEASURES if m.origin)


def origin_problems(values: dict[str, int | None]) -> dict[str, str]:
    """Per-origin funds targets above the unit's total funds target, by measure key."""
    total = values.get(FUNDS_KEY)
    if not total:
        return {}
    return {
        key: f"{BY_KEY[key].label}目标不能大于到位资金总目标（{format_wan(total)} 万元）"
        for key in ORIGIN_KEYS
        if (values.get(key) or 0) > total
    }


def origin_note(values: dict[str, int | None]) -> str | None:
    """"分来源目标合计 N 万元，与到位资金总目标 M 万元不一致" when every origin's target is set
    (0 included) and they do not add up to the total; a partial set is not a disagreement."""
    total = values.get(FUNDS_KEY)
    parts = [values.get(k) for k in ORIGIN_KEYS]
    if not total or any(part is None for part in parts) or sum(parts) == total:
        return None
    return (
        f"分来源目标合计 {format_wan(sum(parts))} 万元，"
        f"与到位资金总目标 {format_wan(total)} 万元不一致"
    )


def _nonnegative(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IS NULL OR {column} >= 0", name=f"{column}_nonnegative")


class Target(UnitScoped, TimestampMixin, VersionedMixin, Base):
    """A unit's targets for a year; counts as integers, amounts as whole 元, empty = not set."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", name="uq_targets_unit_year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        *(_nonnegative(m.key) for m in MEASURES),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    signed_count: Mapped[int | None] = mapped_column(Integer)
    signed_investment: Mapped[int | None] = mapped_column(BigInteger)
    funds_total: Mapped[int | None] = mapped_column(BigInteger)
    funds_out_of_province: Mapped[int | None] = mapped_column(BigInteger)
    funds_out_of_city: Mapped[int | None] = mapped_column(BigInteger)
    funds_out_of_district: Mapped[int | None] = mapped_column(BigInteger)
    funds_foreign: Mapped[int | None] = mapped_column(BigInteger)
    big_count: Mapped[int | None] = mapped_column(Integer)
    started_count: Mapped[int | None] = mapped_column(Integer)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit] = relationship(lazy="joined")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id], lazy="joined")

    @classmethod
    def unit_scope(cls, unit_id: int) -> ColumnElement[bool]:
        """A unit sees its own targets."""
        return cls.unit_id == unit_id

    def value(self, key: str) -> int | None:
        """The target of one measure (a count, or whole 元)."""
        return getattr(self, BY_KEY[key].key)

    @property
    def is_empty(self) -> bool:
        return all(not self.value(m.key) for m in MEASURES)

    @property
    def claimed(self) -> bool:
        return self.claimed_at is not None

    @property
    def origin_note(self) -> str | None:
        """Where per-origin funds targets are set but do not add up to the total, say so (a
        city may hand down only some origins, so this is a note, not an error)."""
        return origin_note({m.key: self.value(m.key) for m in MEASURES})

    def history_label(self) -> str:
        return f"{self.year}年目标任务（单位 {self.unit_id}）"

    def __repr__(self) -> str:
        return f"<Target {self.unit_id} {self.year}>"
