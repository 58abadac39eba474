"""Demo promotion events, 2024-2026: 推介会, expos, 座谈会, 考察, 集中签约 and 集中开工."""

from __future__ import annotations

from datetime import date

from app.auth.models import User
from app.core import history
from app.events.models import PromotionEvent
from app.extensions import db
from app.units.models import Unit

LOCAL = "本区"

# (name, kind, city, held on, host unit or None for the bureau, notes)
DEMO_EVENTS = [
    (
        "2024 深圳招商推介会",
        "推介会",
        "深圳市",
        date(2024, 3, 20),
        None,
        "区委书记带队，推介电子信息、新能源汽车零部件产业链",
    ),
    (
        "2024 长三角（上海）招商推介会",
        "推介会",
        "上海市",
        date(2024, 5, 16),
        "驻上海招商联络处",
        None,
    ),
    ("2024 年第一批重点项目集中签约仪式", "集中签约", LOCAL, date(2024, 6, 28), None, None),
    (
        "2024 杭州数字经济产业对接座谈会",
        "座谈会",
        "杭州市",
        date(2024, 9, 12),
        "驻杭州招商联络处",
        None,
    ),
    (
        "第七届中国国际进口博览会",
        "展会",
        "上海市",
        date(2024, 11, 6),
        None,
        "组团参展洽谈，对接外资企业",
    ),
    (
        "2025 深圳电子信息产业招商推介会",
        "推介会",
        "深圳市",
        date(2025, 3, 18),
        "电子信息产业园",
        None,
    ),
    (
        "2025 粤港澳大湾区产业对接会",
        "推介会",
        "广州市",
        date(2025, 4, 22),
        None,
        "区长带队，签约项目 12 个",
    ),
    ("2025 苏州生物医药企业考察", "考察", "苏州市", date(2025, 6, 10), "高新技术产业园", None),
    ("北山镇农产品精深加工企业座谈会", "座谈会", LOCAL, date(2025, 7, 8), "北山镇", None),
    ("2025 年重点项目集中开工仪式", "集中开工", LOCAL, date(2025, 9, 26), None, None),
    ("第八届中国国际进口博览会", "展会", "上海市", date(2025, 11, 5), None, None),
    ("城关街道文旅康养项目推介会", "推介会", LOCAL, date(2026, 3, 27), "城关街道", None),
    ("2026 长三角招商推介会", "推介会", "上海市", date(2026, 4, 15), None, None),
    ("2026 年项目集中签约仪式", "集中签约", LOCAL, date(2026, 6, 18), None, None),
    ("2026 深圳招商推介会", "推介会", "深圳市", date(2026, 9, 16), "驻深圳招商联络处", None),
]


def seed(units: dict[str, Unit], users: dict[str, User]) -> dict[str, PromotionEvent]:
    """Add the demo events; return them by name."""
    events = {}
    for name, kind, city, held_on, host, notes in DEMO_EVENTS:
        events[name] = PromotionEvent(
            name=name,
            kind=kind,
            city=city,
            held_on=held_on,
            host_unit_id=units[host].id if host else None,
            notes=notes,
        )
        db.session.add(events[name])
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    return events
