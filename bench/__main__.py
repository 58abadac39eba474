"""Run every benchmark: `python -m bench` (make bench), or `python -m bench NAME`."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["bench_auth", "bench_projects", "bench_funds", "bench_dashboard", "keyprojects"]


def main() -> None:
    names = sys.argv[1:] or BENCHMARKS
    for name in names:
        importlib.import_module(f"bench.{name}").run()
        print()


if __name__ == "__main__":
    main()
