"""A full upload disk (a 64 KiB tmpfs mounted over the instance's upload folders for the test):
a funds entry with its evidence file, an import upload and an export each answer a Chinese
message, nothing is half-written, and once there is room again the same actions work."""

from __future__ import annotations

import io
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.funds.models import FundsEntry
from app.projects.transfer import COLUMNS
from tests.funds.conftest import entry_form

HEADERS = [column.header for column in COLUMNS]  # the import template's headers
PDF = b"%PDF-1.4\n" + b"0" * 120_000 + b"\n%%EOF\n"  # bigger than the disk


def _mount(path: Path, size: str = "64k") -> bool:
    path.mkdir(parents=True, exist_ok=True)
    command = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]
    done = subprocess.run(command, capture_output=True, check=False)  # noqa: S603, S607
    return done.returncode == 0


@pytest.fixture
def full_disk(app):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folders = [Path(app.instance_path) / name for name in ("evidence", "imports")]
    mounted = [f for f in folders if _mount(f)]
    if len(mounted) != len(folders):
        for folder in mounted:
            subprocess.run(["umount", str(folder)], check=False)  # noqa: S603, S607
        pytest.skip("tmpfs cannot be mounted here")
    yield folders
    for folder in folders:
        subprocess.run(["umount", "-l", str(folder)], check=False)  # noqa: S603, S607


def _entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FundsEntry))


def test_a_full_disk_refuses_an_evidence_file_beside_the_field_and_keeps_what_was_typed(
    app, client, make, people, login, full_disk
):
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 1))
    login(people["unit"])
    response = client.post(
        f"/funds/new?project_id={project.id}",
        data={**entry_form(evidence_ref="PZ-FULL-1"), "evidence": (io.BytesIO(PDF), "回单.pdf")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "服务器存储空间不足" in page and 'value="PZ-FULL-1"' in page
    assert _entries(app) == 0
    assert not any(p.is_file() for p in full_disk[0].rglob("*"))  # no partial file left


def test_a_full_disk_refuses_an_import_upload_with_a_chinese_page(
    app, client, people, login, full_disk
):
    login(people["unit"])
    header = ",".join(HEADERS)
    rows = "".join(f"项目{n},某公司{n}" + "," * (len(HEADERS) - 2) + "\n" for n in range(3000))
    big = ("\ufeff" + header + "\n" + rows).encode()
    response = client.post(
        "/imports/projects/check",
        data={"file": (io.BytesIO(big), "项目.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 507
    assert "服务器存储空间不足" in response.get_data(as_text=True)


def test_with_room_again_the_same_entry_is_saved(app, client, make, people, login, full_disk):
    project = make.project(people["unit_a"], signed_on=date(2026, 2, 1))
    login(people["unit"])
    subprocess.run(["mount", "-o", "remount,size=4m", str(full_disk[0])], check=True)  # noqa: S603, S607
    response = client.post(
        f"/funds/new?project_id={project.id}",
        data={**entry_form(evidence_ref="PZ-FULL-2"), "evidence": (io.BytesIO(PDF), "回单.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _entries(app) == 1
