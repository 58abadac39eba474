"""Importing the yearly key-project list through the import screen: every row or none."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pandas as pd
import pytest
from flask import url_for
from sqlalchemy import func, select

from app.core.history import HistoryEntry
from app.extensions import db
from app.imports.models import ImportBatch
from app.keyprojects.models import PROCEDURE_KINDS, KeyProcedure, KeyProject
from app.keyprojects.transfer import HEADERS, REQUIRED
from tests.imports.conftest import csv_bytes, row_errors, token_of, xlsx

KIND = "keyproject"


@pytest.fixture
def login(client, login):
    """Log in, first logging out whoever is logged in (tests here switch users)."""

    def do(user, **kwargs):
        client.post("/logout")
        return login(user, **kwargs)

    return do


@pytest.fixture
def upload(client):
    """Upload a file to the key-project import's check step; return the result page."""

    def do(kind: str, content: bytes, filename: str = "台账.xlsx", **form) -> str:
        data = {"file": (io.BytesIO(content), filename), **form}
        response = client.post(
            f"/imports/{kind}/check", data=data, content_type="multipart/form-data"
        )
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    return do


def key_row(**values) -> list:
    """A key-project import row in template order, with sensible defaults."""
    defaults = {
        "年度": "2026",
        "项目名称": "城南污水处理厂提标改造项目",
        "所属工程": "生态环保工程",
        "项目类别": "续建",
        "总投资（万元）": "20000",
        "年度计划投资（万元）": "6000",
        "责任单位": "城关街道",
    }
    merged = {**defaults, **values}
    return [merged.get(h) for h in HEADERS]


def _count(app, model=KeyProject) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _by_row(page: str) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for row, column, message in row_errors(page):
        found.setdefault(int(row), []).append((column, message))
    return found


@pytest.fixture
def leader(make):
    return make.leader("王振宇", "副区长", head_kind=None)


def test_a_good_sheet_with_title_rows_dates_and_procedures_imports_on_confirmation(
    app, client, people, login, leader, upload
):
    rows = [
        ["2026年全区重点项目计划表"],
        ["填报日期：2026年11月"],
        list(HEADERS),
        key_row(
            项目名称="城中村改造一期",
            所属工程="城中村改造工程",
            项目类别="新建",
            项目级别="市重点",
            包保领导="王振宇",
            联络单位="北山镇",
            资金渠道="专项债",
            计划开工日期="2026/3/1",
            实际开工日期=date(2026, 4, 18),
            是否入统="是",
            形象进度目标="年底主体封顶",
            **(dict.fromkeys(PROCEDURE_KINDS, "2026年1月10日") | {"环评": "不需要"}),
        ),
        key_row(
            项目名称="智能装备产业园",
            项目类别="拟开工",
            **{"总投资（万元）": "150000.50", "年度计划投资（万元）": "30000.25"},
            施工许可="办理中",
            环评="2026.3.20",
            稳评="未办",
        ),
        [None] * len(HEADERS),
        ["合计", None, None, None, None, "170000.50", "36000.25"],
    ]
    login(people["bureau"])
    page = upload(KIND, xlsx(rows))
    assert 'data-testid="check-ok"' in page, row_errors(page) if "row-errors" in page else page
    assert "可导入 2 个重点项目，其中新建 1 个、拟开工 1 个" in page
    assert "总投资 17.00 亿元，年度计划投资 3.60 亿元" in page
    assert _count(app) == 0  # checking writes nothing
    response = client.post(f"/imports/confirm/{token_of(page)}")
    assert response.status_code == 302
    with app.app_context():
        first = db.session.execute(
            select(KeyProject).where(KeyProject.name == "城中村改造一期")
        ).scalar_one()
        assert (first.year, first.category, first.level) == (2026, "新建", "市重点")
        assert first.leader_id == leader.id and first.liaison_unit_id == people["unit_b"].id
        assert first.unit_id == people["unit_a"].id and first.funding_channel == "专项债"
        assert first.planned_start_on == date(2026, 3, 1)
        assert first.started_on == date(2026, 4, 18) and first.in_statistics
        assert first.goal == "年底主体封顶"
        assert [p.position for p in first.procedures] == list(range(len(PROCEDURE_KINDS)))
        statuses = {p.kind: (p.status, p.done_on) for p in first.procedures}
        assert statuses["环评"] == ("na", None)
        assert statuses["施工许可"] == ("done", date(2026, 1, 10))
        second = db.session.execute(
            select(KeyProject).where(KeyProject.name == "智能装备产业园")
        ).scalar_one()
        assert second.total_investment == 1_500_005_000 and second.annual_plan == 300_002_500
        assert (second.level, second.funding_channel, second.in_statistics) == (
            "区重点",
            "社会投资",
            False,
        )
        statuses = {p.kind: (p.status, p.done_on) for p in second.procedures}
        assert statuses["施工许可"] == ("doing", None)
        assert statuses["环评"] == ("done", date(2026, 3, 20))
        assert statuses["稳评"] == ("todo", None) and statuses["立项(审批/核准/备案)"][0] == "todo"
        reasons = db.session.execute(
            select(HistoryEntry.reason).where(HistoryEntry.table_name == "key_projects")
        ).scalars().all()
        assert len(reasons) == 2 and all(r.startswith("导入重点项目：台账.xlsx") for r in reasons)
        batch = db.session.execute(select(ImportBatch)).scalar_one()
        assert (batch.kind, batch.row_count) == ("keyproject", 2)


