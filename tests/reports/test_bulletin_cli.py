"""`flask bulletin`: writes both files (the issued ones for a closed month); bad input exits 2."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.reports import closing

DOCX_NAME = "2026年1-10月全区招商引资工作通报.docx"
XLSX_NAME = "2026年1-10月全区招商引资工作通报（附表）.xlsx"


def test_an_open_month_is_generated_as_the_bureau_sees_it(runner, district, tmp_path):
    out = tmp_path / "out" / "nested"
    result = runner.invoke(args=["bulletin", "--year", "2026", "--month", "10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "未月结，按当前数据生成（全区范围）" in result.output
    assert (out / DOCX_NAME).read_bytes().startswith(b"PK")
    assert (out / XLSX_NAME).read_bytes().startswith(b"PK")
    assert str((out / DOCX_NAME).resolve()) in result.output


def test_a_closed_month_gives_the_issued_files(app, client, runner, district, people, login,
                                               tmp_path, worker):  # fmt: skip
    login(people["bureau"])
    client.post("/bulletins/close", data={"year": "2026", "month": "10", "confirm": "y"})
    worker()
    result = runner.invoke(args=["bulletin", "--year", "2026", "--month", "10", "--out",
                                 str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "已月结" in result.output
    with app.app_context():
        close = closing.month_close(2026, 10)
        assert (tmp_path / DOCX_NAME).read_bytes() == close.docx
        assert (tmp_path / XLSX_NAME).read_bytes() == close.xlsx
        db.session.rollback()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "abc", "--month", "10"], "年份和月份须为数字"),
        (["--year", "2026", "--month", "13"], "月份须在 1—12 之间"),
        (["--year", "1999", "--month", "1"], "年份须在 2000—"),
        (["--month", "10"], "请用 --year 和 --month 指定年份和月份"),
        (["--year", "2026", "--month", "10"], "请用 --out 指定输出目录"),
    ],
)
def test_bad_arguments_exit_2_with_a_chinese_message(runner, people, tmp_path, args, message):
    out = tmp_path / "out"
    if "请用 --out" not in message:
        args = [*args, "--out", str(out)]
    result = runner.invoke(args=["bulletin", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_an_output_path_that_is_a_file_is_refused(runner, people, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = runner.invoke(args=["bulletin", "--year", "2026", "--month", "10", "--out",
                                 str(blocker)])  # fmt: skip
    assert result.exit_code == 2 and "错误：" in result.output
