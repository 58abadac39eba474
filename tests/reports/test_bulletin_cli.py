"""`flask bulletin`: writes both files (the issued ones for a closed month); bad input exits 2."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.reports import closing
from tests.factories import PASSWORD

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


def test_the_terminal_shows_each_step_of_the_bulletin(runner, district, tmp_path):
    result = runner.invoke(args=["bulletin", "--year", "2026", "--month", "10", "--out",
                                 str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "生成 Word 和 Excel 文件" in result.stderr and "2/2" in result.stderr, result.stderr


def test_a_queued_bulletin_is_the_users_job_with_both_files(app, client, runner, district,
                                                             people, login, worker):  # fmt: skip
    import io
    import zipfile

    bureau = people["bureau"]
    result = runner.invoke(args=["bulletin", "--year", "2026", "--month", "10", "--queue",
                                 "--user", bureau.username])  # fmt: skip
    assert result.exit_code == 0, result.output
    job_id = int(result.output.split("任务 #")[1].split("（")[0])
    assert worker() == 1
    login(bureau)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "已完成" in page and "未月结，按当前数据生成" in page, page
    download = client.get(f"/jobs/{job_id}/file")
    assert download.status_code == 200
    names = set(zipfile.ZipFile(io.BytesIO(download.data)).namelist())
    assert names == {DOCX_NAME, XLSX_NAME}
    other = app.test_client()  # another user's job is not theirs to see
    other.post("/login", data={"username": people["unit"].username, "password": PASSWORD})
    assert other.get("/jobs/").status_code == 200
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}/file").status_code == 404


def test_queueing_needs_a_bureau_account(runner, people):
    no_user = runner.invoke(args=["bulletin", "--year", "2026", "--month", "10", "--queue"])
    assert no_user.exit_code == 2 and "请用 --user 指定" in no_user.output
    unit = runner.invoke(args=["bulletin", "--year", "2026", "--month", "10", "--queue",
                               "--user", people["unit"].username])  # fmt: skip
    assert unit.exit_code == 2 and "不是在用的投资促进局账户" in unit.output
