"""我的待办: each role's to-do page holds exactly what it should, each item opens where it is
dealt with, the navigation shows the count, and other domains add sections through the
registry."""

from __future__ import annotations

import re

import pytest

from app.todo import TodoItem, TodoProvider, TodoSection, register
from tests.care.conftest import CareFactory
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def only_these_providers(app):
    """The projects' and aftercare's sections only: targets, trips and funds add their own
    sections through the registry and test them in their own suites."""
    providers = app.extensions["crm_todo"]
    for key in list(providers):
        if key not in ("projects", "care"):
            del providers[key]


@pytest.fixture
def world(make, people):
    """One item of every kind for every role, and a few near misses that must not show."""
    care = CareFactory(make)
    d = care.days_ago
    a, b = people["unit_a"], people["unit_b"]
    head = make.leader("张书记", "区委书记", head_kind="party", user=people["leader"])
    care_project = make.project(
        a,
        "城关安商项目",
        "甲公司",
        lead_on=d(90),
        signed_on=d(30),
        leader_id=head.id,
        contract_investment=10_000_000,
    )
    b_project = make.project(b, "北山签约项目", "乙公司", lead_on=d(90), signed_on=d(30))
    make.project(a, "城关滞后线索", "丙公司", lead_on=d(40))
    make.project(
        a, "城关未开工项目", "丁公司", lead_on=d(300), signed_on=d(200), registered_on=d(10)
    )
    make.project(a, "城关重复项目", "乙公司", lead_on=d(0))
    make.follow_up(care_project, people["unit"], d(5), next_step="回访企业", next_due_on=d(0))
    make.follow_up(
        care_project, people["unit"], d(9), next_step="已被新跟进取代", next_due_on=d(1)
    )  # superseded by the newer one above
    make.follow_up(b_project, people["bureau"], d(6), next_step="约见投资方", next_due_on=d(1))
    care.problem(b_project, "交办城关办理", handling_unit=a, deadline=d(-10))
    care.problem(care_project, "北山逾期未办", handling_unit=b, deadline=d(1))
    care.problem(care_project, "尚未交办")
    care.problem(care_project, "上报包保领导", handling_unit=a, deadline=d(-3), level=1)
    care.problem(b_project, "上报主要领导", handling_unit=b, deadline=d(-3), level=2)
    care.problem(care_project, "已经办结", handling_unit=a, deadline=d(3), status="resolved")
    care.commitment(care_project, a, "道路硬化逾期", due_on=d(1))
    care.commitment(care_project, a, "今天到期的承诺", due_on=d(0))
    return {"care_project": care_project, "b_project": b_project}


EXPECTED = {
    "unit": {
        "projects.due_follow_ups": ["回访企业"],
        "care.handed": ["【水电气】上报包保领导", "【水电气】交办城关办理"],
        "care.overdue_elsewhere": ["【水电气】北山逾期未办"],
        "care.overdue_commitments": ["道路硬化逾期"],
        "attention.stalled": ["城关滞后线索"],
        "attention.not_started": ["城关未开工项目"],
    },
    "other_unit": {
        "projects.due_follow_ups": [],
        "care.handed": ["【水电气】北山逾期未办", "【水电气】上报主要领导"],
        "care.overdue_elsewhere": [],
        "care.overdue_commitments": [],
        "attention.stalled": [],
        "attention.not_started": [],
    },
    "bureau": {
        "projects.due_follow_ups": ["约见投资方"],
        "care.unassigned": ["【水电气】尚未交办"],
        "care.overdue": ["【水电气】北山逾期未办"],
        "projects.duplicates": ["北山签约项目、城关重复项目"],
    },
    "leader": {
        "leader.projects": ["城关安商项目"],
        "care.escalated": ["【水电气】上报主要领导", "【水电气】上报包保领导"],
    },
    "admin": {},
    "auditor": {},
}
# The bureau's duplicate group is listed but not counted in the badge (kept to cheap counts).
BADGE = {"unit": 7, "other_unit": 2, "bureau": 3, "leader": 2, "admin": None, "auditor": None}


def sections(page: str) -> dict[str, list[str]]:
    """Section key -> the titles of its items, in order, from the to-do page."""
    out = {}
    for key, body in re.findall(
        r'<section [^>]*data-testid="todo-([^"]+)"(.*?)</section>', page, re.S
    ):
        out[key] = re.findall(r'<a class="fw-semibold text-break" href="[^"]+">([^<]+)</a>', body)
    return out


