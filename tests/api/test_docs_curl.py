"""docs/api.md works as written: a token from create-token, then its curl commands, live."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import make_server

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
W = 10_000

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _curl_commands() -> list[str]:
    """The curl commands of the doc's code blocks (continuation lines joined)."""
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    commands = []
    for block in blocks:
        joined = block.replace("\\\n", " ")
        commands += [
            line.strip() for line in joined.splitlines() if line.strip().startswith("curl")
        ]
    return commands


def _run(command: str, base: str, token: str) -> dict:
    env = {"CRM": base, "TOKEN": token, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(  # noqa: S602 - the doc's own command, against the local test server
        command, shell=True, env=env, capture_output=True, text=True, timeout=30, check=True
    )
    return json.loads(done.stdout)


def test_the_documented_token_and_curl_commands_work(app, runner, make, people, live_server):
    project = make.project(people["unit_a"], name="城关项目", investor="城关公司",
                           signed_on=date(2026, 1, 5), contract_investment=5000 * W)  # fmt: skip
    make.funds_entry(project, "300", received_on=date(2026, 10, 8))
    make.funds_entry(project, "40", status="pending", received_on=date(2026, 10, 9))
    make.funds_entry(project, "70", received_on=date(2026, 9, 30))
    make.user("tongji", "bureau")
    result = runner.invoke(args=["create-token", "tongji", "--name", "市统计平台对接"])
    token = result.output.strip().splitlines()[-1]
    commands = _curl_commands()
    funds, figures = commands[0], commands[1]
    ledger = _run(funds, live_server, token)
    assert ledger["total"] == 1 and ledger["amount_total"] == "300.00"
    assert ledger["items"][0]["received_on"] == "2026-10-08"
    assert _run(figures, live_server, token)["funds_received"] == "370.00"  # 1—10月, verified
    patch = (
        commands[2]
        .replace("/projects/12", f"/projects/{project.id}")
        .replace('"version": 3', '"version": 1')
    )
    assert _run(patch, live_server, token)["notes"] == "已完成尽调"
