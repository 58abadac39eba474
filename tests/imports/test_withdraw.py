"""Withdrawing (撤回) an import batch: the bureau alone, within the window, only if nothing has
been built on its rows; the rows leave every list, the reason stays in the history, and the
same file can be imported again."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.core.history import HistoryEntry
from app.extensions import db
from app.funds.models import FundsEntry
from app.imports.models import ImportBatch
from app.keyprojects.models import KeyProject
from app.keyprojects.transfer import HEADERS as KEY_HEADERS
from app.projects.models import Project
from app.projects.transfer import HEADERS as PROJECT_HEADERS
from tests.imports.conftest import FUNDS_HEADERS, funds_row, project_row, row_errors, token_of, xlsx
from tests.keyprojects.test_import import key_row

REASON = "导错了文件，表中责任单位填错"


@pytest.fixture
def imported(client, login, upload, app):
    """Import a file as a user through the screen; return the new batch's id."""

    def do(user, kind: str, content: bytes) -> int:
        login(user)
        page = upload(kind, content)
        assert 'data-testid="check-ok"' in page, row_errors(page)
        response = client.post(f"/imports/confirm/{token_of(page)}")
        assert response.status_code == 302
        with app.app_context():
            return _latest_batch()

    return do


def _latest_batch() -> int:
    return db.session.execute(select(ImportBatch.id).order_by(ImportBatch.id.desc())).scalar()


def _projects_file(*names: str) -> bytes:
    rows = [list(PROJECT_HEADERS)]
    rows += [project_row(项目名称=name, 投资方=f"{name}投资有限公司") for name in names]
    return xlsx(rows)


def _withdraw(client, batch_id: int, reason: str = REASON):
    return client.post(f"/imports/batches/{batch_id}/withdraw", data={"reason": reason})