def links(page: str) -> list[str]:
    return re.findall(r'<a class="fw-semibold text-break" href="([^"]+)">', page)


def badge(page: str) -> int | None:
    found = re.search(r'data-testid="nav-badge"[^>]*>(\d+)<', page)
    return int(found.group(1)) if found else None


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_roles_todo_page_holds_exactly_what_it_should(client, people, login, world, role):
    login(people[role])
    page = client.get("/").get_data(as_text=True)
    assert "我的待办" in page
    assert sections(page) == EXPECTED[role]
    assert badge(page) == BADGE[role]
    # Other pages count without building the sections, and must agree.
    assert badge(client.get("/account/password").get_data(as_text=True)) == BADGE[role]
    for url in links(page):  # every item opens where it is dealt with
        assert client.get(url).status_code == 200, url


def test_admin_and_auditor_keep_their_function_cards(client, people, login):
    login(people["admin"])
    page = client.get("/").get_data(as_text=True)
    assert "账户管理" in page and 'data-testid="todo-' not in page


def test_the_badge_follows_the_work_done(client, people, login, world):
    login(people["other_unit"])
    page = client.get("/care/problems").get_data(as_text=True)
    assert badge(page) == 2  # every page shows it
    problem_id = int(
        re.search(r'href="/care/problems/(\d+)">【水电气】北山逾期未办', page).group(1)
    )
    response = client.post(
        f"/care/problems/{problem_id}/resolve",
        data={"resolution": "已接通", "resolved_on": "", "version": "1"},
    )
    assert "请填写办结日期" in response.get_data(as_text=True)
    from app.core.dates import today

    with client.application.app_context():
        on = str(today())
    client.post(
        f"/care/problems/{problem_id}/resolve",
        data={"resolution": "已接通", "resolved_on": on, "version": "1"},
    )
    page = client.get("/").get_data(as_text=True)
    assert sections(page)["care.handed"] == ["【水电气】上报主要领导"]
    assert badge(page) == 1


def test_a_leader_without_a_linked_record_is_told_so(client, people, login, make):
    login(people["leader"])
    page = client.get("/").get_data(as_text=True)
    assert "尚未关联领导信息" in page


def test_a_district_head_of_a_unit_sees_only_that_units_escalations(
    client, people, login, world, make
):
    head = make.user("zhenzhang", "leader")
    make.leader("北山镇长", "镇长", unit=people["unit_b"], head_kind="government", user=head)
    login(head)
    assert sections(client.get("/").get_data(as_text=True))["care.escalated"] == [
        "【水电气】上报主要领导"
    ]


def test_another_domain_adds_a_section_and_a_count(app, client, people, login):
    def unclaimed_targets(user, on):
        return [
            TodoSection(
                key="targets.unclaimed",
                title="待认领的目标任务",
                items=[TodoItem("2027 年度目标任务", "/", detail="投资促进局已下达")],
                order=80,
            )
        ]

    register(
        app,
        TodoProvider("targets", unclaimed_targets, roles=frozenset({"unit"})),
    )
    login(people["unit"])
    page = client.get("/").get_data(as_text=True)
    assert sections(page)["targets.unclaimed"] == ["2027 年度目标任务"]
    assert badge(page) == 1
    client.post("/logout")
    login(people["bureau"])
    assert "targets.unclaimed" not in sections(client.get("/").get_data(as_text=True))


def test_a_failing_provider_does_not_take_every_page_down(app, client, people, login):
    def broken(user, on):
        raise RuntimeError("boom")

    register(app, TodoProvider("broken", broken, roles=frozenset({"unit"}), count=broken))
    login(people["unit"])
    assert client.get("/care/problems").status_code == 200  # the badge is left out


def test_a_leaders_stalled_projects_come_first_and_count(client, people, login, make):
    care = CareFactory(make)
    leader = make.leader("张书记", "区委书记", head_kind="party", user=people["leader"])
    for name, lead_days in (("正常推进", 5), ("停滞线索", 45)):
        make.project(
            people["unit_a"],
            name,
            name + "公司",
            lead_on=care.days_ago(lead_days),
            leader_id=leader.id,
        )
    login(people["leader"])
    page = client.get("/").get_data(as_text=True)
    assert sections(page)["leader.projects"] == ["停滞线索", "正常推进"]
    assert ">进而不快</span>" in page
    assert badge(page) == 1
    assert badge(client.get("/account/password").get_data(as_text=True)) == 1


