"""Time every query of one or all pages on a workspace, one line per query, slowest first.

    .venv/bin/python benchmarks/profile_queries.py benchmarks/cache/10m [PAGE ...]

Uses the calls recorded by benchmarks/run.py (benchmarks/cache/page_calls.json). Each query runs twice;
the second (warm) time is printed next to the first. Use it to find which query makes a page slow.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.replay import decode  # noqa: E402
from loyalty import queries  # noqa: E402
from loyalty.db import connect  # noqa: E402
from loyalty.store import Workspace  # noqa: E402

CALLS = Path(__file__).resolve().parent / "cache" / "page_calls.json"


def main() -> None:
    workspace, pages = sys.argv[1], sys.argv[2:]
    recorded = json.loads(CALLS.read_text())
    con = connect(Workspace(workspace).snapshot())
    rows = []
    for page in pages or list(recorded):
        for name, params in recorded[page]:
            params = decode(params)
            times = []
            for _ in range(2):
                started = time.perf_counter()
                queries.run(con, name, **params)
                times.append(time.perf_counter() - started)
            rows.append((times[0], times[1], page, name))
    for first, second, page, name in sorted(rows, reverse=True):
        print(f"{first:6.2f} {second:6.2f}  {page:<16} {name}")
    print(f"{sum(r[0] for r in rows):6.2f} {sum(r[1] for r in rows):6.2f}  total")


if __name__ == "__main__":
    main()
