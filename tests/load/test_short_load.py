"""The short load test CI runs (bench/load.py, about 30 s): two gunicorn workers under ten
clerks reading and writing at once answer no error, and every write they acknowledged is in
the database afterwards. On PostgreSQL (when the suite runs there) on a database of its own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import PG_URL, database_beside

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_load_gives_no_error_and_loses_no_acknowledged_write():
    args = [sys.executable, "-m", "bench.load", "--users", "10", "--seconds", "30",
            "--workers", "2"]  # fmt: skip
    if PG_URL:
        args += ["--database", database_beside("load")]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600,  # noqa: S603
                          check=False)  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    total = re.search(r"^Aggregated\s+(\d+)\s+(\d+)", out, re.MULTILINE)
    assert total and int(total.group(1)) > 50 and int(total.group(2)) == 0, out
    writes = re.search(r"acknowledged writes (\d+), lost (\d+)", out)
    assert writes and int(writes.group(1)) > 0 and int(writes.group(2)) == 0, out
