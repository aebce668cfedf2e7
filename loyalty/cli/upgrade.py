"""`python -m loyalty upgrade`: bring a workspace written by an older version up to date.

Builds the derived tables this version reads (e.g. orders per category for cross-buying) where they are
missing; each table is one atomic workspace version. Does nothing on an up-to-date workspace. The app
does the same on its first run; on a large workspace run it once after an update instead.
"""

from __future__ import annotations

import time

from loyalty.cli._common import add_workspace, open_workspace


def register(sub) -> None:
    parser = sub.add_parser("upgrade", help="build missing derived tables after an update", description=__doc__)
    add_workspace(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    ws = open_workspace(args, must_exist=False)  # an empty workspace is up to date (for service starts)
    started = time.perf_counter()
    rebuilt = ws.rebuild_derived(user="cli")
    if rebuilt:
        print(f"rebuilt the derived tables of {', '.join(rebuilt)} in {time.perf_counter() - started:.1f} s "
              f"(workspace version {ws.version})")
    else:
        print("workspace is up to date")
    return 0
