"""The key-project 台账 as .xlsx: layout as printed, subtotals and 合计 equal to the figures,
no formula cells, scoped to the unit, logged like every export."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from app.core.money import yuan_to_wan
from tests.downloads import download_name, export_event
from tests.imports.test_exports import NS, cells_of
from tests.keyprojects.key_district import QUERY, figures_for, key_district_fixture  # noqa: F401

URL = f"/exports/key-ledger?{QUERY}"
HEADERS = [
    "序号", "项目名称", "类别", "级别", "建设单位/责任单位", "包保领导", "总投资", "年度计划",
    "本月完成", "累计完成", "完成率", "落后时间进度", "形象进度", "亮灯", "三类现象", "是否入统",
]  # fmt: skip
FIRST_DATA_ROW = 4  # title, 填报单位 line, group headers, headers


def _export(client, login, user, url: str = URL) -> list[list]:
    login(user)
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return cells_of(response.data)


def text_cells(content: bytes) -> dict[str, bool]:
    """Each text cell (shared strings: the sheet has merged headers) and whether it is written
    with a quote prefix; fails on any formula cell."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))  # noqa: S314
        strings = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    quoted = [xf.get("quotePrefix") == "1" for xf in styles.find("m:cellXfs", NS)]
    texts = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in strings]
    assert sheet.find(".//m:f", NS) is None, "a formula cell was written"
    return {
        texts[int(cell.find("m:v", NS).text)]: quoted[int(cell.get("s", 0))]
        for cell in sheet.iter(f"{{{NS['m']}}}c")
        if cell.get("t") == "s"
    }


def _by_label(rows: list[list]) -> dict[str, list]:
    return {r[1]: r for r in rows[FIRST_DATA_ROW:] if isinstance(r[1], str)}


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_ledger_is_laid_out_as_printed(client, login, people, key_district):
    rows = _export(client, login, people["bureau"])
    assert rows[0][0] == "2026年重点项目推进情况台账（1—10月）"
    assert "填报单位：区投资促进局" in rows[1][0] and "数据截至 2026年10月31日" in rows[1][0]
    assert [rows[2][0], rows[2][6], rows[2][12]] == ["基本情况", "投资情况（万元）", "推进情况"]
    assert rows[3] == HEADERS
    by = _by_label(rows)
    kp1 = by["城南污水处理厂"]
    assert kp1[2:6] == ["续建", "区重点", "城关街道", "李副区长"]
    assert [kp1[6], kp1[7], kp1[8], kp1[9]] == [20000, 6000, 500, 5000]
    assert round(kp1[10], 4) == 0.8333 and kp1[11] == 0 and kp1[13] == "绿灯"
    assert kp1[12] == "主体施工第10月" and kp1[15] == "是"  # November's report does not count
    kp3 = by["北山文旅综合体"]
    assert kp3[8] == 0 and kp3[9] == 3000 and kp3[13] == "绿灯" and kp3[15] == "否"
    # Programme by programme: the projects then their 小计, numbered through; 合计 last.
    labels = [r[1] for r in rows[FIRST_DATA_ROW:]]
    assert labels == [
        "=SUM(A1)智能装备园", "产业升级工程小计（1个）",
        "城南污水处理厂", "北山文旅综合体", "基础设施工程小计（2个）", "合计（3个）",
    ]  # fmt: skip
    assert [r[0] for r in rows[FIRST_DATA_ROW:]] == [1, None, 2, 3, None, None]
    assert download_name(client.get(URL)).startswith("重点项目台账_2026年1-10月_")


def test_subtotals_and_total_equal_the_figures(app, client, login, people, key_district):
    rows = _export(client, login, people["bureau"])
    by = _by_label(rows)
    ledger = figures_for(app, people["bureau"], lambda ledger: ledger)
    groups = [(f"{g.label}小计（{g.count}个）", g) for g in ledger.programmes]
    groups.append((f"合计（{ledger.total.count}个）", ledger.total))
    for label, group in groups:
        row = by[label]
        assert _money(row[6]) == yuan_to_wan(group.total_investment)
        assert _money(row[7]) == yuan_to_wan(group.annual_plan)
        assert _money(row[8]) == yuan_to_wan(sum(r.month_invested for r in group.rows))
        assert _money(row[9]) == yuan_to_wan(group.completed)
        assert Decimal(str(round(row[10] * 100, 2))) == group.rate
        assert Decimal(str(round(row[11], 2))) == group.lag
    total = by["合计（3个）"]  # and by hand (docstring of the fixture)
    assert [total[6], total[7], total[8], total[9]] == [40000, 13000, 700, 9200]
    assert round(total[10], 4) == 0.7077 and round(total[11], 2) == 12.56 and total[13] == "红灯"
    infra = by["基础设施工程小计（2个）"]
    assert [infra[6], infra[7], infra[9]] == [32000, 9000, 8000] and round(infra[11], 2) == -5.56
    assert len(rows) - FIRST_DATA_ROW == len(ledger.rows) + len(ledger.programmes) + 1