def _speech_list() -> list[list]:
    """The speech's list: 107 projects, 45 续建 and 62 新建, 199 亿元 in all, 44 亿元 this year."""
    rows = [list(HEADERS)]
    for i in range(107):
        last = i == 106
        rows.append(
            key_row(
                项目名称=f"重点项目{i + 1:03d}",
                所属工程=("城中村改造工程", "产业升级工程", "基础设施提升工程")[i % 3],
                项目类别="续建" if i < 45 else "新建",
                责任单位="城关街道" if i % 2 else "北山镇",
                实际开工日期="2025-06-01" if i < 45 else None,
                **{
                    "总投资（万元）": "18401.06" if last else "18599.99",
                    "年度计划投资（万元）": "5400" if last else "4100",
                },
            )
        )
    return rows


def test_the_speechs_list_of_107_projects_imports_with_its_exact_totals(
    app, client, people, login, upload
):
    login(people["bureau"])
    page = upload(KIND, xlsx(_speech_list()), "2026年重点项目.xlsx")
    assert 'data-testid="check-ok"' in page
    assert "可导入 107 个重点项目，其中续建 45 个、新建 62 个" in page
    assert "总投资 199.00 亿元，年度计划投资 44.00 亿元" in page
    assert client.post(f"/imports/confirm/{token_of(page)}").status_code == 302
    with app.app_context():
        count, total, plan = db.session.execute(
            select(
                func.count(),
                func.sum(KeyProject.total_investment),
                func.sum(KeyProject.annual_plan),
            ).where(KeyProject.year == 2026)
        ).one()
        assert (count, total, plan) == (107, 1_990_000 * 10_000, 440_000 * 10_000)
        by_category = dict(
            db.session.execute(
                select(KeyProject.category, func.count()).group_by(KeyProject.category)
            ).all()
        )
        assert by_category == {"续建": 45, "新建": 62}
    with app.test_request_context():
        url = url_for("keyprojects.index", year=2026)
    text = re.sub(r"\s+", "", client.get(url).get_data(as_text=True))
    summary = text.split('data-testid="summary">')[1].split("<")[0]
    assert "共107项" in summary, summary
    assert "总投资199.00亿元" in summary and "年度计划44.00亿元" in summary
    # The speech's sentence, on the 台账, in the .xlsx 台账's 合计 row and in the bulletin.
    sentence = ("计划实施重点项目107项，其中续建45项、新建62项，"
                "总投资199亿元，当年计划完成投资44亿元")
    ledger = client.get("/key-projects/figures/ledger?year=2026&month=10").get_data(as_text=True)
    assert sentence in ledger
    sheet = pd.read_excel(io.BytesIO(client.get("/exports/key-ledger?year=2026&month=10").data),
                          header=None, engine="calamine")
    total = sheet[sheet[1].astype(str).str.startswith("合计")].iloc[0]
    assert (total[1], total[6], total[7]) == ("合计（107个）", 1_990_000, 440_000)
    document = docx.Document(io.BytesIO(
        client.get("/bulletins/download?year=2026&month=10&format=docx").data))
    assert any(sentence in p.text for p in document.paragraphs)


