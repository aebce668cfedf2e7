"""One workspace, many processes: parallel imports are serialised and none is lost, readers always see
a whole version (never a half-written table), and the change log records every import with its user.

Real processes (multiprocessing "spawn"), not threads: the store's file lock must hold across
processes, the way several Streamlit server processes or a CLI import next to the app would use it.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
from datetime import date, timedelta

import duckdb
import pytest

from loyalty.auth import GuardedWorkspace, User, UserStore
from loyalty.store import Workspace
from tests.conftest import to_arrow

IMPORTERS = 6
ROWS_PER_IMPORT = 200
REPLACERS = 4
READERS = 2
DEADLINE_SECONDS = 300


def _import_rows(batch: int) -> list[dict]:
    first = date(2026, 1, 1)
    return [dict(customer_id=f"p{batch}-{i % 37}", order_date=first + timedelta(days=i % 90),
                 revenue=float(i % 50 + 1), order_id=f"batch-{batch}", category="Garten")
            for i in range(ROWS_PER_IMPORT)]


def _replacement(writer: int) -> list[dict]:
    # writer w writes 50 + 10*w customers, all named w<w>-..., so a reader can tell whose table it sees
    return [dict(customer_id=f"w{writer}-{i:03d}", segment="S1") for i in range(50 + 10 * writer)]


def importer(root: str, batch: int, go, results) -> None:
    ws = GuardedWorkspace(Workspace(root), User(f"importer-{batch}", "analyst"))
    rows = to_arrow("transactions", _import_rows(batch))
    go.wait(DEADLINE_SECONDS)  # a barrier: everybody is loaded and starts at the same moment
    result = ws.write("transactions", rows, mode="append", source=f"batch-{batch}.csv",
                      log_extra={"rows_rejected": 0})
    results.put(("imported", batch, result.version, result.rows_written))


def replacer(root: str, writer: int, go, results) -> None:
    ws = Workspace(root)
    rows = to_arrow("customers", _replacement(writer))
    go.wait(DEADLINE_SECONDS)
    for _ in range(3):
        ws.write("customers", rows, mode="replace", source=f"customers-{writer}.csv", user=f"replacer-{writer}")
    results.put(("replaced", writer, 0, 0))


def reader(root: str, go, stop, results) -> None:
    """Read the current snapshot again and again; record every inconsistency seen."""
    ws = Workspace(root)
    con = duckdb.connect()
    reads, versions, errors = 0, set(), []
    go.wait(DEADLINE_SECONDS)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        finished = stop.is_set()  # read once more after the writers are done
        snap = ws.snapshot()
        versions.add(snap.version)
        try:
            errors += _check_transactions(con, snap)
            errors += _check_customers(con, snap)
            changes = ws.changes()  # must always parse, even while a writer appends
            if any(not {"time", "user", "table", "version"} <= set(c) for c in changes):
                errors.append(f"v{snap.version}: incomplete change log entry")
        except Exception as exc:  # noqa: BLE001 - any failure to read a snapshot is what we look for
            errors.append(f"v{snap.version}: {type(exc).__name__}: {exc}")
        reads += 1
        if finished:
            break
    results.put(("reader", reads, sorted(versions), errors))


def _check_transactions(con, snap) -> list[str]:
    files = [str(f) for f in snap.files("transactions")]
    if not files:
        return []
    counts = con.execute("select order_id, count(*) from read_parquet($f) group by order_id", {"f": files}).fetchall()
    errors = [f"v{snap.version}: {batch} has {n} of {ROWS_PER_IMPORT} rows" for batch, n in counts
              if n != ROWS_PER_IMPORT]
    total = sum(n for _, n in counts)
    if total != snap.tables["transactions"].rows:
        errors.append(f"v{snap.version}: {total} rows in the files, manifest says {snap.tables['transactions'].rows}")
    return errors


def _check_customers(con, snap) -> list[str]:
    files = [str(f) for f in snap.files("customers")]
    if not files:
        return []
    owners = con.execute("select split_part(customer_id, '-', 1) as owner, count(*) from read_parquet($f) group by 1",
                         {"f": files}).fetchall()
    if len(owners) != 1:
        return [f"v{snap.version}: customers mixes the tables of {sorted(o for o, _ in owners)}"]
    owner, n = owners[0]
    expected = 50 + 10 * int(owner[1:])
    return [] if n == expected else [f"v{snap.version}: customers of {owner} has {n} of {expected} rows"]


def _collect(results, expected: int) -> list[tuple]:
    items = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(items) < expected:
        try:
            items.append(results.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            pytest.fail(f"only {len(items)} of {expected} processes reported within {DEADLINE_SECONDS} s")
    return items


def _run(processes, go, stop, results, writers: int) -> tuple[list, list]:
    for p in processes:
        p.start()
    go.wait(DEADLINE_SECONDS)
    try:
        writes = _collect(results, writers)
        stop.set()
        reads = _collect(results, READERS)
    finally:
        for p in processes:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    return writes, reads


@pytest.mark.slow
def test_parallel_imports_and_readers_lose_nothing_and_never_see_half_a_table(tmp_path):
    ctx = mp.get_context("spawn")
    go, stop, results = ctx.Barrier(IMPORTERS + REPLACERS + READERS + 1), ctx.Event(), ctx.Queue()
    root = str(tmp_path / "ws")
    processes = [ctx.Process(target=importer, args=(root, b, go, results)) for b in range(IMPORTERS)]
    processes += [ctx.Process(target=replacer, args=(root, w, go, results)) for w in range(REPLACERS)]
    processes += [ctx.Process(target=reader, args=(root, go, stop, results)) for _ in range(READERS)]

    writes, reads = _run(processes, go, stop, results, IMPORTERS + REPLACERS)

    # every import landed, each in its own version (the lock serialised them)
    imports = [w for w in writes if w[0] == "imported"]
    assert sorted(w[1] for w in imports) == list(range(IMPORTERS))
    assert all(w[3] == ROWS_PER_IMPORT for w in imports)
    ws = Workspace(root)
    snap = ws.snapshot()
    assert snap.version == IMPORTERS + 3 * REPLACERS  # 6 appends + 4 writers x 3 replaces, none lost
    assert snap.tables["transactions"].rows == IMPORTERS * ROWS_PER_IMPORT
    con = duckdb.connect()
    files = [str(f) for f in snap.files("transactions")]
    per_batch = dict(con.execute("select order_id, count(*) from read_parquet($f) group by 1", {"f": files}).fetchall())
    assert per_batch == {f"batch-{b}": ROWS_PER_IMPORT for b in range(IMPORTERS)}
    assert _check_customers(con, snap) == []

    # readers read many versions while the writers worked, and never an inconsistent one
    for _, count, versions, errors in reads:
        assert errors == []
        assert count > 1 and len(versions) > 1

    # the change log has one entry per write: who, when, table, file, rows
    log = ws.changes()
    assert sorted(e["version"] for e in log) == list(range(1, snap.version + 1))
    appended = [e for e in log if e["table"] == "transactions"]
    assert sorted((e["user"], e["source"]) for e in appended) == sorted(
        (f"importer-{b}", f"batch-{b}.csv") for b in range(IMPORTERS))
    assert all(e["rows_written"] == ROWS_PER_IMPORT and e["rows_rejected"] == 0 and e["time"] for e in appended)
    assert {e["user"] for e in log if e["table"] == "customers"} == {f"replacer-{w}" for w in range(REPLACERS)}

    # nothing half-written is left behind
    leftovers = [p.name for p in (tmp_path / "ws").rglob("*") if p.suffix == ".tmp" or p.name.endswith(".parquet.tmp")]
    assert leftovers == []
    assert list((tmp_path / "ws" / ".staging").iterdir()) == []


def add_users(path: str, worker: int, go, results) -> None:
    store = UserStore(path)
    go.wait(DEADLINE_SECONDS)
    for i in range(2):
        store.add(f"user-{worker}-{i}", "viewer", f"password-{worker}-{i}-long")
    results.put(("users", worker, 0, 0))


@pytest.mark.slow
def test_parallel_user_changes_are_not_lost(tmp_path):
    ctx = mp.get_context("spawn")
    go, results = ctx.Barrier(4 + 1), ctx.Queue()
    path = str(tmp_path / "users.json")
    processes = [ctx.Process(target=add_users, args=(path, w, go, results)) for w in range(4)]
    for p in processes:
        p.start()
    go.wait(DEADLINE_SECONDS)
    _collect(results, 4)
    for p in processes:
        p.join(timeout=30)
    assert UserStore(path).names() == sorted(f"user-{w}-{i}" for w in range(4) for i in range(2))
