"""Where a query spends its time: the slowest operators of DuckDB's profile, with their row counts.

    .venv/bin/python benchmarks/explain.py benchmarks/cache/10m QUERY_NAME [PAGE]

Parameters come from the recorded calls of PAGE (benchmarks/cache/page_calls.json); the first call of
QUERY_NAME found is used.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.replay import decode  # noqa: E402
from loyalty import queries  # noqa: E402
from loyalty.db import connect  # noqa: E402
from loyalty.store import Workspace  # noqa: E402

CALLS = Path(__file__).resolve().parent / "cache" / "page_calls.json"


def operators(node: dict, depth: int = 0):
    yield depth, node
    for child in node.get("children", []):
        yield from operators(child, depth + 1)


def roots(profile: dict) -> list[dict]:
    tree = profile.get("operator", profile.get("children", []))
    return tree if isinstance(tree, list) else [tree]


def main() -> None:
    workspace, name = sys.argv[1], sys.argv[2]
    recorded = json.loads(CALLS.read_text())
    params = next(decode(p) for page, calls in recorded.items() for n, p in calls
                  if n == name and (len(sys.argv) < 4 or page == sys.argv[3]))
    con = connect(Workspace(workspace).snapshot())
    out = Path(tempfile.mkdtemp()) / "profile.json"
    con.execute("pragma enable_profiling = 'json'")
    con.execute(f"pragma profiling_output = '{out}'")
    queries.run(con, name, **params)
    con.execute("pragma disable_profiling")
    profile = json.loads(out.read_text())
    ops = [(n.get("timing", n.get("operator_timing", 0)), d, n) for root in roots(profile) for d, n in operators(root)]
    print(f"sum of operator times {sum(o[0] for o in ops):.3f} s")
    for timing, depth, node in sorted(ops, key=lambda x: -x[0])[:15]:
        extra = node.get("extra_info", {})
        label = " ".join(str(v)[:60] for k, v in extra.items() if k in ("Table", "Function", "Join Type", "Conditions",
                                                                           "Groups", "Aggregates", "Filters"))
        print(f"{timing:7.3f} s  {node.get('intermediate_rows', node.get('operator_cardinality', 0)):>10,} rows  "
              f"depth {depth:>2}  {node.get('type', '?')}  {label.replace(chr(10), ' ')}")


if __name__ == "__main__":
    main()
