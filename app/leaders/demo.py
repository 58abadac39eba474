"""Demo leaders: the district's 党政一把手, 副区长 as 包保领导, and a few towns' heads."""

from __future__ import annotations

from app.auth.models import User
from app.core import history
from app.extensions import db
from app.leaders.models import Leader
from app.units.models import Unit

# (name, post, jurisdiction unit or None for the district, head_kind, 包保领导, demo username)
DEMO_LEADERS = [
    ("张建华", "区委书记", None, "party", True, "quwei"),
    ("黄志刚", "区长", None, "government", True, "quzhang"),
    ("李明华", "区委常委、常务副区长", None, None, True, None),
    ("王振宇", "副区长", None, None, True, None),
    ("陈慧敏", "副区长", None, None, True, None),
    ("刘国强", "副区长", None, None, True, None),
    ("周晓峰", "副区长", None, None, True, None),
    ("杨立新", "城关街道党工委书记", "城关街道", "party", False, None),
    ("何静", "城关街道办事处主任", "城关街道", "government", False, None),
    ("孙海涛", "北山镇党委书记", "北山镇", "party", False, None),
    ("马俊", "北山镇镇长", "北山镇", "government", False, None),
    ("郭文斌", "青石镇党委书记", "青石镇", "party", False, None),
    ("罗春燕", "青石镇镇长", "青石镇", "government", False, None),
    ("谢卫国", "经济技术开发区党工委书记", "经济技术开发区", "party", True, None),
    ("韩磊", "经济技术开发区管委会主任", "经济技术开发区", "government", True, None),
]


def seed(units: dict[str, Unit], users: dict[str, User]) -> dict[str, Leader]:
    """Add the demo leaders, linking 张书记 and 黄区长 to their accounts; return them by name."""
    leaders = {}
    for name, post, unit_name, head_kind, baobao, username in DEMO_LEADERS:
        leaders[name] = Leader(
            name=name,
            post=post,
            unit_id=units[unit_name].id if unit_name else None,
            head_kind=head_kind,
            is_baobao=baobao,
            active=True,
            user_id=users[username].id if username in users else None,
        )
        db.session.add(leaders[name])
    history.note_reason(db.session, "演示数据")
    db.session.flush()
    return leaders


def district_baobao(leaders: dict[str, Leader]) -> list[Leader]:
    """The district-level 包保领导, heads first (the projects' responsible leaders)."""
    return [leader for leader in leaders.values() if leader.unit_id is None and leader.is_baobao]
