"""Run the benchmarks: `python -m bench` (make bench) prints the page table (bench.http_table);
`python -m bench all` the table and then every older benchmark; `python -m bench NAME` one."""

from __future__ import annotations

import importlib
import sys

TABLE = "http_table"
BENCHMARKS = [
    "bench_auth", "bench_projects", "bench_funds", "bench_dashboard", "keyprojects",
    "todo_board", "dashboard_rollup", "save_wait",
]


def main() -> None:
    args = sys.argv[1:]
    names = [TABLE, *BENCHMARKS] if args == ["all"] else args or [TABLE]
    for name in names:
        importlib.import_module(f"bench.{name}").run()
        print()


if __name__ == "__main__":
    main()
