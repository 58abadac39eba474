"""The monthly roll-ups stay equal to the figures computed from the records after every kind
of write, the dashboard reads them without changing a number, and a unit user reads only
their unit's cells."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, update

from app.auth.models import User
from app.core import scoping
from app.extensions import db
from app.funds import services as funds_services
from app.funds.models import FundsEntry, evidence_key
from app.funds.services import EntryData
from app.imports.models import ImportBatch
from app.projects import duplicates
from app.projects import services as project_services
from app.projects.models import Project
from app.projects.queries import project_statement
from app.projects.transfer import HEADERS as PROJECT_HEADERS
from app.reports.dashboard import build
from app.reports.figures import cohort, overview
from app.reports.figures.funds import received_by_day, verified_funds_of
from app.reports.figures.period import Period
from app.rollups import maintain
from app.rollups.models import CohortFundsMonth, CohortMonth, FundsMonth
from tests.imports.conftest import FUNDS_HEADERS, funds_row, project_row, row_errors, token_of, xlsx
from tests.reports.conftest import BUREAU, OCTOBER

W = 10_000
TABLES = (
    (FundsMonth, maintain.funds_select),
    (CohortMonth, maintain.cohort_select),
    (CohortFundsMonth, maintain.cohort_funds_select),
)


def _rows(stmt) -> set[tuple]:
    return {
        tuple(v if v is None or isinstance(v, str | date) else int(v) for v in row)
        for row in db.session.execute(stmt)
    }


def stored_and_fresh(app) -> list[tuple[set, set]]:
    """Per roll-up: the rows kept and the rows computed from the records now."""
    with app.app_context(), scoping.district_wide("comparing the roll-ups with the records"):
        return [(_rows(select(*model.__table__.c)), _rows(fresh())) for model, fresh in TABLES]


def assert_equal_to_records(app) -> None:
    """Every roll-up holds exactly the cells the records give."""
    for stored, fresh in stored_and_fresh(app):
        assert stored == fresh


def funds_cells(app) -> dict[tuple[int, int, int], int]:
    """(unit, year, month) -> verified 元, as kept."""
    with app.app_context(), scoping.district_wide("reading the roll-up in a test"):
        out: dict[tuple[int, int, int], int] = {}
        for row in db.session.execute(select(FundsMonth)).scalars():
            key = (row.unit_id, row.year, row.month)
            out[key] = out.get(key, 0) + row.amount
        return out


def act(app, people, write) -> None:
    """Run a write as the bureau user in one transaction, committed as a request does."""
    with app.app_context():
        actor = db.session.get(User, people["bureau"].id)
        scoping.set_actor(db.session, actor)
        write(actor)
        db.session.commit()


def data(day: date, wan: str, ref: str) -> EntryData:
    return EntryData(received_on=day, amount_wan=Decimal(wan), origin="外资", use="流动资金",
                     evidence_ref=ref)  # fmt: skip


@pytest.fixture
def signed(make, people):
    """A signed project of unit A with one verified entry (3月 2026, 100 万元)."""
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 1),
                           contract_investment=1_000 * W)  # fmt: skip
    entry = make.funds_entry(project, "100", received_on=date(2026, 3, 5))
    return project, entry


def test_the_migration_and_factories_leave_the_roll_ups_equal_to_the_records(app, signed):
    (funds, _), (cohorts, _), (cohort_funds, _) = stored_and_fresh(app)
    assert funds and cohorts and cohort_funds
    assert_equal_to_records(app)


def test_funds_entered_verified_returned_and_deleted(app, people, signed):
    project, _ = signed
    a = people["unit_a"].id
    ids = {}

    def enter(actor):
        p = db.session.get(Project, project.id)
        ids["one"] = funds_services.create_entry(p, data(date(2026, 4, 2), "50", "WZ1"), actor).id
        ids["two"] = funds_services.create_entry(p, data(date(2026, 4, 3), "7", "WZ2"), actor).id

    act(app, people, enter)
    assert funds_cells(app).get((a, 2026, 4)) is None  # pending counts nowhere
    assert_equal_to_records(app)
    act(app, people, lambda actor: funds_services.verify_entry(
        db.session.get(FundsEntry, ids["one"]), actor, None))  # fmt: skip
    assert funds_cells(app)[(a, 2026, 4)] == 50 * W
    assert_equal_to_records(app)
    act(app, people, lambda actor: funds_services.reject_entry(
        db.session.get(FundsEntry, ids["two"]), actor, "凭证不清"))  # fmt: skip
    assert funds_cells(app)[(a, 2026, 4)] == 50 * W
    act(app, people, lambda actor: db.session.delete(db.session.get(FundsEntry, ids["two"])))
    assert_equal_to_records(app)


def test_a_correction_moves_the_amount_to_the_new_month(app, people, signed):
    _, entry = signed
    a = people["unit_a"].id

    def correct(actor):
        funds_services.correct_entry(
            db.session.get(FundsEntry, entry.id), "日期录错", data(date(2026, 5, 6), "80", "WZ9"),
            actor,
        )  # fmt: skip

    act(app, people, correct)
    cells = funds_cells(app)
    assert cells[(a, 2026, 3)] == 0 and cells[(a, 2026, 5)] == 80 * W
    assert_equal_to_records(app)


def test_milestones_signing_stage_correction_drop_and_restore(app, people, make):
    p = make.project(people["unit_a"], negotiating_on=date(2026, 1, 3))
    make.funds_entry(p, "20", received_on=date(2026, 1, 20))

    def project():
        return db.session.get(Project, p.id)

    steps = [
        lambda actor: project_services.advance(
            project(), "signed", date(2026, 3, 1), actor, contract_wan=Decimal("500")
        ),  # fmt: skip
        lambda actor: project_services.advance(
            project(), "registered", date(2026, 4, 1), actor, code="91350100M000100Y43"
        ),
        lambda actor: project_services.correct_milestone(
            project(), "signed_on", date(2026, 2, 1), "签约日期录错", actor, project().version
        ),
        lambda actor: project_services.drop_project(project(), date(2026, 6, 1), "外迁", actor),
        lambda actor: project_services.restore_project(project(), actor),
    ]
    for step in steps:
        act(app, people, step)
        assert_equal_to_records(app)
    with app.app_context(), scoping.district_wide("a test reads the roll-up"):
        months = db.session.execute(select(CohortMonth.month, CohortMonth.stage_order)).all()
    assert months == [(2, 3)]  # signed in February after the correction, registered


def test_a_unit_change_moves_every_cell_of_the_project(app, people, signed):
    project, _ = signed
    a, b = people["unit_a"].id, people["unit_b"].id

    def move(actor):
        db.session.get(Project, project.id).unit_id = b

    act(app, people, move)
    cells = funds_cells(app)
    assert (a, 2026, 3) not in cells and cells[(b, 2026, 3)] == 100 * W
    assert_equal_to_records(app)


def test_a_merge_moves_the_funds_and_leaves_the_gone_project_out(app, people, make, signed):
    keep, _ = signed
    gone = make.project(people["unit_b"], "重复项目", "重复公司", signed_on=date(2026, 2, 3))
    make.funds_entry(gone, "30", received_on=date(2026, 3, 9))
    a, b = people["unit_a"].id, people["unit_b"].id
    assert funds_cells(app)[(b, 2026, 3)] == 30 * W

    act(
        app,
        people,
        lambda actor: duplicates.merge(
            db.session.get(Project, keep.id), db.session.get(Project, gone.id), "重复录入", actor
        ),
    )
    cells = funds_cells(app)
    assert (b, 2026, 3) not in cells and cells[(a, 2026, 3)] == 130 * W
    assert_equal_to_records(app)


def test_bulk_statements_through_the_session_and_core_inserts_told_to_refresh(app, people, signed):
    project, _ = signed
    a = people["unit_a"].id
    with app.app_context():
        db.session.execute(
            update(Project).where(Project.id == project.id).values(deleted_at=datetime(2026, 6, 1))
        )
        db.session.commit()
    assert (a, 2026, 3) not in funds_cells(app)
    assert_equal_to_records(app)
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project.id).values(deleted_at=None))
        row = {"project_id": project.id, "received_on": date(2026, 7, 1), "amount": 5 * W,
               "origin": "外资", "use": "流动资金", "evidence_ref": "BULK1",
               "evidence_key": evidence_key("BULK1"), "status": "verified"}  # fmt: skip
        db.session.connection().execute(insert(FundsEntry.__table__), [row])
        maintain.refresh_projects(db.session, [project.id])
        db.session.commit()
    assert funds_cells(app)[(a, 2026, 7)] == 5 * W
    assert_equal_to_records(app)


def test_rebuild_recomputes_everything(app, signed, runner):
    with app.app_context():
        db.session.execute(FundsMonth.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert "月度汇总已按记录重算" in result.output
    assert_equal_to_records(app)


# ---------------------------------------------------------------- the dashboard's numbers


def _from_records(actor, period: Period, on: date, unit_id=None):
    """The figures the dashboard showed before the roll-ups, straight from the records."""
    as_of = period.as_of(on)
    statement = project_statement(actor, overview.cohort_filters(period.year, period.month,
                                                                 unit_id, as_of))  # fmt: skip
    months = [0] * 12
    start, end = date(period.year, 1, 1), date(period.year + 1, 1, 1)
    for day, amount in received_by_day(actor, start, end, unit_id):
        months[day.month - 1] += amount
    return (
        cohort.funnel(statement, cohort.landed_stage(), as_of),
        verified_funds_of(statement, FundsEntry.received_on <= as_of),
        months,
    )


@pytest.mark.parametrize(
    ("period", "on"),
    [(OCTOBER, date(2026, 11, 19)), (Period(2026, 11), date(2026, 11, 19)),
     (Period(2026, 10), date(2026, 10, 15)), (Period(2025, 12), date(2026, 11, 19)),
     (Period(2026, 4), date(2026, 11, 19))],  # p1 started in May: counted as of April
)  # fmt: skip
def test_the_dashboard_shows_the_numbers_the_records_give(app, district, in_request, period, on):
    def compare():
        board = build(BUREAU, period, on)
        funnel, funds, months = _from_records(BUREAU, period, on)
        assert board.cohort.funnel == funnel
        assert board.cohort.funds_verified == funds
        assert board.funds_months == months
        return board

    board = in_request(compare)
    if period == OCTOBER:  # the hand-computed district (tests/reports/conftest.py)
        assert board.cohort.signed == 3 and board.cohort.funds_verified == 6_000 * W
        assert board.funds_received == 6_500 * W


def test_a_unit_users_dashboard_counts_only_their_unit(app, district, people, in_request):
    def both():
        with app.app_context():
            mine = db.session.get(User, people["unit"].id)
            other = db.session.get(User, people["other_unit"].id)
        out = []
        for user in (mine, other):
            board = build(user, OCTOBER, date(2026, 11, 19))
            funnel, funds, months = _from_records(user, OCTOBER, date(2026, 11, 19), user.unit_id)
            assert (board.cohort.funnel, board.cohort.funds_verified) == (funnel, funds)
            assert board.funds_months == months
            out.append(board)
        return out

    mine, other = in_request(both)
    # 城关街道: p1 and p2 signed, 3,000 + 2,000 (p1) + 500 (p5); 北山镇: p3, 1,000.
    assert mine.cohort.signed == 2 and sum(mine.funds_months[:10]) == 5_500 * W
    assert other.cohort.signed == 1 and sum(other.funds_months[:10]) == 1_000 * W


def test_a_unit_user_sees_only_their_cells_through_the_automatic_scope(app, district, people):
    with app.app_context():
        scoping.set_actor(db.session, db.session.get(User, people["other_unit"].id))
        units = set(db.session.execute(select(FundsMonth.unit_id)).scalars())
    assert units == {people["unit_b"].id}


# ---------------------------------------------------------------- imports and their withdrawal


def _import(client, login, user, kind: str, content: bytes) -> None:
    login(user)
    data = {"file": (io.BytesIO(content), "台账.xlsx")}
    page = client.post(f"/imports/{kind}/check", data=data, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert 'data-testid="check-ok"' in text, row_errors(text)
    assert client.post(f"/imports/confirm/{token_of(text)}").status_code == 302


def test_imported_projects_and_funds_and_a_withdrawn_batch(app, client, login, people, make):
    projects = [list(PROJECT_HEADERS)] + [
        project_row(
            项目名称=name,
            投资方=f"{name}投资有限公司",
            签约日期="2026-03-01",
            **{"合同投资额（万元）": "800"},
        )  # fmt: skip
        for name in ("导入项目甲", "导入项目乙")
    ]
    _import(client, login, people["bureau"], "projects", xlsx(projects))
    assert_equal_to_records(app)
    with app.app_context(), scoping.district_wide("a test reads the roll-up"):
        signed = db.session.execute(select(CohortMonth.projects)).scalars().all()
    assert sum(signed) == 2

    make.project(people["unit_a"], "已有项目", "已有公司", signed_on=date(2026, 1, 5))
    funds = [FUNDS_HEADERS, funds_row(项目名称="已有项目", 投资方="已有公司", 凭证号="IMP-1")]
    _import(client, login, people["bureau"], "funds", xlsx(funds))
    assert_equal_to_records(app)

    with app.app_context():
        batch = db.session.execute(
            select(ImportBatch.id).where(ImportBatch.kind == "projects")
        ).scalar_one()
    response = client.post(f"/imports/batches/{batch}/withdraw", data={"reason": "导错了文件"})
    assert response.status_code == 302
    assert_equal_to_records(app)
    with app.app_context(), scoping.district_wide("a test reads the roll-up"):
        left = db.session.execute(select(CohortMonth.month, CohortMonth.projects)).all()
    assert left == [(1, 1)]  # only 已有项目 (signed in January) is left of unit A's cohort
