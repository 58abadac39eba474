"""The bulletin's sentences carry the hand-computed figures; its .docx and .xlsx are sound."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pandas as pd

from app.reports import bulletin
from app.reports.figures.period import Period
from tests.reports.conftest import BUREAU, OCTOBER

ON = date(2026, 11, 22)

SHEETS = [
    "主要指标", "目标任务完成情况", "到位资金情况表", "红榜", "黑榜", "领导外出招商",
    "党政同时外出", "进而不快项目", "超时限未开工", "逾期未办结问题", "逾期未兑现承诺",
]  # fmt: skip


def _make(period=OCTOBER):
    return bulletin.make_bulletin(BUREAU, period, ON)


def _document_text(data: bytes) -> tuple[str, str]:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    return xml, "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def test_the_summary_states_the_hand_computed_figures(district, in_request):
    made = in_request(_make)
    text = "".join(made.paragraphs)
    assert made.title == "2026年1—10月全区招商引资工作通报"
    assert "2026年1—10月，全区新签约项目3个，合同投资1.75亿元，其中亿元以上项目1个。" in text
    assert "签约项目中已开工1个，签约落地率33.3%（1/3），按合同投资额计57.1%" in text
    assert "（2025年签约项目落地率100.0%，1/1）" in text
    assert "注册率66.7%、投产率0.0%；签约项目累计到位资金0.60亿元，资金到位率34.3%。" in text
    assert "全区履约项目3个，其中本期新签约2个；按资金来源，国内省外6,500.00万元（3个项目）" in text
    assert (
        "全区到位资金0.65亿元，完成年度目标1.20亿元的54.17%，落后时间进度29.17个百分点"
        "（时间进度83.33%）。" in text
    )
    assert "绿灯0个、黄灯0个、红灯2个" in text
    assert "城关街道（68.75%）列入红榜；居后的北山镇（25.00%）列入黑榜" in text
    assert "1名党政主要负责人共外出招商0次" in text and "累计10个月" in text
    assert "None" not in text


def test_ahead_of_time_progress_reads_chao_jindu(district, make, people, in_request, app):
    from sqlalchemy import update

    from app.extensions import db
    from app.targets.models import Target

    with app.app_context():  # targets of 3,000 + 3,000 万: 6,500/6,000 = 108.33 %, lag −25.0
        db.session.execute(update(Target).values(funds_total=3_000 * 10_000))
        db.session.commit()
    text = "".join(in_request(_make).paragraphs)
    assert "完成年度目标0.60亿元的108.33%，超进度25.00个百分点" in text
    assert "落后时间进度" not in text


def test_a_year_without_data_gives_dashes_not_errors(people, in_request):
    made = in_request(_make, Period(2024, 12))
    text = "".join(made.paragraphs)
    assert "2024年1—12月，全区暂无新签约项目。" in text
    assert "签约落地率、注册率、开工率、投产率和资金到位率均记为“—”" in text
    assert "全区暂无已核实的到位资金，年度目标任务尚未下达。" in text
    assert "暂不排名" in text and "尚未登记党政主要负责人" in text
    docx = in_request(bulletin.docx_bytes, made)
    _xml, words = _document_text(docx)
    assert "None" not in words and "本期无。" in words
    sheets = _sheets(in_request(bulletin.xlsx_bytes, made)[0])
    figures = dict(zip(sheets["主要指标"][0][3:], sheets["主要指标"][1][3:], strict=True))
    assert figures["签约落地率"] == "—" and figures["到位资金目标完成率"] == "—"
    assert figures["新签约项目"] == "0 个"
    for frame in sheets.values():
        assert "None" not in frame.astype(str).to_numpy().tolist().__str__()


def test_the_docx_sets_the_east_asian_font_and_shows_the_tables(district, in_request):
    made = in_request(_make)
    xml, words = _document_text(in_request(bulletin.docx_bytes, made))
    assert 'w:eastAsia="仿宋_GB2312"' in xml and 'w:eastAsia="方正小标宋简体"' in xml
    assert "2026年1—10月全区招商引资工作通报" in words and "区投资促进局" in words
    for heading in ("二、各单位目标任务完成情况", "三、到位资金情况", "四、红榜和黑榜",
                    "五、领导外出招商情况", "六、进而不快项目", "七、逾期未办结问题"):  # fmt: skip
        assert heading in words
    assert "招商引资到位资金情况表" in words and "履约项目（个）" in words
    assert 'w:orient="landscape"' in xml and "FFC7CE" in xml  # wide tables; red lights


def test_the_issuer_is_a_setting(district, app, in_request):
    app.config["BULLETIN_ISSUER"] = "某某区招商服务中心"
    made = in_request(_make)
    assert made.issuer == "某某区招商服务中心"
    assert "某某区招商服务中心" in _document_text(in_request(bulletin.docx_bytes, made))[1]


def test_the_workbook_has_one_sheet_per_table_and_escapes_formulas(
    district, make, people, in_request
):
    # a lead long past its 30 days: on the stalled list
    make.project(people["unit_a"], '=HYPERLINK("http://evil.example","点我")', "公式投资有限公司",
                 lead_on=date(2026, 1, 2))  # fmt: skip
    made = in_request(_make)
    data, rows = in_request(bulletin.xlsx_bytes, made)
    sheets = _sheets(data)
    assert list(sheets) == SHEETS
    assert rows >= 5
    stalled = sheets["进而不快项目"]
    assert stalled.iloc[0, 0] == "2026年1—10月超时限未推进项目（截至2026年11月22日）"
    assert stalled.iloc[2, 1] == "项目名称"
    assert '=HYPERLINK("http://evil.example","点我")' in stalled[1].tolist()
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.read("xl/workbook.xml").decode()
        assert names.index('name="进而不快项目"') < names.index('name="超时限未开工"')
        number = SHEETS.index("进而不快项目") + 1
        sheet_xml = book.read(f"xl/worksheets/sheet{number}.xml").decode()
        assert "<f>" not in sheet_xml  # written as text, never as a formula
        assert 'quotePrefix="1"' in book.read("xl/styles.xml").decode()
        assert '<pane ySplit="3"' in sheet_xml  # frozen below title, note and header
    red = sheets["红榜"].iloc[3].tolist()
    assert red[:2] == [1, "城关街道"] and red[3] == 5500 and round(red[4], 4) == 0.6875
    units = sheets["目标任务完成情况"][1].tolist()
    assert "城关街道" in units and units[-1] == "全区合计"
    trips = sheets["领导外出招商"]
    assert trips.iloc[-1, 0] == "合计" and trips.iloc[-1].tolist()[-1] == 10  # missed months


def _sheets(data: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=object,
                         engine="calamine")  # fmt: skip