def _rows(app, model, batch_id: int) -> list:
    with app.app_context():
        stmt = select(model).where(model.import_batch_id == batch_id).order_by(model.id)
        rows = list(db.session.execute(stmt).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


def _batch(app, batch_id: int) -> ImportBatch:
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        db.session.expunge(batch)
        return batch


def test_bureau_withdraws_a_project_batch_and_the_same_file_can_be_imported_again(
    app, client, people, login, imported, upload
):
    content = _projects_file("退回测试项目甲", "退回测试项目乙")
    batch_id = imported(people["unit"], "projects", content)
    assert all(p.unit_id == people["unit_a"].id for p in _rows(app, Project, batch_id))
    assert "退回测试项目甲" in client.get("/projects/").get_data(as_text=True)

    login(people["bureau"])
    listing = client.get("/imports/batches").get_data(as_text=True)
    assert f'data-testid="withdraw-{batch_id}"' in listing
    confirm = client.get(f"/imports/batches/{batch_id}/withdraw").get_data(as_text=True)
    assert "确认撤回 2 条记录" in confirm
    refused = _withdraw(client, batch_id, reason="  ")
    assert refused.status_code == 422
    assert "请填写撤回原因" in refused.get_data(as_text=True)
    assert all(p.deleted_at is None for p in _rows(app, Project, batch_id))

    done = _withdraw(client, batch_id)
    assert done.status_code == 302
    assert "已撤回批次" in client.get(done.headers["Location"]).get_data(as_text=True)
    batch = _batch(app, batch_id)
    assert batch.withdrawn_at is not None and batch.withdrawn_by_id == people["bureau"].id
    assert batch.withdraw_reason == REASON
    assert all(p.deleted_at is not None for p in _rows(app, Project, batch_id))
    listing = client.get("/imports/batches").get_data(as_text=True)
    assert "已撤回" in listing and REASON in listing
    assert f'data-testid="withdraw-{batch_id}"' not in listing
    for user in (people["bureau"], people["unit"]):
        login(user)
        page = client.get("/projects/").get_data(as_text=True)
        assert "退回测试项目甲" not in page and "退回测试项目乙" not in page
        assert re.search(r'data-testid="total">0<', page)

    again = imported(people["unit"], "projects", content)  # the hash check ignores the withdrawn
    assert again != batch_id
    assert [p.name for p in _rows(app, Project, again)] == ["退回测试项目甲", "退回测试项目乙"]
    page = client.get("/projects/").get_data(as_text=True)
    assert re.search(r'data-testid="total">2<', page)
    login(people["unit"])
    assert "不会重复导入" in upload("projects", content)  # a live batch still blocks it


def test_every_withdrawn_row_has_a_history_entry_carrying_the_reason(
    app, client, people, login, imported
):
    batch_id = imported(people["unit"], "projects", _projects_file("历史项目甲", "历史项目乙"))
    login(people["bureau"])
    assert _withdraw(client, batch_id).status_code == 302
    ids = {p.id for p in _rows(app, Project, batch_id)}
    with app.app_context():
        entries = db.session.execute(
            select(HistoryEntry).where(
                HistoryEntry.table_name == "projects",
                HistoryEntry.record_id.in_(ids),
                HistoryEntry.action == "update",
            )
        ).scalars().all()
        assert {e.record_id for e in entries} == ids
        assert all(REASON in e.reason and f"批次 #{batch_id}" in e.reason for e in entries)
        assert all("deleted_at" in e.after for e in entries)
        marked = db.session.execute(
            select(HistoryEntry).where(
                HistoryEntry.table_name == "import_batches", HistoryEntry.record_id == batch_id,
                HistoryEntry.action == "update",
            )
        ).scalar_one()
        assert marked.after["withdraw_reason"] == REASON


def test_withdrawal_is_refused_naming_the_projects_built_on(
    app, client, people, login, imported, make
):
    names = ("里程碑项目", "跟进项目", "资金项目", "重点项目来源", "未动项目")
    batch_id = imported(people["unit"], "projects", _projects_file(*names))
    by_name = {p.name: p for p in _rows(app, Project, batch_id)}
    advanced = client.post(
        f"/projects/{by_name['里程碑项目'].id}/advance/negotiating", data={"on": "2026-11-01"}
    )
    assert advanced.status_code == 302
    make.follow_up(by_name["跟进项目"], people["unit"], date(2026, 11, 18))
    make.funds_entry(by_name["资金项目"], status="pending")
    make.key_project(people["unit_a"], "由招商项目转入", project_id=by_name["重点项目来源"].id)

    login(people["bureau"])
    page = client.get(f"/imports/batches/{batch_id}/withdraw").get_data(as_text=True)
    assert 'data-testid="built-on"' in page and "confirm-withdraw" not in page
    refused = _withdraw(client, batch_id)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    table = text.split('data-testid="built-on"')[1].split("</table>")[0]
    assert "项目“里程碑项目”" in table and "里程碑" in table
    assert "项目“跟进项目”" in table and "跟进记录 1 条" in table
    assert "项目“资金项目”" in table and "到位资金 1 笔" in table
    assert "项目“重点项目来源”" in table and "已列入重点项目" in table
    assert "未动项目" not in table
    assert all(p.deleted_at is None for p in _rows(app, Project, batch_id))
    assert _batch(app, batch_id).withdrawn_at is None


def test_a_project_merged_away_or_merged_into_blocks_the_withdrawal(
    app, client, people, login, imported, make
):
    batch_id = imported(people["unit"], "projects", _projects_file("保留项目", "被合并项目"))
    kept, gone = _rows(app, Project, batch_id)
    other = make.project(people["unit_a"], "合并来源", "合并来源公司")
    with app.app_context():
        db.session.execute(
            update(Project).where(Project.id == other.id).values(merged_into_id=kept.id)
        )
        db.session.execute(
            update(Project).where(Project.id == gone.id).values(merged_into_id=other.id)
        )
        db.session.commit()
    login(people["bureau"])
    text = _withdraw(client, batch_id).get_data(as_text=True)
    assert "已有 1 个重复项目合并到此项目" in text
    assert f"已合并到项目 #{other.id}" in text


@pytest.fixture
def signed_project(make, people):
    return make.project(
        people["unit_a"],
        "智能制造产业园",
        "华润置地（深圳）有限公司",
        signed_on=date(2024, 1, 5),
        contract_investment=100_000_000,
    )


def test_a_funds_batch_is_never_withdrawn_the_ledger_deletes_nothing(
    app, client, people, login, imported, signed_project
):
    content = xlsx([FUNDS_HEADERS, funds_row(凭证号="WD-1"), funds_row(凭证号="WD-2")])
    batch_id = imported(people["unit"], "funds", content)
    login(people["bureau"])
    text = _withdraw(client, batch_id).get_data(as_text=True)
    assert "导入的到位资金不能整批撤回" in text
    assert len(_rows(app, FundsEntry, batch_id)) == 2
    ledger = client.get("/funds/").get_data(as_text=True)
    assert "WD-1" in ledger and "WD-2" in ledger


def test_a_key_project_batch_is_refused_after_a_monthly_report(
    app, client, people, login, imported, make
):
    rows = [list(KEY_HEADERS), key_row(项目名称="月调度项目"), key_row(项目名称="未调度项目")]
    batch_id = imported(people["unit"], "keyproject", xlsx(rows))
    reported, _quiet = _rows(app, KeyProject, batch_id)
    make.key_report(reported, 10)
    login(people["bureau"])
    text = _withdraw(client, batch_id).get_data(as_text=True)
    table = text.split('data-testid="built-on"')[1].split("</table>")[0]
    assert "重点项目“月调度项目”" in table and "月调度 1 期" in table
    assert "未调度项目" not in table

    rows = [list(KEY_HEADERS), key_row(项目名称="导错的重点项目")]
    batch_id = imported(people["unit"], "keyproject", xlsx(rows))
    login(people["bureau"])
    assert "导错的重点项目" in client.get("/key-projects/").get_data(as_text=True)
    assert _withdraw(client, batch_id).status_code == 302
    assert all(k.deleted_at is not None for k in _rows(app, KeyProject, batch_id))
    assert "导错的重点项目" not in client.get("/key-projects/").get_data(as_text=True)


def test_withdrawal_is_refused_after_the_window(app, client, people, login, imported):
    batch_id = imported(people["unit"], "projects", _projects_file("过期项目"))
    days = app.config["IMPORT_WITHDRAW_DAYS"]
    assert days == 7
    with app.app_context():
        created = db.session.get(ImportBatch, batch_id).created_at
        db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(created_at=created - timedelta(days=days, minutes=1))
        )
        db.session.commit()
    login(people["bureau"])
    listing = client.get("/imports/batches").get_data(as_text=True)
    assert "已过撤回期限" in listing and f'data-testid="withdraw-{batch_id}"' not in listing
    refused = _withdraw(client, batch_id)
    assert refused.status_code == 422
    assert "已超过 7 天的撤回期限" in refused.get_data(as_text=True)
    assert _rows(app, Project, batch_id)[0].deleted_at is None


