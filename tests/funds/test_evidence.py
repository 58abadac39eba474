"""Evidence files: type by content, size limit, stored under instance/, served to the scope."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.funds.conftest import entries, entry_form

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _upload(client, project, content: bytes, filename: str, **overrides):
    data = entry_form(**overrides)
    data["evidence"] = (io.BytesIO(content), filename)
    return client.post(
        f"/funds/new?project_id={project.id}", data=data, content_type="multipart/form-data"
    )


@pytest.mark.parametrize(
    ("content", "mime"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_a_pdf_png_or_jpeg_is_kept_under_instance_and_served_as_a_download(
    app, client, people, login, projects, content, mime
):
    login(people["unit"])
    response = _upload(client, projects["a"], content, "银行回单.dat")
    assert response.status_code == 302
    [entry] = entries(app)
    assert entry.evidence_type == mime and entry.evidence_name == "银行回单.dat"
    stored = Path(app.instance_path) / "evidence" / entry.evidence_path
    assert stored.read_bytes() == content
    assert "static" not in str(stored)
    download = client.get(f"/funds/{entry.id}/evidence")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Type"].startswith(mime)
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_named_pdf_that_is_not_one_is_refused(app, client, people, login, projects):
    login(people["unit"])
    page = _upload(
        client, projects["a"], b"MZ\x90\x00 an executable", "回单.pdf", evidence_ref="KEEP-ME"
    ).get_data(as_text=True)
    assert "凭证文件只能是 PDF、JPG 或 PNG" in page and 'value="KEEP-ME"' in page
    assert entries(app) == []
    assert not any((Path(app.instance_path) / "evidence").glob("**/*.*"))


def test_a_file_over_ten_megabytes_is_refused(app, client, people, login, projects):
    login(people["unit"])
    big = PDF + b"0" * (10 * 1024 * 1024)
    page = _upload(client, projects["a"], big, "扫描件.pdf").get_data(as_text=True)
    assert "凭证文件不能超过 10 MB" in page
    assert entries(app) == []


def test_an_upload_over_the_request_limit_gets_a_chinese_message(client, people, login, projects):
    login(people["unit"])
    response = _upload(client, projects["a"], PDF + b"0" * (50 * 1024 * 1024), "大文件.pdf")
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)


def test_a_refused_form_removes_the_stored_file_and_asks_to_choose_it_again(
    app, client, people, login, projects
):
    login(people["unit"])
    page = _upload(client, projects["a"], PDF, "回单.pdf", amount_wan="abc").get_data(as_text=True)
    assert "凭证文件需要重新选择" in page
    assert not any((Path(app.instance_path) / "evidence").glob("**/*.pdf"))


def test_evidence_is_served_only_within_the_scope(app, client, people, login, projects):
    login(people["other_unit"])
    assert _upload(client, projects["b"], PDF, "b.pdf").status_code == 302
    [entry] = entries(app)
    login(people["unit"])
    assert client.get(f"/funds/{entry.id}/evidence").status_code == 404
    login(people["leader"])
    assert client.get(f"/funds/{entry.id}/evidence").status_code == 200
    login(people["auditor"])
    assert client.get(f"/funds/{entry.id}/evidence").status_code == 403


class TestOnSharedStorage:
    """UPLOAD_DIR names storage every host reaches: evidence is kept and served from there,
    and a backup copies it (app/core/uploads.py)."""

    @pytest.fixture
    def app_config(self, tmp_path):
        return {"UPLOAD_DIR": str(tmp_path / "shared")}

    def test_evidence_is_kept_under_upload_dir_and_backed_up_from_there(
        self, app, client, runner, people, login, projects, tmp_path
    ):
        login(people["unit"])
        assert _upload(client, projects["a"], PDF, "银行回单.pdf").status_code == 302
        [entry] = entries(app)
        assert (tmp_path / "shared" / "evidence" / entry.evidence_path).read_bytes() == PDF
        assert not (Path(app.instance_path) / "evidence" / entry.evidence_path).exists()
        assert client.get(f"/funds/{entry.id}/evidence").data == PDF
        out = tmp_path / "backup"
        assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
        assert (out / "files" / "evidence" / entry.evidence_path).read_bytes() == PDF
