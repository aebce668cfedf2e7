"""loyalty/store.py: atomic writes, append with de-duplication, manifest, change log, locking."""

import hashlib
import threading

import duckdb
import pyarrow as pa
import pytest

from loyalty import store as store_module
from loyalty.contract import ContractError
from loyalty.store import StoreError, Workspace
from tests.conftest import FIXTURE_TRANSACTIONS, d, make_workspace, to_arrow


def tree_hash(root) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".lock"):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_rows(ws: Workspace, table: str) -> int:
    files = [str(f) for f in ws.snapshot().files(table)]
    return duckdb.connect().execute("select count(*) from read_parquet($f)", {"f": files}).fetchone()[0]


def test_replace_writes_contract_columns_sorted(tmp_path):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS)
    snap = ws.snapshot()
    assert snap.version == 1 and snap.tables["transactions"].rows == 8
    assert snap.tables["transactions"].min_date == "2025-12-31"
    files = [str(f) for f in snap.files("transactions")]
    con = duckdb.connect()
    cols = [r[0] for r in con.execute("describe select * from read_parquet($f)", {"f": files}).fetchall()]
    assert cols[:3] == ["customer_id", "order_date", "revenue"] and "margin" in cols
    dates = con.execute("select order_date from read_parquet($f)", {"f": files}).fetchall()
    assert dates == sorted(dates)


def test_append_skips_rows_already_stored_and_reports_them(tmp_path):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS[:4])
    result = ws.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS[2:6]), mode="append")
    assert result.duplicates_skipped == 2  # rows 3 and 4 were stored already
    assert result.rows_written == 2 and result.rows_total == 6
    assert read_rows(ws, "transactions") == 6
    assert ws.changes()[0]["duplicates_skipped"] == 2


def test_failed_write_leaves_workspace_byte_identical(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS)
    manifest_before = (tmp_path / "manifest.json").read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full (simulated)")

    # fail midway: after the new Parquet file is written, while the manifest is being replaced
    monkeypatch.setattr(store_module, "_atomic_write_text", explode)
    with pytest.raises(OSError):
        ws.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS[:2]))
    monkeypatch.undo()
    assert ws.snapshot().tables["transactions"].rows == 8
    assert read_rows(ws, "transactions") == 8
    assert (tmp_path / "manifest.json").read_bytes() == manifest_before
    assert len(list((tmp_path / "tables" / "transactions").iterdir())) == 1  # no orphan file left


def test_invalid_data_changes_nothing(tmp_path):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS)
    before = tree_hash(tmp_path)
    bad = pa.table({"customer_id": ["X"], "order_date": [None], "revenue": [1.0]},
                   schema=pa.schema([("customer_id", pa.string()), ("order_date", pa.date32()), ("revenue", pa.float64())]))
    with pytest.raises(ContractError, match="empty values"):
        ws.write("transactions", bad)
    with pytest.raises(ContractError, match="not in the data contract"):
        ws.write("transactions", pa.table({"customer_id": ["X"], "order_date": [d("2026-01-01")], "revenue": [1.0],
                                           "colour": ["red"]}))
    with pytest.raises(ContractError, match="required column"):
        ws.write("transactions", pa.table({"customer_id": ["X"], "revenue": [1.0]}))
    assert tree_hash(tmp_path) == before


def test_unknown_table_and_mode(tmp_path):
    ws = Workspace(tmp_path)
    with pytest.raises(ContractError):
        ws.write("orders_2026", to_arrow("transactions", FIXTURE_TRANSACTIONS))
    with pytest.raises(StoreError):
        ws.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS), mode="merge")


def test_old_files_are_kept_for_readers_then_collected(tmp_path):
    ws = Workspace(tmp_path, keep_versions=2)
    ws.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS))
    first = ws.snapshot().files("transactions")
    ws.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS[:3]))
    assert all(f.exists() for f in first)  # a reader of version 1 can still finish
    ws.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS[:2]))
    ws.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS[:1]))
    assert not any(f.exists() for f in first)


def test_delete_and_change_log(tmp_path):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS)
    ws.delete("transactions", user="admin")
    assert not ws.snapshot().has("transactions")
    log = ws.changes()
    assert [e["action"] for e in log] == ["delete", "replace"]
    assert log[0]["user"] == "admin" and log[1]["rows_total"] == 8


def test_concurrent_appends_are_serialised_and_lose_nothing(tmp_path):
    ws = Workspace(tmp_path)
    ws.write("transactions", to_arrow("transactions", FIXTURE_TRANSACTIONS[:1]))
    errors = []

    def append(i: int) -> None:
        rows = [dict(FIXTURE_TRANSACTIONS[0], customer_id=f"T{i}-{k}") for k in range(5)]
        try:
            Workspace(tmp_path).write("transactions", to_arrow("transactions", rows), mode="append")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert ws.snapshot().version == 9
    assert read_rows(ws, "transactions") == 1 + 8 * 5
