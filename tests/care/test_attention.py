"""Stalled (进而不快), not started in time (超时限未开工), overdue problems and the problem board,
at the boundary days and with the settings overridden."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


def _table(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</table>", start)]


def _over(table: str) -> dict[str, int]:
    """Project name -> days over, from a stalled or not-started table."""
    rows = re.findall(
        r'<a href="/projects/\d+">([^<]+)</a>.*?text-danger fw-semibold"[^>]*>(\d+)<', table, re.S
    )
    return {name: int(days) for name, days in rows}


@pytest.fixture
def stages(make, people, care):
    """Projects of unit A sitting in a stage exactly at, or one day past, its default limit."""
    a, d = people["unit_a"], care.days_ago
    return {
        "线索30": make.project(a, name="线索30", lead_on=d(30)),
        "线索31": make.project(a, name="线索31", lead_on=d(31)),
        "洽谈90": make.project(a, name="洽谈90", lead_on=d(200), negotiating_on=d(90)),
        "洽谈91": make.project(a, name="洽谈91", lead_on=d(200), negotiating_on=d(91)),
        "签约60": make.project(a, name="签约60", lead_on=d(100), signed_on=d(60)),
        "签约61": make.project(a, name="签约61", lead_on=d(100), signed_on=d(61)),
        "开工365": make.project(
            a, name="开工365", lead_on=d(900), signed_on=d(800), started_on=d(365)
        ),
        "开工366": make.project(
            a, name="开工366", lead_on=d(900), signed_on=d(800), started_on=d(366)
        ),
        "投产": make.project(
            a, name="投产", lead_on=d(900), signed_on=d(800), started_on=d(700), operating_on=d(600)
        ),
        "已终止": make.project(a, name="已终止", lead_on=d(300), dropped_on=d(5), drop_reason="x"),
    }


def test_a_project_is_stalled_the_day_after_its_stage_limit(client, people, login, stages):
    login(people["bureau"])
    over = _over(_table(client.get("/care/stalled").get_data(as_text=True), "stalled-table"))
    assert over == {"线索31": 1, "洽谈91": 1, "签约61": 1, "开工366": 1}


@pytest.mark.parametrize(
    "app_config",
    [{"STAGE_TIME_LIMITS": {"lead": 10, "negotiating": 200, "signed": 60, "started": 365}}],
    indirect=True,
)
def test_the_stage_limits_come_from_the_settings(client, people, login, stages):
    login(people["bureau"])
    page = client.get("/care/stalled").get_data(as_text=True)
    over = _over(_table(page, "stalled-table"))
    assert over == {"线索30": 20, "线索31": 21, "签约61": 1, "开工366": 1}
    assert "线索 10" in page  # the limits in force are shown


def test_signed_but_not_started_after_180_days(client, people, login, make, care):
    a, d = people["unit_a"], care.days_ago
    make.project(a, name="签约180", lead_on=d(300), signed_on=d(180), registered_on=d(10))
    make.project(a, name="签约181", lead_on=d(300), signed_on=d(181), registered_on=d(10))
    make.project(a, name="已开工", lead_on=d(300), signed_on=d(250), started_on=d(10))
    login(people["unit"])
    page = client.get("/care/stalled").get_data(as_text=True)
    assert _over(_table(page, "late-table")) == {"签约181": 1}


@pytest.mark.parametrize("app_config", [{"NOT_STARTED_LIMIT_DAYS": 90}], indirect=True)
def test_the_start_limit_comes_from_the_settings(client, people, login, make, care):
    d = care.days_ago
    make.project(people["unit_a"], name="签约100", lead_on=d(300), signed_on=d(100))
    login(people["unit"])
    page = client.get("/care/stalled").get_data(as_text=True)
    assert _over(_table(page, "late-table")) == {"签约100": 10}
    assert "签约后超过 90 天仍未开工" in page


def test_a_unit_sees_only_its_own_stalled_projects(client, people, login, stages, make, care):
    make.project(people["unit_b"], name="北山镇线索", lead_on=care.days_ago(99))
    login(people["other_unit"])
    page = client.get("/care/stalled").get_data(as_text=True)
    assert set(_over(_table(page, "stalled-table"))) == {"北山镇线索"}
    assert "线索31" not in page


def test_stalled_lists_filter_by_leader_and_show_the_last_follow_up(
    client, people, login, make, care
):
    leader = make.leader("王副区长", "副区长", head_kind=None)
    d = care.days_ago
    mine = make.project(people["unit_a"], name="王区长包保", lead_on=d(50), leader_id=leader.id)
    make.project(people["unit_a"], name="无人包保", lead_on=d(50))
    make.follow_up(mine, people["unit"], happened_on=d(45))
    login(people["bureau"])
    page = client.get(f"/care/stalled?leader_id={leader.id}").get_data(as_text=True)
    table = _table(page, "stalled-table")
    assert "王区长包保" in table and "无人包保" not in table
    assert str(d(45)) in table and "王副区长" in table


@pytest.mark.parametrize("role", ["bureau", "unit"])
def test_the_last_follow_up_is_the_latest_one_not_deleted(
    app, client, people, login, make, care, role
):
    """Read the index backwards, under a unit's scope too: neither an older nor a deleted one."""
    from app.core.db import utcnow
    from app.extensions import db
    from app.projects.models import FollowUp

    d = care.days_ago
    project = make.project(people["unit_a"], name="三次跟进的线索", lead_on=d(60))
    for day in (50, 44, 47):
        make.follow_up(project, people["unit"], happened_on=d(day))
    deleted = make.follow_up(project, people["unit"], happened_on=d(41))
    with app.app_context():
        db.session.get(FollowUp, deleted.id).deleted_at = utcnow()
        db.session.commit()
    login(people[role])
    table = _table(client.get("/care/stalled").get_data(as_text=True), "stalled-table")
    assert str(d(44)) in table
    assert str(d(41)) not in table and str(d(47)) not in table and str(d(50)) not in table