def test_a_sheet_with_every_kind_of_bad_row_is_refused_whole_naming_each_row(
    app, client, people, login, make, upload
):
    make.key_project(people["unit_a"], "已在名单的项目", year=2026)
    make.key_project(people["unit_a"], "去年的项目", year=2025)
    rows = [
        list(HEADERS),
        key_row(项目名称="好的项目"),
        key_row(项目名称="计划超总投资", **{"年度计划投资（万元）": "30000"}),
        key_row(项目名称="竣工早于开工", 实际开工日期="2026-05-01", 竣工日期="2026-04-01"),
        key_row(项目名称="要件日期在未来", 环评="2027-01-05"),
        key_row(项目名称="未知单位", 责任单位="不存在镇"),
        key_row(项目名称="好的项目"),
        key_row(项目名称="已在名单的项目"),
        key_row(项目名称="未办齐就开工", 项目类别="新建", 实际开工日期="2026-06-01", 环评="办理中"),
        key_row(项目名称="类别错", 项目类别="在建", 是否入统="也许"),
        key_row(项目名称="年度错", 年度="二〇二六"),
        key_row(项目名称="金额错", **{"总投资（万元）": "abc"}),
        key_row(项目名称="未知领导", 包保领导="查无此人", 联络单位="不存在局"),
        key_row(项目名称="要件写错", 施工许可="已办结", 招投标="差不多了"),
        key_row(项目名称="去年的项目"),  # another year's list may hold the same name
    ]
    login(people["bureau"])
    page = upload(KIND, xlsx(rows))
    by_row = _by_row(page)
    assert set(by_row) == set(range(3, 15))
    expected = {
        3: ("年度计划投资（万元）", "年度计划投资不能大于总投资"),
        4: ("竣工日期", "竣工日期不能早于开工日期"),
        5: ("环评", "办结日期不能晚于今天"),
        6: ("责任单位", "责任单位“不存在镇”不存在"),
        7: ("项目名称", "与第 2 行重名"),
        8: ("项目名称", "2026年重点项目名单中已有“已在名单的项目”"),
        9: ("实际开工日期", "新建项目须先办齐前置要件才能开工，尚缺：立项(审批/核准/备案)"),
        10: ("项目类别", "项目类别须为 续建 / 新建 / 拟开工 / 前期"),
        11: ("年度", "年度“二〇二六”应为四位数字"),
        12: ("总投资（万元）", "“abc”不是数字"),
        13: ("包保领导", "包保领导“查无此人”不存在"),
        14: ("施工许可", "已办结的要件请填写办结日期"),
    }
    for row, (column, message) in expected.items():
        assert any(c == column and message in m for c, m in by_row[row]), (row, by_row[row])
    assert any(c == "环评" for c, _m in by_row[9]) is False  # 办理中 is a valid cell
    assert any("环评" in m for _c, m in by_row[9])  # and named as missing
    assert any(c == "是否入统" for c, _m in by_row[10])
    assert any(c == "联络单位" and "不存在局" in m for c, m in by_row[13])
    assert any(c == "招投标" and "不需要" in m for c, m in by_row[14])
    assert "整个文件都<strong>没有导入</strong>" in page and 'data-testid="confirm"' not in page
    assert _count(app) == 2 and _count(app, ImportBatch) == 0 and _count(app, KeyProcedure) == 0
    # The copy of the file with a 错误说明 column.
    response = client.get(f"/imports/errors/{token_of(page)}")
    assert response.status_code == 200
    copy = pd.read_excel(io.BytesIO(response.data), engine="calamine", header=2, dtype=object)
    assert list(copy.columns[-2:]) == ["错误说明", "原行号"]
    explained = dict(zip(copy["原行号"], copy["错误说明"], strict=True))
    assert pd.isna(explained[2]) or explained[2] == ""
    assert "年度计划投资（万元）：年度计划投资不能大于总投资" in explained[3]
    assert "环评：办结日期不能晚于今天" in explained[5]
    # Nobody else may download it.
    login(people["unit"])
    assert client.get(f"/imports/errors/{token_of(page)}").status_code == 404


def test_the_same_sheet_twice_is_recognised_and_not_imported_again(
    app, client, people, login, upload
):
    content = xlsx([list(HEADERS), key_row()])
    login(people["bureau"])
    client.post(f"/imports/confirm/{token_of(upload(KIND, content))}")
    page = upload(KIND, content, filename="改了名字.xlsx")
    assert 'data-testid="file-error"' in page and "不会重复导入" in page and "bureau1" in page
    assert _count(app) == 1


def test_a_unit_imports_only_its_own_units_rows(app, client, people, login, upload):
    rows = [
        list(HEADERS),
        key_row(项目名称="本单位项目", 责任单位=""),
        key_row(项目名称="他单位项目", 责任单位="北山镇"),
    ]
    login(people["unit"])
    page = upload(KIND, xlsx(rows))
    assert row_errors(page) == [("3", "责任单位", "只能登记本单位的重点项目")]
    assert _count(app) == 0
    page = upload(KIND, xlsx(rows[:2]))
    client.post(f"/imports/confirm/{token_of(page)}")
    with app.app_context():
        assert db.session.execute(select(KeyProject.unit_id)).scalar_one() == people["unit_a"].id


