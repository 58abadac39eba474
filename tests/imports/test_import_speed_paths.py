"""The import's bulk writes leave what the one-by-one writes left: the history entries (same
snapshot, one intact chain), the search text and index, the duplicate checks, nothing on failure."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core import scoping
from app.core.history import HistoryEntry
from app.extensions import db
from app.projects import transfer
from app.projects.models import Project
from app.projects.services import ProjectData, create_project
from app.projects.transfer import HEADERS
from app.units.models import Unit
from tests.imports.conftest import project_row, row_errors, token_of, xlsx

SIGNED = {"签约日期": "2026-04-18", "合同投资额（万元）": "48000.50", "是否外资": "是"}


def _import(client, upload, rows) -> None:
    page = upload("projects", xlsx([list(HEADERS), *rows]))
    assert 'data-testid="check-ok"' in page, page[:2000]
    assert client.post(f"/imports/confirm/{token_of(page)}").status_code == 302


def _after(app, name: str) -> dict:
    with app.app_context():
        project_id = db.session.execute(select(Project.id).where(Project.name == name)).scalar_one()
        entries = db.session.execute(
            select(HistoryEntry).where(
                HistoryEntry.table_name == "projects", HistoryEntry.record_id == project_id
            )
        ).scalars()
        (entry,) = list(entries)
        assert entry.action == "create" and entry.label == name
        return entry.after


def test_an_imported_project_has_the_history_entry_a_typed_in_one_has(
    app, client, people, login, upload, runner
):
    login(people["bureau"])
    _import(client, upload, [project_row(项目名称="锂电池隔膜项目", **SIGNED)])
    with app.app_context():
        actor = db.session.get(User, people["bureau"].id)
        scoping.set_actor(db.session, actor)
        create_project(
            ProjectData(
                name="冷链物流园",
                investor_name="宁德示例新能源科技有限公司",
                origin_province="福建省",
                origin_city="宁德市",
                foreign_funded=True,
                industry="工业",
                planned_wan=transfer.cells.optional_amount("50000"),
                unit_id=db.session.execute(select(Unit.id).where(Unit.name == "城关街道")).scalar(),
                source="招商推介会",
                milestones={"signed_on": transfer.cells.parse_date("2026-04-18")},
                contract_wan=transfer.cells.optional_amount("48000.50"),
            ),
            actor,
            confirm_duplicate=True,
        )
        db.session.commit()
    imported, typed = _after(app, "锂电池隔膜项目"), _after(app, "冷链物流园")
    differ = {"id", "name", "import_batch_id"}
    assert set(imported) == set(typed) | {"import_batch_id"} or set(imported) == set(typed)
    assert {k: v for k, v in imported.items() if k not in differ} == {
        k: v for k, v in typed.items() if k not in differ
    }
    assert imported["import_batch_id"] is not None and imported["contract_investment"] == 480005000
    result = runner.invoke(args=["verify-history"])
    assert result.exit_code == 0 and "哈希链完整" in result.output, result.output


def test_a_file_larger_than_a_chunk_writes_every_row_its_entry_and_one_intact_chain(
    app, client, people, login, upload, runner, monkeypatch
):
    monkeypatch.setattr(transfer, "CHUNK", 2)
    login(people["bureau"])
    rows = [project_row(项目名称=f"分批项目{i}", 投资方=f"分批投资{i}有限公司") for i in range(5)]
    _import(client, upload, rows)
    with app.app_context():
        ids = db.session.execute(
            select(Project.id).where(Project.name.like("分批项目%")).order_by(Project.id)
        ).scalars()
        ids = list(ids)
        entries = db.session.execute(
            select(HistoryEntry.record_id, HistoryEntry.reason).where(
                HistoryEntry.table_name == "projects"
            )
        ).all()
    assert len(ids) == 5 and sorted(r for r, _reason in entries) == ids
    assert all(reason.startswith("导入招商项目：台账.xlsx（批次 #") for _r, reason in entries)
    assert runner.invoke(args=["verify-history"]).exit_code == 0


@pytest.mark.parametrize("needle", ["隔膜", "锂电池隔膜", "ldcgm", "lidianchi"])
def test_an_imported_project_is_found_by_the_search(app, client, people, login, upload, needle):
    login(people["bureau"])
    _import(
        client, upload, [project_row(项目名称="锂电池隔膜项目"), project_row(项目名称="冷链园")]
    )
    page = client.get("/projects/", query_string={"q": needle}).get_data(as_text=True)
    assert "锂电池隔膜项目" in page and "冷链园" not in page


def test_the_duplicate_checks_see_imported_projects(app, client, people, login, upload):
    login(people["bureau"])
    _import(client, upload, [project_row(项目名称="锂电池隔膜项目")])
    again = [list(HEADERS), project_row(项目名称="锂电池隔膜项目", 备注="再导一次")]
    page = upload("projects", xlsx(again))
    assert row_errors(page)[0][:2] == ("2", "项目名称") and "系统中已有该项目" in page
    similar = [list(HEADERS), project_row(项目名称="二期项目")]
    page = upload("projects", xlsx(similar))
    assert 'data-testid="check-ok"' in page and "疑似重复" in page


def test_a_failure_while_writing_leaves_nothing(app, people, runner, tmp_path, monkeypatch):
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("磁盘已满")
        return real(*args, **kwargs)

    real = transfer.history.record_inserts
    monkeypatch.setattr(transfer, "CHUNK", 1)
    monkeypatch.setattr(transfer.history, "record_inserts", failing)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx([list(HEADERS), project_row(), project_row(项目名称="二期项目")]))
    result = runner.invoke(args=["import-projects", str(path), "--as", "bureau1"])
    assert result.exit_code != 0 and len(calls) == 2
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Project)).scalar_one() == 0
        count = select(func.count()).select_from(HistoryEntry)
        assert db.session.execute(count.where(HistoryEntry.table_name == "projects")).scalar() == 0


def test_the_monthly_roll_ups_count_imported_projects(app, client, people, login, upload):
    rollups = pytest.importorskip("app.rollups.models")
    login(people["bureau"])
    _import(client, upload, [project_row(项目名称="锂电池隔膜项目", **SIGNED)])
    cohort = rollups.CohortMonth
    with app.app_context(), scoping.district_wide("测试：导入后的月度汇总"):
        found = db.session.execute(
            select(func.sum(cohort.projects), func.sum(cohort.contract))
            .join(Unit, Unit.id == cohort.unit_id)
            .where(Unit.name == "城关街道", cohort.year == 2026, cohort.month == 4)
        ).one()
    assert tuple(found) == (1, 480005000)


def test_a_first_import_leaves_postgresql_knowing_the_projects_it_added(
    app, client, people, login, upload
):
    """The import's refreshes read the new rows in its own transaction: on a table PostgreSQL
    took for empty they read the whole live index per statement (app/core/db.py)."""
    from sqlalchemy import text

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite's planner reads no statistics the app has not asked for")
    login(people["bureau"])
    rows = [
        project_row(项目名称=f"统计项目{i:02d}", 投资方=f"统计投资方{i:02d}有限公司")
        for i in range(30)
    ]
    _import(client, upload, rows)
    with app.app_context():
        known = db.session.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = 'projects'::regclass")
        ).scalar()
        assert known == 30
