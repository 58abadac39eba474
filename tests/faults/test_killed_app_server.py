"""One of two app servers killed (SIGKILL, master and workers) half-way through a short load
(bench/load.py --kill-after): its clerks move to the other, as behind a proxy; the only failures
are connection failures to the killed one, counted apart; no request answers 5xx, the survivor
answers throughout, every acknowledged write is in the database and the database is whole."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import PG_URL, database_beside

ROOT = Path(__file__).resolve().parents[2]


def _server_lines(out: str) -> dict[str, dict[str, float]]:
    line = (
        r"^server (\S+): answers (\d+), connection failures (\d+), 5xx (\d+), "
        r"other errors (\d+), longest gap ([\d.]+) s"
    )
    found = re.findall(line, out, re.MULTILINE)
    return {host: {"answers": int(a), "connection": int(c), "5xx": int(x), "other": int(o),
                   "gap": float(g)} for host, a, c, x, o, g in found}  # fmt: skip


def test_killing_one_of_two_app_servers_under_load_loses_nothing_and_the_other_serves_on():
    args = [sys.executable, "-m", "bench.load", "--users", "8", "--seconds", "16",
            "--processes", "2", "--workers", "1", "--kill-after", "7",
            "--max-gap", "5"]  # fmt: skip
    if PG_URL:
        args += ["--database", database_beside("load")]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600,  # noqa: S603
                          check=False)  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    killed = re.search(r"^killed (\S+) \(SIGKILL\)", out, re.MULTILINE)
    assert killed, out
    servers = _server_lines(out)
    assert len(servers) == 2, out
    dead = servers.pop(killed.group(1))
    (survivor,) = servers.values()
    assert dead["answers"] > 0 and dead["connection"] > 0, out  # it served, then it was gone
    assert survivor["answers"] > dead["answers"] and survivor["connection"] == 0, out
    assert survivor["gap"] <= 5, out  # from the kill on (2 shared cores: a slow page takes 2 s)
    assert dead["5xx"] == survivor["5xx"] == 0 and dead["other"] == survivor["other"] == 0, out
    total = re.search(r"^Aggregated\s+(\d+)\s+(\d+)", out, re.MULTILINE)
    assert total and int(total.group(2)) == dead["connection"], out  # nothing else failed
    writes = re.search(r"acknowledged writes (\d+), lost (\d+)", out)
    assert writes and int(writes.group(1)) > 0 and int(writes.group(2)) == 0, out
    assert "database integrity ok" in out, out