def test_another_units_list_is_not_revealed_by_the_name_check(
    app, client, people, login, make, upload
):
    make.key_project(people["unit_b"], "河西片区改造项目", year=2026)
    login(people["unit"])
    page = upload(KIND, xlsx([list(HEADERS), key_row(项目名称="河西片区改造项目", 责任单位="")]))
    assert row_errors(page) == [
        ("2", "项目名称", "2026年重点项目名单中已有“河西片区改造项目”，不能重复导入")
    ]
    assert "北山镇" not in page.split('data-testid="row-errors"')[1]


def test_the_import_screen_documents_the_headers_and_offers_the_template(
    client, people, login, upload
):
    login(people["bureau"])
    page = client.get(f"/imports/?kind={KIND}").get_data(as_text=True)
    assert 'data-testid="keyproject-help"' in page and f"/imports/template/{KIND}" in page
    for header in HEADERS:
        assert header in page
    template = client.get(f"/imports/template/{KIND}")
    assert template.status_code == 200
    book = io.BytesIO(template.data)
    headers = pd.read_excel(book, engine="calamine", dtype=object).columns
    assert list(headers) == list(HEADERS)
    explained = pd.read_excel(book, sheet_name="填表说明", header=2, engine="calamine")
    assert list(explained["列名"]) == list(HEADERS)
    assert "表头下没有数据行" in upload(KIND, template.data, "模板.xlsx")


@pytest.mark.parametrize("role", ["leader", "admin", "auditor"])
def test_roles_that_do_not_write_cannot_import_key_projects(client, people, login, role):
    login(people[role])
    assert client.get(f"/imports/?kind={KIND}").status_code == 403
    assert client.get(f"/imports/template/{KIND}").status_code == 403
    response = client.post(f"/imports/{KIND}/check", data={})
    assert response.status_code in (400, 403)


def test_a_gbk_csv_with_only_the_required_columns_imports(app, client, people, login, upload):
    content = csv_bytes([list(REQUIRED), ["2026年", "GBK编码项目（一期）", "民生保障工程",
                                          "前期", "1200.5", "0", "北山镇"]], "gbk")  # fmt: skip
    login(people["bureau"])
    page = upload(KIND, content, "wps导出.csv")
    assert 'data-testid="check-ok"' in page, re.sub(r"<[^>]+>", " ", page)[-3000:]
    assert "文件中没有以下可选列" in page
    client.post(f"/imports/confirm/{token_of(page)}")
    with app.app_context():
        project = db.session.execute(select(KeyProject)).scalar_one()
        assert (project.name, project.total_investment, project.annual_plan) == (
            "GBK编码项目（一期）",
            12_005_000,
            0,
        )
        assert project.procedures == []


def test_a_started_new_project_with_every_procedure_done_or_not_needed_imports(
    app, client, people, login, upload
):
    procedures = dict.fromkeys(PROCEDURE_KINDS, "2026-02-01") | {"能评": "不需要"}
    rows = [list(HEADERS), key_row(项目类别="新建", 实际开工日期="2026-03-01", **procedures)]
    login(people["bureau"])
    page = upload(KIND, xlsx(rows))
    assert 'data-testid="check-ok"' in page
    missing_one = {**procedures, "能评": ""}
    rows = [list(HEADERS), key_row(项目类别="拟开工", 实际开工日期="2026-03-01", **missing_one)]
    page = upload(KIND, xlsx(rows))
    assert row_errors(page) == [
        ("2", "实际开工日期", "拟开工项目须先办齐前置要件才能开工，尚缺：能评")
    ]


def test_the_command_line_import_of_the_list_with_dry_run(app, runner, people, tmp_path):
    path = tmp_path / "重点项目.xlsx"
    path.write_bytes(xlsx([list(HEADERS), key_row(), key_row(项目名称="二号项目")]))
    args = ["import-key-projects", str(path), "--as"]
    result = runner.invoke(args=[*args, "bureau1", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "可导入 2 个重点项目" in result.output and "检查通过" in result.output
    assert _count(app) == 0
    result = runner.invoke(args=[*args, "unitb"])
    assert result.exit_code == 1
    assert "第 2 行 [责任单位]：只能登记本单位的重点项目" in result.output
    result = runner.invoke(args=[*args, "bureau1"])
    assert result.exit_code == 0 and "已导入 2 行" in result.output
    assert _count(app) == 2
    result = runner.invoke(args=[*args, "bureau1"])
    assert result.exit_code == 2 and "不会重复导入" in result.output