def test_no_cell_is_a_formula_and_typed_text_is_escaped(client, login, people, key_district):
    login(people["bureau"])
    content = client.get(URL).data
    cells = text_cells(content)
    assert cells["=SUM(A1)智能装备园"] is True and cells["+桩基施工"] is True
    assert cells["城南污水处理厂"] is False


def test_the_sheet_prints_on_a3_landscape_one_page_wide_with_repeated_headers(
    client, login, people, key_district
):
    login(people["bureau"])
    content = client.get(URL).data
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        book = archive.read("xl/workbook.xml").decode()
    assert 'orientation="landscape"' in sheet and 'paperSize="8"' in sheet
    assert 'fitToHeight="0"' in sheet and "fitToPage" in sheet
    assert 'state="frozen"' in sheet and 'ySplit="4"' in sheet
    assert '<mergeCell ref="G3:L3"/>' in sheet and '<mergeCell ref="A1:P1"/>' in sheet
    assert "_xlnm.Print_Titles" in book and "$3:$4" in book


def test_a_unit_exports_only_its_own_key_projects(app, client, login, people, key_district):
    rows = _export(client, login, people["unit"])
    labels = [r[1] for r in rows[FIRST_DATA_ROW:]]
    assert "北山文旅综合体" not in labels and "去年的重点项目" not in labels
    assert "填报单位：城关街道" in rows[1][0]
    total = _by_label(rows)["合计（2个）"]
    assert [total[6], total[7], total[8], total[9]] == [28000, 10000, 700, 6200]
    assert round(total[11], 2) == 21.33
    assert export_event(app).detail["rows"] == 5  # two projects, two 小计, the 合计


def test_the_other_unit_sees_only_its_project(client, login, people, key_district):
    rows = _export(client, login, people["other_unit"])
    labels = [r[1] for r in rows[FIRST_DATA_ROW:]]
    assert labels == ["北山文旅综合体", "基础设施工程小计（1个）", "合计（1个）"]


def test_the_export_is_logged_with_its_row_count(app, client, login, people, key_district):
    _export(client, login, people["bureau"])
    event = export_event(app)
    assert event.username == "bureau1" and event.detail["export"] == "key-ledger"
    assert event.detail["what"] == "重点项目台账"
    assert event.detail["filter"] == {"year": "2026", "month": "10"}
    assert event.detail["rows"] == 6  # three projects, two 小计, the 合计


@pytest.mark.parametrize(("role", "status"), [("leader", 200), ("admin", 200), ("auditor", 403)])
def test_who_may_export_the_ledger(client, login, people, key_district, role, status):
    login(people[role])
    assert client.get(URL).status_code == status


def test_a_year_without_key_projects_gives_an_empty_ledger_not_an_error(client, login, people):
    rows = _export(client, login, people["bureau"], "/exports/key-ledger?year=2024&month=12")
    assert rows[0][0] == "2024年重点项目推进情况台账（1—12月）"
    assert rows[FIRST_DATA_ROW][1] == "合计（0个）"


@pytest.mark.parametrize(
    "query", ["year=abc&month=13", f"year={'9' * 5000}", "month=-1", "year=²&month=²", "year=2027"]
)
def test_bad_periods_fall_back_to_the_default_period(client, login, people, query):
    rows = _export(client, login, people["bureau"], f"/exports/key-ledger?{query}")
    assert rows[0][0] == "2026年重点项目推进情况台账（1—10月）"


def test_the_ledger_page_offers_its_period_as_xlsx(client, login, people, key_district):
    import lxml.html

    login(people["bureau"])
    page = lxml.html.fromstring(client.get(f"/key-projects/figures/ledger?{QUERY}").data)
    href = page.xpath('string(//a[@data-testid="export-ledger"]/@href)')
    assert href == URL
    assert client.get(href).status_code == 200
