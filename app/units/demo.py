"""Demo units: real-sounding 乡镇街道, 区直部门, 园区 and 招商联络处."""

from __future__ import annotations

from app.extensions import db
from app.units.models import Unit

DEMO_UNITS = {
    "乡镇街道": [
        "城关街道",
        "东城街道",
        "西城街道",
        "南湖街道",
        "北山镇",
        "青石镇",
        "柳河镇",
        "白马镇",
        "双河镇",
        "龙泉镇",
        "金沙镇",
        "桃源乡",
    ],
    "区直部门": [
        "区发展和改革局",
        "区工业和信息化局",
        "区商务局",
        "区科学技术局",
        "区农业农村局",
        "区文化和旅游局",
        "区住房和城乡建设局",
        "区自然资源局",
        "区市场监督管理局",
    ],
    "园区": [
        "经济技术开发区",
        "高新技术产业园",
        "现代农业产业园",
        "临港物流园",
        "电子信息产业园",
        "文化创意产业园",
    ],
    "其他": ["驻深圳招商联络处", "驻上海招商联络处", "驻杭州招商联络处"],
}


def seed() -> dict[str, Unit]:
    """Add the demo units; return them by name."""
    units = {}
    for kind, names in DEMO_UNITS.items():
        for name in names:
            units[name] = Unit(name=name, kind=kind, active=True)
            db.session.add(units[name])
    db.session.flush()
    return units
