"""Importing projects through the screen and the command line: all rows or none."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from app.core.history import HistoryEntry
from app.extensions import db
from app.imports.models import ImportBatch
from app.projects.models import Project
from app.projects.transfer import HEADERS
from tests.imports.conftest import csv_bytes, project_row, row_errors, token_of, xlsx


def _count(app, model=Project) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def refs(make, people):
    leader = make.leader("李副区长", "副区长", head_kind=None)
    event = make.event("2026 深圳招商推介会")
    return {"leader": leader, "event": event}


def test_a_good_file_is_checked_then_imported_on_confirmation(
    app, client, people, login, refs, upload
):
    rows = [
        ["城关街道招商项目台账"],
        ["截至2026年11月"],
        list(HEADERS),
        project_row(
            项目名称="锂电池隔膜项目",
            签约日期="2026/4/18",
            洽谈日期="2026.3.5",
            **{"合同投资额（万元）": "48000.50"},
            包保领导="李副区长",
            招商活动="2026 深圳招商推介会",
            是否外资="是",
        ),
        project_row(项目名称="冷链物流园", 投资方="顺丰示例物流有限公司", 产业类别="三产"),
        [None] * 20,
        ["合计"],
    ]
    login(people["bureau"])
    page = upload("projects", xlsx(rows))
    assert 'data-testid="check-ok"' in page and "可导入 2 个项目，其中已签约 1 个" in page
    assert _count(app) == 0  # checking writes nothing
    response = client.post(f"/imports/confirm/{token_of(page)}")
    assert response.status_code == 302
    with app.app_context():
        project = db.session.execute(
            select(Project).where(Project.name == "锂电池隔膜项目")
        ).scalar_one()
        assert project.signed_on == date(2026, 4, 18)
        assert project.negotiating_on == date(2026, 3, 5)
        assert project.contract_investment == 480_005_000
        assert project.planned_investment == 500_000_000
        assert project.foreign_funded and project.leader_id == refs["leader"].id
        assert project.event_id == refs["event"].id
        assert project.stage.key == "signed"
        reasons = db.session.execute(
            select(HistoryEntry.reason, HistoryEntry.actor_name).where(
                HistoryEntry.table_name == "projects"
            )
        ).all()
        assert len(reasons) == 2
        assert all(r.startswith("导入招商项目：台账.xlsx") and a == "bureau1" for r, a in reasons)
    assert _count(app) == 2 and _count(app, ImportBatch) == 1


def test_a_file_with_several_kinds_of_bad_rows_reports_them_all_and_writes_nothing(
    app, client, people, login, refs, upload
):
    rows = [
        list(HEADERS),
        project_row(项目名称="好的项目"),
        project_row(项目名称="", 投资方=""),
        project_row(项目名称="未知单位项目", 责任单位="不存在镇"),
        project_row(项目名称="日期错", 签约日期="2024-02-30", **{"合同投资额（万元）": "100"}),
        project_row(项目名称="金额错", **{"计划总投资（万元）": "-5"}),
        project_row(项目名称="文字金额", **{"计划总投资（万元）": "abc"}),
        project_row(项目名称="三位小数", **{"计划总投资（万元）": "1.234"}),
        project_row(项目名称="科学计数", **{"计划总投资（万元）": "1e9"}),
        project_row(项目名称="签约无合同额", 签约日期="2026-01-05"),
        project_row(项目名称="未来日期", 洽谈日期="2027-06-01"),
        project_row(项目名称="类别错", 产业类别="制造业", 项目来源="网上"),
        project_row(项目名称="外资错", 是否外资="也许"),
        project_row(项目名称="坏代码", 统一社会信用代码="91440300MA5G0XH07X"),
        project_row(项目名称="好的项目"),
    ]
    login(people["bureau"])
    page = upload("projects", xlsx(rows))
    errors = row_errors(page)
    by_row = {}
    for row, column, message in errors:
        by_row.setdefault(int(row), []).append((column, message))
    assert 2 not in by_row
    assert set(by_row) == set(range(3, 16))
    expected = {
        3: ("项目名称", "请输入项目名称"),
        4: ("责任单位", "责任单位“不存在镇”不存在"),
        5: ("签约日期", "2024年2月只有 29 天"),
        6: ("计划总投资（万元）", "计划总投资不能为负数"),
        7: ("计划总投资（万元）", "“abc”不是数字"),
        8: ("计划总投资（万元）", "超过两位小数"),
        9: ("计划总投资（万元）", "不是普通的数字写法"),
        10: ("合同投资额（万元）", "签约须填写合同投资额"),
        11: ("洽谈日期", "不能晚于今天"),
        12: ("产业类别", "产业类别“制造业”不在可选范围"),
        13: ("是否外资", "应填写 是 或 否"),
        14: ("统一社会信用代码", "校验位错误"),
        15: ("项目名称", "与第 2 行是同一项目"),
    }
    for row, (column, message) in expected.items():
        assert any(c == column and message in m for c, m in by_row[row]), (row, by_row[row])
    assert any(c == "项目来源" for c, _m in by_row[12])
    assert "整个文件都<strong>没有导入</strong>" in page
    assert 'data-testid="confirm"' not in page
    assert _count(app) == 0 and _count(app, ImportBatch) == 0
    # The copy of the file with a 错误说明 column.
    response = client.get(f"/imports/errors/{token_of(page)}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    copy = pd.read_excel(io.BytesIO(response.data), engine="calamine", header=2, dtype=object)
    assert list(copy.columns[-2:]) == ["错误说明", "原行号"]
    explained = dict(zip(copy["原行号"], copy["错误说明"], strict=True))
    assert pd.isna(explained[2]) or explained[2] == ""
    assert "责任单位：责任单位“不存在镇”不存在" in explained[4]
    # Nobody else can download it.
    login(people["other_unit"])
    assert client.get(f"/imports/errors/{token_of(page)}").status_code == 404


def test_the_same_file_imported_twice_is_recognised(app, client, people, login, upload):
    content = xlsx([list(HEADERS), project_row()])
    login(people["bureau"])
    page = upload("projects", content)
    client.post(f"/imports/confirm/{token_of(page)}")
    page = upload("projects", content, filename="改了名字.xlsx")
    assert 'data-testid="file-error"' in page and "不会重复导入" in page and "bureau1" in page
    assert _count(app) == 1


def test_a_project_already_in_the_database_is_refused_and_a_similar_one_is_flagged(
    app, client, people, login, make, upload
):
    make.project(people["unit_a"], "新能源电池项目", "宁德示例新能源科技有限公司")
    rows = [
        list(HEADERS),
        project_row(),
        project_row(项目名称="二期项目", 投资方="宁德示例新能源科技（有限公司）"),
    ]
    login(people["bureau"])
    page = upload("projects", xlsx(rows))
    assert row_errors(page)[0][:2] == ("2", "项目名称")
    assert "系统中已有该项目" in row_errors(page)[0][2]
    rows = [list(HEADERS), project_row(项目名称="二期项目")]
    page = upload("projects", xlsx(rows))
    assert 'data-testid="check-ok"' in page and "疑似重复" in page


def test_a_unit_imports_only_its_own_units_projects(app, client, people, login, upload):
    rows = [
        list(HEADERS),
        project_row(项目名称="本单位", 责任单位=""),
        project_row(项目名称="他单位", 责任单位="北山镇"),
    ]
    login(people["unit"])
    page = upload("projects", xlsx(rows))
    assert row_errors(page) == [("3", "责任单位", "只能登记本单位的项目")]
    page = upload("projects", xlsx(rows[:2]))
    client.post(f"/imports/confirm/{token_of(page)}")
    with app.app_context():
        assert db.session.execute(select(Project.unit_id)).scalar_one() == people["unit_a"].id


@pytest.mark.parametrize("role", ["leader", "admin", "auditor"])
def test_roles_that_do_not_write_cannot_import(client, people, login, role):
    login(people[role])
    assert client.get("/imports/").status_code == 403
    assert client.get("/imports/template/projects").status_code == 403


def test_the_template_downloads_with_every_header(client, people, login):
    login(people["unit"])
    response = client.get("/imports/template/projects")
    assert response.status_code == 200
    sheet = pd.read_excel(io.BytesIO(response.data), engine="calamine", dtype=object)
    assert list(sheet.columns) == list(HEADERS)


def test_wrong_type_empty_and_wrong_headers_are_refused_precisely(
    app, client, people, login, upload
):
    login(people["bureau"])
    page = upload("projects", b"MZ\x90\x00binary", "病毒.xlsx")
    assert "文件类型不支持" in page
    page = upload("projects", b"", "空.xlsx")
    assert "文件是空的" in page
    page = upload("projects", xlsx([["项目名称", "投资方", "备注"], ["a", "b", "c"]]))
    assert "表头缺少必需的列：产业类别、责任单位、项目来源" in page
    assert _count(app) == 0


def test_a_gbk_csv_imports(app, client, people, login, upload):
    content = csv_bytes([list(HEADERS), project_row(项目名称="GBK编码项目（一期）")], "gbk")
    login(people["bureau"])
    page = upload("projects", content, "wps导出.csv")
    assert 'data-testid="check-ok"' in page
    client.post(f"/imports/confirm/{token_of(page)}")
    with app.app_context():
        assert db.session.execute(select(Project.name)).scalar_one() == "GBK编码项目（一期）"


def test_the_command_line_import_with_dry_run(app, runner, people, tmp_path):
    path = tmp_path / "projects.xlsx"
    path.write_bytes(xlsx([list(HEADERS), project_row(), project_row(项目名称="二号")]))
    result = runner.invoke(args=["import-projects", str(path), "--as", "bureau1", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output and _count(app) == 0
    result = runner.invoke(args=["import-projects", str(path), "--as", "unitb"])
    assert result.exit_code == 1
    assert "第 2 行 [责任单位]：只能登记本单位的项目" in result.output
    assert _count(app) == 0
    result = runner.invoke(args=["import-projects", str(path), "--as", "bureau1"])
    assert result.exit_code == 0 and "已导入 2 行" in result.output
    assert _count(app) == 2
    result = runner.invoke(args=["import-projects", str(path), "--as", "bureau1"])
    assert result.exit_code == 2 and "不会重复导入" in result.output
    result = runner.invoke(args=["import-projects", str(path), "--as", "leader1"])
    assert result.exit_code == 2 and "只有投资促进局和责任单位可以导入" in result.output


def test_the_template_imports_nothing_and_explains_every_column(client, people, login, upload):
    login(people["bureau"])
    for kind in ("projects", "funds"):
        template = client.get(f"/imports/template/{kind}").data
        book = io.BytesIO(template)
        explained = pd.read_excel(book, sheet_name="填表说明", header=2, engine="calamine")
        headers = pd.read_excel(book, engine="calamine").columns
        assert list(explained["列名"]) == list(headers)
        assert "表头下没有数据行" in upload(kind, template, "模板.xlsx")