def test_a_badge_beyond_99_reads_99_plus_and_the_page_counts_them_all(client, people, login, make):
    from app.core.dates import today

    with client.application.app_context():
        on = today()
    for n in range(101):
        project = make.project(people["unit_a"], name=f"到期跟进项目{n}", investor=f"投资方{n}")
        make.follow_up(project, people["bureau"], on, next_step="回访", next_due_on=on)
    login(people["bureau"])
    other = client.get("/account/password").get_data(as_text=True)
    assert re.search(r'data-testid="nav-badge"[^>]*>99\+<', other)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'data-testid="nav-badge"[^>]*>99\+<', page)
    due = re.search(r'data-testid="todo-projects.due_follow_ups"(.*?)</section>', page, re.S)
    assert due and "101" in due.group(1), due


def test_the_to_do_counts_due_follow_ups_to_a_limit_and_the_due_list_counts_them_all(
    client, people, login, make, monkeypatch
):
    """Past COUNTED_MOST the section reads "1000+" (here 3+, the limit lowered) and links to
    the due list, which counts every one: the page costs the same at 75,000 as at 1,000."""
    from app.core.dates import today
    from app.todo import builtin, registry

    monkeypatch.setattr(registry, "COUNTED_MOST", 3)
    monkeypatch.setattr(builtin, "COUNTED_MOST", 3)
    monkeypatch.setattr(builtin, "SHOWN", 2)
    monkeypatch.setattr(registry, "SHOWN", 2)  # total_of: a full first page is counted
    with client.application.app_context():
        on = today()
    for n in range(5):
        project = make.project(people["unit_a"], name=f"限数跟进项目{n}", investor=f"限数投资{n}")
        make.follow_up(project, people["bureau"], on, next_step="回访", next_due_on=on)
    login(people["bureau"])
    page = client.get("/").get_data(as_text=True)
    due = re.search(r'data-testid="todo-projects.due_follow_ups"(.*?)</section>', page, re.S)
    assert due, page[:3000]
    section = due.group(1)
    assert re.search(r'data-testid="todo-count">3\+<', section)
    assert "显示 2 / 3+ 条" in section and 'href="/projects/follow-ups/due"' in section
    assert re.search(r'data-testid="todo-waiting">\s*<span[^>]*>3\+</span>', page)
    listing = client.get("/projects/follow-ups/due").get_data(as_text=True)
    assert re.search(r'data-testid="list-total">5<', listing), listing[:3000]


def test_a_unit_with_many_stalled_projects_sees_the_most_overdue_first_and_the_exact_count(
    app, client, people, login, make
):
    from sqlalchemy import event

    from app.extensions import db
    from app.todo.registry import SHOWN

    care = CareFactory(make)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):  # leads, each 31 + n days in the stage
            make.project(people["unit_a"], f"滞后线索{n:02d}", f"滞后公司{n}",
                         lead_on=care.days_ago(31 + n))  # fmt: skip

    def todo_page() -> tuple[str, int]:
        statements = []
        with app.app_context():
            listen = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listen)
            try:
                page = client.get("/").get_data(as_text=True)
            finally:
                event.remove(db.engine, "before_cursor_execute", listen)
        return page, len(statements)

    login(people["unit"])
    add(SHOWN + 3, 0)
    page, queries = todo_page()
    stalled = re.search(r'data-testid="todo-attention.stalled"(.*?)</section>', page, re.S)
    shown = sections(page)["attention.stalled"]
    assert shown == [f"滞后线索{n:02d}" for n in range(SHOWN + 2, 2, -1)]  # most days over first
    assert f"显示 {SHOWN} / {SHOWN + 3} 条" in stalled.group(1)
    listed = client.get("/care/stalled").get_data(as_text=True)
    assert re.search(rf'data-testid="list-total">{SHOWN + 3}<', listed)  # the same count
    add(2 * SHOWN, SHOWN + 3)
    page, more_queries = todo_page()
    assert f"显示 {SHOWN} / {3 * SHOWN + 3} 条" in page
    assert more_queries == queries  # the first few and a count, however many there are


