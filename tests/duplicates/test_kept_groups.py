"""The kept duplicate groups (each project's `duplicate_key`, the `duplicate_groups` table) equal
the groups computed from the records the slow way, after any creates, edits, drops, deletions,
merges and imports; the to-do page shows them, and the rebuild command restores them."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, and_, case, cast, distinct, func, or_, select, update

from app.auth.models import User
from app.core import history, scoping
from app.core.cells import CheckedRows
from app.core.db import utcnow
from app.extensions import db
from app.projects import transfer
from app.projects.duplicates import DuplicateGroup, count_duplicate_groups, duplicate_groups, merge
from app.projects.models import Project
from app.projects.names import normalise_investor
from app.projects.services import ProjectData, create_project, drop_project, restore_project

NAMES = ["智能制造产业园", "新能源电池项目", "冷链物流中心"]
INVESTORS = ["华润置地（深圳）有限公司", "华润置地(深圳)", "鑫泰新能源集团", "瑞丰生物医药公司"]
CODES = [None, "91440300MA5G0XH07H", "91440300MA5G0XH15C"]


def _reference() -> dict[str, list[int]]:
    """The groups as the to-do page computed them before they were kept: window counts over
    every live project on each view (docs/domain.md, "Duplicates"), by key, members by id."""
    live = (
        select(
            Project.id,
            Project.unit_id,
            Project.name,
            Project.uscc,
            Project.investor_key,
            func.count().over(partition_by=Project.investor_key).label("key_n"),
            func.count().over(partition_by=Project.uscc).label("code_n"),
            func.min(Project.investor_key).over(partition_by=Project.uscc).label("code_key"),
        )
        .where(Project.deleted_at.is_(None))
        .subquery("live")
    )
    coded = live.c.uscc.is_not(None)
    c = (
        select(
            live.c.id,
            live.c.unit_id,
            live.c.name,
            live.c.uscc,
            case((coded, live.c.code_key), else_=live.c.investor_key).label("group_key"),
        )
        .where(or_(live.c.key_n > 1, and_(coded, live.c.code_n > 1)))
        .subquery("candidates")
    )
    unit_and_name = cast(c.c.unit_id, String) + "|" + c.c.name
    keys = (
        select(c.c.group_key)
        .group_by(c.c.group_key)
        .having(
            func.count() > 1,
            or_(
                func.count(distinct(c.c.unit_id)) > 1,
                func.count(distinct(c.c.uscc)) < func.count(c.c.uscc),
                func.count(distinct(unit_and_name)) < func.count(),
            ),
        )
    )
    rows = db.session.execute(
        select(c.c.group_key, c.c.id).where(c.c.group_key.in_(keys)).order_by(c.c.id)
    ).all()
    groups: dict[str, list[int]] = {}
    for key, pid in rows:
        groups.setdefault(key, []).append(pid)
    return dict(sorted(groups.items()))


def _kept() -> dict[str, list[int]]:
    """The kept groups as the screens read them, by key."""
    sizes = dict(db.session.execute(select(DuplicateGroup.group_key, DuplicateGroup.size)).all())
    groups = duplicate_groups()
    assert count_duplicate_groups() == len(groups) == len(sizes)
    keyed = {}
    for key, members in zip(sorted(sizes), groups, strict=True):
        assert sizes[key] == len(members)
        keyed[key] = [m.id for m in members]
    return keyed


def _data(choice: tuple, units: list[int]) -> ProjectData:
    name, investor, code, unit = choice
    return ProjectData(
        name=NAMES[name], investor_name=INVESTORS[investor], unit_id=units[unit],
        source="其他", industry="工业", uscc=CODES[code],
    )  # fmt: skip


def _live() -> list[Project]:
    stmt = select(Project).where(Project.deleted_at.is_(None)).order_by(Project.id)
    return list(db.session.scalars(stmt))


def _apply(operation: tuple, actor: User, units: list[int]) -> None:
    kind, which, choice = operation
    live = _live()
    if kind == "create" or not live:
        create_project(_data(choice, units), actor, confirm_duplicate=True)
        return
    project = live[which % len(live)]
    name, investor, code, unit = choice
    if kind == "import":
        items = [(2, _data(choice, units)), (3, _data((name, investor, code, 1 - unit), units))]
        checked = CheckedRows(items, [], [], [], [], [])
        transfer.write(transfer.build(checked, actor), actor, "导入")
    elif kind == "investor":
        project.investor_name = INVESTORS[investor]
        project.investor_key = normalise_investor(INVESTORS[investor])
    elif kind == "uscc":
        project.uscc = CODES[code]
    elif kind == "unit":
        project.unit_id = units[unit]
    elif kind == "name":
        project.name = NAMES[name]
    elif kind == "drop":
        drop_project(project, date(2026, 11, 1), "投资方放弃", actor)
    elif kind == "restore":
        restore_project(project, actor)
    elif kind == "delete":
        project.deleted_at = utcnow()
    elif kind == "merge" and len(live) > 1:
        merge(project, live[(which + 1) % len(live)], "重复报送", actor)


CHOICES = st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, 2), st.integers(0, 1))
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "create",
                "import",
                "investor",
                "uscc",
                "unit",
                "name",
                "drop",
                "restore",
                "delete",
                "merge",
            ]
        ),  # fmt: skip
        st.integers(0, 20),
        CHOICES,
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS, flush_each=st.booleans())
@example(  # the USCC's smallest investor key leaves it: the other project's key changes
    operations=[
        ("create", 0, (0, 0, 1, 0)),
        ("create", 0, (1, 2, 1, 1)),
        ("uscc", 0, (0, 0, 0, 0)),
    ],
    flush_each=False,
)
def test_the_kept_groups_equal_the_groups_from_the_records_after_any_writes(
    app, people, operations, flush_each
):
    units = [people["unit_a"].id, people["unit_b"].id]
    with app.app_context():
        actor = db.session.get(User, people["bureau"].id)
        history.set_actor(db.session, actor)
        scoping.set_actor(db.session, actor)
        for operation in operations:
            _apply(operation, actor, units)
            if flush_each:
                db.session.flush()
        db.session.commit()
        assert _kept() == _reference()


def test_the_rebuild_command_restores_lost_groups(app, make, people):
    make.project(people["unit_a"], "项目甲", "华润置地（深圳）有限公司")
    make.project(people["unit_b"], "项目乙", "华润置地(深圳)")
    with app.app_context():
        expected = _reference()
        assert len(expected) == 1 and _kept() == expected
        db.session.execute(update(Project).values(duplicate_key=None))
        db.session.execute(DuplicateGroup.__table__.delete())
        db.session.commit()
        assert _kept() == {}
    result = app.test_cli_runner().invoke(args=["rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert "疑似重复分组已按记录重算" in result.output
    with app.app_context():
        assert _kept() == expected


def test_the_bureau_to_do_page_shows_the_first_groups_with_their_exact_count(
    client, people, login, make
):
    for i in range(12):  # more groups than the section lists
        make.project(people["unit_a"], f"甲{i}号", f"投资方{i}集团")
        make.project(people["unit_b"], f"乙{i}号", f"投资方{i}集团有限公司")
    make.project(people["unit_a"], "丙号", "独家公司")
    login(people["bureau"])
    page = client.get("/").get_data(as_text=True)
    section = page[page.index('data-testid="todo-projects.duplicates"') :]
    section = section[: section.index("</section>")]
    assert 'data-testid="todo-count">12<' in section
    assert "显示 10 / 12 条" in section and 'href="/duplicates/"' in section
    shown = [i for i in range(12) if f"甲{i}号、乙{i}号" in section]
    assert len(shown) == 10 and "丙号" not in section