def test_a_problem_is_overdue_the_day_after_its_deadline(client, people, login, signed, care, make):
    a, d = people["unit_a"], care.days_ago
    care.problem(signed, "今天到期", handling_unit=a, deadline=d(0))
    care.problem(signed, "昨天到期", handling_unit=a, deadline=d(1))
    care.problem(signed, "已办结", handling_unit=a, deadline=d(9), status="resolved")
    care.problem(signed, "无期限")
    dropped = make.project(a, name="终止项目", lead_on=d(50), dropped_on=d(1), drop_reason="x")
    care.problem(dropped, "终止项目的问题", handling_unit=a, deadline=d(9))
    login(people["unit"])
    page = client.get("/care/problems?state=overdue").get_data(as_text=True)
    page = _table(page, "problem-table")
    assert "昨天到期" in page and "逾期 1 天" in page
    for name in ("今天到期", "已办结", "无期限", "终止项目的问题"):
        assert name not in page


def test_the_problem_board_per_handling_unit(client, people, login, signed, care):
    a, b, d = people["unit_a"], people["unit_b"], care.days_ago
    care.problem(signed, "逾期", handling_unit=a, deadline=d(1))
    care.problem(signed, "未到期", handling_unit=a, deadline=d(-5), status="in_progress")
    care.problem(
        signed,
        "按期",
        handling_unit=a,
        raised_on=d(10),
        deadline=d(2),
        status="resolved",
        resolved_on=d(4),
    )  # 6 days
    care.problem(
        signed,
        "超期",
        handling_unit=a,
        raised_on=d(20),
        deadline=d(12),
        status="resolved",
        resolved_on=d(5),
    )  # 15 days
    care.problem(
        signed,
        "北山",
        handling_unit=b,
        raised_on=d(9),
        deadline=d(3),
        status="resolved",
        resolved_on=d(9),
    )  # 0 days
    care.problem(signed, "待交办")
    login(people["bureau"])
    page = client.get("/care/problems/board").get_data(as_text=True)
    cells = {
        name: re.sub(r"<[^>]+>|\s+", " ", row).split()
        for name, row in re.findall(
            r'<tr data-testid="board-row">\s*<td>([^<]+)</td>(.*?)</tr>', page, re.S
        )
    }
    # 未办结, 其中办理中, 逾期, 已办结, 按期, 超期, 按期办结率, 平均办理天数
    assert cells["城关街道"] == ["2", "1", "1", "2", "1", "1", "50.0%", "10.5"]
    assert cells["北山镇"] == ["0", "0", "0", "1", "1", "0", "100.0%", "0.0"]
    assert cells["未交办"] == ["1", "0", "0", "0", "0", "0", "—", "—"]
    foot = re.sub(r"<[^>]+>|\s+", " ", page[page.index("<tfoot") : page.index("</tfoot>")])
    assert foot.split()[1:] == ["3", "1", "1", "3", "2", "1", "66.7%", "7.0"]


def test_the_board_is_for_the_bureau_and_leaders(client, people, login):
    login(people["unit"])
    assert client.get("/care/problems/board").status_code == 403