def test_the_badge_is_kept_between_pages_and_counted_afresh_after_a_change_or_a_new_day(
    app, client, people, login, make, world, pinned_clock
):
    from datetime import timedelta

    from sqlalchemy import select

    from app.core.db import utcnow
    from app.extensions import db
    from app.projects.models import Project
    from tests.perf.test_query_counts import counted

    colleague = make.user("tongshi", "unit", unit=people["unit_a"])
    tomorrow = CareFactory(make).days_ago(-1)
    due_tomorrow = make.project(people["unit_a"], "城关明日回访项目", "戊公司",
                                lead_on=tomorrow - timedelta(days=1))  # fmt: skip
    make.follow_up(due_tomorrow, people["unit"], tomorrow - timedelta(days=2),
                   next_step="明日回访", next_due_on=tomorrow)  # fmt: skip
    login(people["unit"])
    page = "/account/password"
    assert badge(client.get(page).get_data(as_text=True)) == BADGE["unit"]
    with counted(app) as kept:
        assert badge(client.get(page).get_data(as_text=True)) == BADGE["unit"]
    app.extensions.pop("crm_kept")  # what a page costs when the badge is counted
    with counted(app) as fresh:
        assert badge(client.get(page).get_data(as_text=True)) == BADGE["unit"]
    assert len(kept) + 5 <= len(fresh), (kept, fresh)  # six providers' counts not run again

    # Another user never reads this user's kept count: of another unit, nor of the same unit
    # (the due follow-up 回访企业 is this user's own).
    for user, expected in ((people["other_unit"], BADGE["other_unit"]),
                           (colleague, BADGE["unit"] - 1)):  # fmt: skip
        other = app.test_client()
        other.post("/login", data={"username": user.username, "password": PASSWORD})
        assert badge(other.get(page).get_data(as_text=True)) == expected

    # A change committed anywhere (here outside any request, as another process would):
    with app.app_context():
        gone = db.session.scalar(select(Project).where(Project.name == "城关未开工项目"))
        gone.deleted_at = utcnow()
        db.session.commit()
    assert badge(client.get(page).get_data(as_text=True)) == BADGE["unit"] - 1

    # The next morning the follow-up falls due: the kept count of yesterday is not reused.
    pinned_clock.shift(timedelta(days=1))
    morning = app.test_client()  # yesterday's session has lapsed
    morning.post("/login", data={"username": people["unit"].username, "password": PASSWORD})
    assert badge(morning.get(page).get_data(as_text=True)) == BADGE["unit"] - 1 + 2
    shown = sections(morning.get("/").get_data(as_text=True))  # the two that fell due overnight:
    assert "明日回访" in shown["projects.due_follow_ups"]
    assert "今天到期的承诺" in shown["care.overdue_commitments"]


def test_the_page_is_kept_between_views_and_built_afresh_after_a_change_or_a_new_day(
    app, client, people, login, make, world, pinned_clock
):
    from datetime import timedelta

    from sqlalchemy import select

    from app.core.db import utcnow
    from app.extensions import db
    from app.projects.models import Project
    from tests.perf.test_query_counts import counted

    colleague = make.user("tongshi", "unit", unit=people["unit_a"])
    login(people["unit"])
    assert sections(client.get("/").get_data(as_text=True)) == EXPECTED["unit"]
    with counted(app) as kept:
        again = client.get("/").get_data(as_text=True)
    assert sections(again) == EXPECTED["unit"] and badge(again) == BADGE["unit"]
    app.extensions.pop("crm_kept")  # what the page costs when its sections are built
    with counted(app) as fresh:
        assert sections(client.get("/").get_data(as_text=True)) == EXPECTED["unit"]
    assert len(kept) + 10 <= len(fresh), (kept, fresh)  # the sections' queries not run again

    # Another user never reads this user's kept page: of another unit, nor of the same unit
    # (the due follow-up 回访企业 is this user's own).
    own = {**EXPECTED["unit"], "projects.due_follow_ups": []}
    for user, expected in ((people["other_unit"], EXPECTED["other_unit"]), (colleague, own)):
        other = app.test_client()
        other.post("/login", data={"username": user.username, "password": PASSWORD})
        assert sections(other.get("/").get_data(as_text=True)) == expected, user.username

    # A change committed anywhere (here outside any request, as another process would):
    with app.app_context():
        gone = db.session.scalar(select(Project).where(Project.name == "城关未开工项目"))
        gone.deleted_at = utcnow()
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert sections(page)["attention.not_started"] == [] and badge(page) == BADGE["unit"] - 1

    # The next morning the commitment due today is overdue: yesterday's page is not reused.
    pinned_clock.shift(timedelta(days=1))
    morning = app.test_client()  # yesterday's session has lapsed
    morning.post("/login", data={"username": people["unit"].username, "password": PASSWORD})
    shown = sections(morning.get("/").get_data(as_text=True))
    assert shown["care.overdue_commitments"] == ["道路硬化逾期", "今天到期的承诺"]
