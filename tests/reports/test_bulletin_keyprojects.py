"""The bulletin's 重点项目推进情况: its sentences and table say what the figures say, in the
.docx and as one sheet of the .xlsx; a unit's bulletin holds only its own key projects."""

from __future__ import annotations

import io
import math

import docx
import pandas as pd

from app.auth.models import User
from app.core import scoping
from app.extensions import db
from app.reports import bulletin
from app.reports.figures import keyprojects as kf
from tests.keyprojects.key_district import OCTOBER, QUERY, figures_for, key_district_fixture  # noqa: F401

DOCX = f"/bulletins/download?{QUERY}&format=docx"
XLSX = f"/bulletins/download?{QUERY}&format=xlsx"
SENTENCES = (
    "2026年1—10月，计划实施重点项目3项，其中续建2项、新建1项，总投资4亿元，当年计划完成投资1.3亿元。"
    "去年结转的2个项目，2个已开工建设；1个新开工项目，0个已开始地基施工。"
    "前十个月完成投资落后时间进度12.56个百分点。"
)
COUNTS = "亿元以上项目2个；已开工未入库项目1个；三类现象：包而不推1个、推而不进1个、进而不快1个。"
TABLE = [
    ["工程", "项目数（个）", "总投资（万元）", "年度计划（万元）", "累计完成（万元）", "完成率",
     "落后时间进度（百分点）", "亮灯"],
    ["产业升级工程", "1", "8,000.00", "4,000.00", "1,200.00", "30.00%", "53.33", "红灯"],
    ["基础设施工程", "2", "32,000.00", "9,000.00", "8,000.00", "88.89%", "-5.56", "绿灯"],
    ["合计", "3", "40,000.00", "13,000.00", "9,200.00", "70.77%", "12.56", "红灯"],
]  # fmt: skip


def _document(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


def _section(paragraphs: list[str]) -> list[str]:
    start = next(i for i, p in enumerate(paragraphs) if p.endswith("、重点项目推进情况"))
    return paragraphs[start:]


def _key_table(tables: list[list[list[str]]]) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == "工程")


def _sheet(data: bytes, name: str = "重点项目推进情况") -> list[list]:
    frame = pd.read_excel(io.BytesIO(data), engine="calamine", header=None, dtype=object,
                          sheet_name=name)  # fmt: skip
    return [
        [None if isinstance(v, float) and math.isnan(v) else v for v in row]
        for row in frame.to_numpy().tolist()
    ]


def test_the_docx_section_states_the_sentences_and_the_programme_table(
    client, login, people, key_district
):
    login(people["bureau"])
    response = client.get(DOCX)
    assert response.status_code == 200
    paragraphs, tables = _document(response.data)
    section = _section(paragraphs)
    assert section[0] == "八、重点项目推进情况"
    assert SENTENCES in section and COUNTS in section
    assert "各工程重点项目推进情况" in section
    assert _key_table(tables) == TABLE


def test_the_sentences_and_table_are_the_figures_own(app, client, login, people, key_district):
    login(people["bureau"])
    paragraphs, tables = _document(client.get(DOCX).data)

    def expected(ledger):
        lag = kf.lag_sentence(ledger.total, ledger.period)
        return kf.headline(ledger), kf.roll_call_sentence(ledger), lag, ledger

    headline, roll_call, lag, ledger = figures_for(app, people["bureau"], expected)
    text = "".join(_section(paragraphs))
    assert headline in text and roll_call in text and lag in text
    rows = {r[0]: r for r in _key_table(tables)[1:]}
    for group in (*ledger.programmes, ledger.total):
        assert rows[group.label][1] == str(group.count)
        assert rows[group.label][5] == f"{group.rate}%" and rows[group.label][6] == str(group.lag)


def test_the_xlsx_has_the_section_as_one_sheet(client, login, people, key_district):
    login(people["bureau"])
    response = client.get(XLSX)
    assert response.status_code == 200
    rows = _sheet(response.data)
    assert rows[0][0] == "2026年1—10月重点项目推进情况"
    assert rows[2] == TABLE[0]
    body = {r[0]: r for r in rows[3:] if r[0]}
    assert body["合计"][1:5] == [3, 40000, 13000, 9200]
    assert round(body["合计"][5], 4) == 0.7077 and round(body["合计"][6], 2) == 12.56
    assert body["合计"][7] == "红灯"
    assert body["基础设施工程"][1:5] == [2, 32000, 9000, 8000]
    assert body["亿元以上项目"][1] == 2 and body["已开工未入库项目"][1] == 1
    assert [body[f"三类现象：{n}"][1] for n in ("包而不推", "推而不进", "进而不快")] == [1, 1, 1]
    assert SENTENCES in body


def _unit_bulletin(app, user):
    with app.test_request_context():
        actor = db.session.get(User, user.id)
        with scoping.acting_as(db.session, actor):
            try:
                made = bulletin.make_bulletin(actor, OCTOBER)
                return bulletin.docx_bytes(made), bulletin.xlsx_bytes(made)[0]
            finally:
                db.session.rollback()


def test_a_units_bulletin_has_only_its_own_key_projects(app, people, key_district):
    docx_data, xlsx_data = _unit_bulletin(app, people["unit"])
    paragraphs, tables = _document(docx_data)
    text = "".join(_section(paragraphs))
    assert "计划实施重点项目2项，其中续建1项、新建1项，总投资2.8亿元，当年计划完成投资1亿元" in text
    assert "前十个月完成投资落后时间进度21.33个百分点" in text
    assert "已开工未入库项目0个；三类现象：包而不推0个、推而不进0个、进而不快1个。" in text
    table = _key_table(tables)
    assert table[-1] == [
        "合计",
        "2",
        "28,000.00",
        "10,000.00",
        "6,200.00",
        "62.00%",
        "21.33",
        "红灯",
    ]
    rows = _sheet(xlsx_data)
    assert "北山文旅综合体" not in str(rows)
    assert {r[0]: r for r in rows[3:] if r[0]}["合计"][1:5] == [2, 28000, 10000, 6200]


def test_a_unit_without_key_projects_has_no_such_section(app, people, make, key_district):
    lonely = make.user("unitc", "unit", unit=make.unit("南湖镇"))
    docx_data, xlsx_data = _unit_bulletin(app, lonely)
    paragraphs, _tables = _document(docx_data)
    assert not any(p.endswith("重点项目推进情况") for p in paragraphs)
    assert (
        "重点项目推进情况" not in pd.ExcelFile(io.BytesIO(xlsx_data), engine="calamine").sheet_names
    )


def test_the_bulletin_of_a_month_with_reports_of_later_months_ignores_them(
    client, login, people, key_district
):
    login(people["bureau"])
    paragraphs, _tables = _document(client.get(DOCX.replace("month=10", "month=11")).data)
    text = "".join(_section(paragraphs))
    # November adds kp1's 800: 10,000 of 13,000 = 76.92 %, time progress 91.67 → lag 14.74.
    assert "前十一个月完成投资落后时间进度14.74个百分点" in text
