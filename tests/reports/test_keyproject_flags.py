"""The 三类现象 (包而不推, 推而不进, 进而不快) per key project and per 包保领导, with why, as of
the period's end (docs/domain.md, "The key-project figures")."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from app.care.models import CareVisit, Problem
from app.reports.figures import keyprojects as kf
from app.reports.figures.period import Period

BUREAU = SimpleNamespace(role="bureau", unit_id=None, is_authenticated=True, id=None)
OCTOBER = Period(2026, 10)  # as of 31 October; IDLE_DAYS 30: activity from 1 October counts


def ledger_of(app, period: Period = OCTOBER, actor=BUREAU) -> kf.KeyLedger:
    with app.app_context():
        return kf.key_ledger(actor, period)


def flags_of(app, name: str, period: Period = OCTOBER) -> tuple[str, ...]:
    return next(r for r in ledger_of(app, period).rows if r.key_project.name == name).flags


def monthly(make, kp, months, wan="100", progress=None, reported_on=None):
    for m in months:
        make.key_report(kp, m, invested_wan=wan, progress=progress or f"{m}月形象进度",
                        reported_on=reported_on)


@pytest.fixture
def district(make, people):
    """Plans of 1,200 万 (100 万 a month keeps pace: 1—10月 1,000 万 = 83.33 %, lag 0, green).

    正常项目: reported every month (September's entered 5 October), progress changing: no flag.
    不推项目: reports entered by 15 September at the latest, its 招商 project (北山镇's) last
      followed up on 20 September: 包而不推, last activity 20 September.
    断供项目: 125 万 a month for 1—8月, September reported 0, October none: 推而不进 (2 months).
    原地项目: started, 100 万 a month, the last three 形象进度 texts equal: 推而不进.
    慢项目: 50 万 a month: 500 万 = 41.67 %, lag 41.67 > 10: 进而不快.
    竣工项目: completed on 30 September with nothing reported: exempt from every flag.
    王区长 is 包保领导 of 正常项目 and 不推项目; 李副区长 only of 正常项目二."""
    a, b = people["unit_a"], people["unit_b"]
    wang = make.leader("王区长", "区长", head_kind="government")
    li = make.leader("李副区长", "副区长", head_kind=None)
    started = date(2025, 5, 1)
    kw = {"plan_wan": "1200", "started_on": started}
    normal = make.key_project(a, "正常项目", leader_id=wang.id, **kw)
    monthly(make, normal, range(1, 11))
    normal2 = make.key_project(a, "正常项目二", leader_id=li.id, **kw)
    monthly(make, normal2, range(1, 11))
    investor = make.project(b, "北山招商项目", "北山投资有限公司")
    idle = make.key_project(a, "不推项目", leader_id=wang.id, project_id=investor.id, **kw)
    monthly(make, idle, range(1, 10), reported_on=date(2026, 9, 15))
    make.follow_up(investor, people["other_unit"], date(2026, 9, 20))
    dry = make.key_project(a, "断供项目", **kw)
    monthly(make, dry, range(1, 9), wan="125")
    make.key_report(dry, 9, invested_wan="0")
    same = make.key_project(a, "原地项目", **kw)
    monthly(make, same, range(1, 8))
    monthly(make, same, range(8, 11), progress="主体施工")
    slow = make.key_project(a, "慢项目", **kw)
    monthly(make, slow, range(1, 11), wan="50")
    make.key_project(a, "竣工项目", plan_wan="1200", started_on=date(2025, 5, 1),
                     completed_on=date(2026, 9, 30))
    return SimpleNamespace(wang=wang, li=li, idle=idle, investor=investor, dry=dry, same=same,
                           slow=slow, normal=normal)


def test_each_phenomenon_is_found_and_a_healthy_project_has_none(app, district):
    ledger = ledger_of(app)
    flags = {r.key_project.name: r.flags for r in ledger.rows}
    assert flags == {
        "正常项目": (),
        "正常项目二": (),
        "不推项目": ("idle",),
        "断供项目": ("stuck",),
        "原地项目": ("stuck",),
        "慢项目": ("slow",),
        "竣工项目": (),
    }
    rows = {r.key_project.name: r for r in ledger.rows}
    assert (rows["不推项目"].last_activity_on, rows["不推项目"].last_activity) == (
        date(2026, 9, 20), "跟进记录")
    assert rows["正常项目"].last_activity_on == date(2026, 10, 5)
    assert rows["断供项目"].months_without_investment == 2
    assert rows["原地项目"].progress_unchanged and rows["原地项目"].months_without_investment == 0
    assert str(rows["慢项目"].lag) == "41.67"


def test_a_leader_is_flagged_with_each_kind_any_of_their_projects_shows(app, district):
    leaders = {g.label: g for g in ledger_of(app).leaders}
    assert leaders["王区长"].flags == ("idle",)
    assert leaders["李副区长"].flags == ()
    assert leaders[kf.NO_LEADER].flags == ("stuck", "slow")


def test_the_flags_page_says_why_and_links_to_the_records(app, district, people, login):
    client = login(people["bureau"])
    text = client.get("/key-projects/figures/flags").get_data(as_text=True)
    assert "最近一次工作记录：2026-09-20（跟进记录）" in text
    assert "连续 2 个月未完成投资" in text
    assert "最近三次形象进度未变化：“主体施工”" in text
    assert "落后时间进度 41.67 个百分点" in text
    idle_row = text.split(f'data-key-project="{district.idle.id}"')[1].split("</tr>")[0]
    assert 'data-flag="idle"' in idle_row and 'data-flag="stuck"' not in idle_row
    assert f'data-key-project="{district.normal.id}"' not in text  # only flagged projects
    leader_row = text.split(f'data-leader="{district.wang.id}"')[1].split("</tr>")[0]
    assert f"leader_id={district.wang.id}" in leader_row and 'data-flag="idle"' in leader_row
    listed = client.get(f"/key-projects/figures/records?key=idle&year=2026&month=10"
                        f"&leader_id={district.wang.id}").get_data(as_text=True)
    assert "共 <strong>1</strong> 个项目" in listed and "不推项目" in listed


@pytest.mark.parametrize("kind", ["visit", "problem_on_key", "problem_on_project", "report"])
def test_any_entry_by_the_team_within_idle_days_clears_idle(app, make, district, people, kind):
    from app.core import history
    from app.extensions import db

    on = date(2026, 10, 1)  # exactly IDLE_DAYS before 31 October: still within
    if kind == "report":
        make.key_report(district.idle, 10, invested_wan="100", reported_on=on)
    else:
        with app.app_context():
            history.set_actor(db.session, None)
            if kind == "visit":
                db.session.add(CareVisit(project_id=district.investor.id, visited_on=on,
                                         visitors="王区长", notes="现场办公"))
            else:
                subject = ({"key_project_id": district.idle.id} if kind == "problem_on_key"
                           else {"project_id": district.investor.id})
                db.session.add(Problem(category="用地", description="用地指标", raised_on=on,
                                       **subject))
            db.session.commit()
    assert "idle" not in flags_of(app, "不推项目")


def test_activity_after_the_as_of_day_does_not_count(app, make, district, people):
    make.follow_up(district.investor, people["other_unit"], date(2026, 11, 2))
    assert "idle" in flags_of(app, "不推项目")
    assert "idle" not in flags_of(app, "不推项目", Period(2026, 11))


def test_a_month_with_investment_ends_the_run_of_months_without(app, make, district):
    make.key_report(district.dry, 10, invested_wan="1")
    assert flags_of(app, "断供项目") == ()
    assert flags_of(app, "断供项目", Period(2026, 9)) == ()  # one month without is not two


def test_unchanged_progress_of_a_project_not_started_is_not_stuck(app, make, people):
    kp = make.key_project(people["unit_a"], "未开工项目", plan_wan="1200", category="前期")
    monthly(make, kp, range(1, 11), progress="办理前期手续")
    assert "stuck" not in flags_of(app, "未开工项目")


def test_a_unit_sees_only_its_own_flags(app, district, make, people, login):
    theirs = make.key_project(people["unit_b"], "北山项目", plan_wan="1200",
                              started_on=date(2025, 1, 1))
    client = login(people["other_unit"])
    text = client.get("/key-projects/figures/flags").get_data(as_text=True)
    assert f'data-key-project="{theirs.id}"' in text
    for name in ("不推项目", "断供项目", "原地项目", "慢项目", "王区长"):
        assert name not in text
    listed = client.get("/key-projects/figures/records?key=slow&year=2026&month=10")
    assert "共 <strong>1</strong> 个项目" in listed.get_data(as_text=True)


def test_a_project_with_no_investment_planned_this_year_is_not_stuck_for_reporting_none(
    app, make, people
):
    from datetime import date

    from app.core import scoping
    from app.extensions import db
    from app.reports.figures.keyprojects import key_ledger
    from app.reports.figures.period import Period

    kp = make.key_project(people["unit_a"], name="老城区片区前期", category="前期",
                          plan_wan="0", planned_start_on=date(2027, 3, 1))
    make.key_report(kp, 10, invested_wan="0", progress="编制可研报告")
    with app.test_request_context():
        scoping.set_actor(db.session, people["bureau"])
        row = key_ledger(people["bureau"], Period(2026, 10)).rows[0]
    assert row.months_without_investment == 10
    assert "stuck" not in row.flags
