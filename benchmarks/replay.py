"""Run a recorded list of queries against a workspace in a fresh process and report timings as JSON.

    python benchmarks/replay.py WORKSPACE CALLS.json PAGE
CALLS.json: {"page": [[query name, params], ...], ...} with dates as ISO strings.
Prints {"cold": s, "warm": s, "filter_change": s, "queries": n, "rss_mb": peak} for PAGE.
"cold" is the first run in this new process (new connection, no result cache), "warm" the same queries
again (DuckDB and OS caches warm, no result cache; the app's st.cache_data would answer in ~0 s), and
"filter_change" the queries that take the sidebar filters, with one segment selected (new parameters: a cache
miss in the app; the other queries of the page keep their parameters, so the app's result cache answers them).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loyalty import queries  # noqa: E402
from loyalty.db import connect  # noqa: E402
from loyalty.store import Workspace  # noqa: E402

DATE_KEYS = {"start", "end", "as_of", "containing", "calibration_end", "observation_end", "period_start", "period_end"}


def decode(params: dict) -> dict:
    return {k: date.fromisoformat(v) if k in DATE_KEYS and isinstance(v, str) else v for k, v in params.items()}


def timed(con, calls) -> float:
    started = time.perf_counter()
    for name, params in calls:
        queries.run(con, name, **params)
    return time.perf_counter() - started


def main() -> None:
    workspace, calls_file, page = sys.argv[1], sys.argv[2], sys.argv[3]
    calls = [(name, decode(params)) for name, params in json.loads(Path(calls_file).read_text())[page]]
    started = time.perf_counter()
    con = connect(Workspace(workspace).snapshot())
    cold = time.perf_counter() - started + timed(con, calls)
    warm = timed(con, calls)
    segment = con.execute("select min(segment) from customer_attributes").fetchone()[0]
    changed = [(n, {**p, "segments": [segment]}) for n, p in calls if "segments" in p and segment]
    filter_change = timed(con, changed)
    print(json.dumps({"cold": cold, "warm": warm, "filter_change": filter_change, "queries": len(calls),
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