def test_a_batch_just_inside_the_window_can_be_withdrawn(app, client, people, login, imported):
    batch_id = imported(people["unit"], "projects", _projects_file("期限内项目"))
    with app.app_context():
        created = db.session.get(ImportBatch, batch_id).created_at
        db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(created_at=created - timedelta(days=7) + timedelta(minutes=1))
        )
        db.session.commit()
    login(people["bureau"])
    assert _withdraw(client, batch_id).status_code == 302


@pytest.mark.parametrize("role", ["unit", "other_unit", "leader", "admin", "auditor"])
def test_only_the_bureau_may_withdraw(app, client, people, login, imported, role):
    batch_id = imported(people["unit"], "projects", _projects_file("权限项目"))
    login(people[role])
    assert client.get(f"/imports/batches/{batch_id}/withdraw").status_code == 403
    assert _withdraw(client, batch_id).status_code == 403
    assert _batch(app, batch_id).withdrawn_at is None
    assert _rows(app, Project, batch_id)[0].deleted_at is None


def test_a_unit_sees_only_its_own_batches_and_no_withdraw_button(
    app, client, people, login, imported
):
    mine = imported(people["unit"], "projects", _projects_file("本单位项目"))
    row = project_row(项目名称="外单位项目", 责任单位="北山镇")
    other_file = xlsx([list(PROJECT_HEADERS), row])
    theirs = imported(people["other_unit"], "projects", other_file)
    login(people["unit"])
    listing = client.get("/imports/batches").get_data(as_text=True)
    assert f'data-batch="{mine}"' in listing and f'data-batch="{theirs}"' not in listing
    assert "撤回</a>" not in listing
    login(people["bureau"])
    listing = client.get("/imports/batches").get_data(as_text=True)
    assert f'data-batch="{mine}"' in listing and f'data-batch="{theirs}"' in listing


def test_an_unknown_or_withdrawn_batch(app, client, people, login, imported):
    login(people["bureau"])
    assert client.get("/imports/batches/999999/withdraw").status_code == 404
    batch_id = imported(people["unit"], "projects", _projects_file("两次撤回"))
    login(people["bureau"])
    assert _withdraw(client, batch_id).status_code == 302
    again = _withdraw(client, batch_id)
    assert again.status_code == 422 and "已于" in again.get_data(as_text=True)


def test_the_command_line_withdraws_as_the_bureau_only(app, runner, people, imported):
    batch_id = imported(people["unit"], "projects", _projects_file("命令行项目"))
    result = runner.invoke(
        args=["withdraw-import", str(batch_id), "--as", "unita", "--reason", "x"]
    )
    assert result.exit_code == 1 and "只有投资促进局可以撤回导入" in result.output
    assert _batch(app, batch_id).withdrawn_at is None
    result = runner.invoke(
        args=["withdraw-import", str(batch_id), "--as", "bureau1", "--reason", REASON]
    )
    assert result.exit_code == 0, result.output
    assert f"已撤回批次 #{batch_id}，1 条记录已删除" in result.output
    assert _rows(app, Project, batch_id)[0].deleted_at is not None
    result = runner.invoke(args=["withdraw-import", "999999", "--as", "bureau1", "--reason", "x"])
    assert result.exit_code == 2 and "不存在" in result.output
