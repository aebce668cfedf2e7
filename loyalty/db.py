"""DuckDB connection with stable views over the workspace's Parquet files.

Layer 1 (one view per contract table, same name): renaming and types only. A table that is not in the
workspace becomes an empty view with the contract's columns, so every query runs on every workspace.
Layer 2 (`orders`, `order_categories`, `customer_attributes`): the base definitions every metric shares.
Metric queries in queries/*.sql select from these views, never from file paths.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb

from loyalty.contract import TABLES
from loyalty.derived import DERIVED
from loyalty.settings import Settings
from loyalty.store import Snapshot, Workspace

# column renames where a contract name is an SQL keyword
RENAMES = {("measure_participants", "group"): "assigned_group"}

DERIVED_VIEWS = {
    # One row per order (loyalty/derived.py), with the customer's segment, region and membership.
    "orders": "select * from order_facts",
    # One row per order and category (loyalty/derived.py), with the order's and customer's attributes.
    "order_categories": "select * from order_category_facts",
}


def _literal(path: Path) -> str:
    # Views cannot hold bound parameters; these paths come from our manifest (uuid file names).
    return "'" + str(path).replace("'", "''") + "'"


def read_parquet_sql(files: list[Path]) -> str:
    """The DuckDB relation that reads these Parquet files (another engine passes its own)."""
    return "read_parquet([" + ", ".join(_literal(f) for f in files) + "])"


def table_view_sql(name: str, files: list[Path], relation: Callable[[list[Path]], str] = read_parquet_sql) -> str:
    spec = TABLES[name]
    cols = []
    for col in spec.columns:
        alias = RENAMES.get((name, col.name), col.name)
        source = f'"{col.name}"' if files else "null"
        cols.append(f'cast({source} as {col.sql_type}) as "{alias}"')
    if files:
        return f"select {', '.join(cols)} from {relation(files)}"
    return f"select {', '.join(cols)} where false"


def derived_view_sql(name: str, source_table: str, snapshot: Snapshot,
                     relation: Callable[[list[Path]], str] = read_parquet_sql) -> str:
    """Read the derived table written by the store, or compute it from the source view."""
    files = [] if os.environ.get("LOYALTY_NO_DERIVED") == "1" else snapshot.derived_files(name)
    if files:  # LOYALTY_NO_DERIVED=1 exists so the benchmark can measure what the derived tables gain
        return f"select * from {relation(files)}"
    sql, _ = DERIVED[source_table][name]
    return f"with source as (select * from {source_table}) select * from ({sql})"


def view_definitions(snapshot: Snapshot,
                     relation: Callable[[list[Path]], str] = read_parquet_sql) -> list[tuple[str, str]]:
    """(view name, DuckDB SQL) in creation order; the Spark engine translates the same list."""
    views = [(name, table_view_sql(name, snapshot.files(name), relation)) for name in TABLES]
    # customer_attributes first: without their derived files, orders are computed with it
    views.append(("customer_attributes", derived_view_sql("customer_attributes", "customers", snapshot, relation)))
    views.append(("order_facts", derived_view_sql("orders", "transactions", snapshot, relation)))
    views.append(("orders", DERIVED_VIEWS["orders"]))
    # after `orders`: without its derived file, order_categories is computed from that view
    views.append(("order_category_facts", derived_view_sql("order_categories", "transactions", snapshot, relation)))
    views.append(("order_categories", DERIVED_VIEWS["order_categories"]))
    return views


def create_views(con: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> None:
    for name, sql in view_definitions(snapshot):
        con.execute(f"create or replace view {name} as {sql}")


def connect(snapshot: Snapshot, settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with the views of one workspace snapshot."""
    settings = settings or Settings.from_env()
    con = duckdb.connect(config={"threads": settings.duckdb_threads, "memory_limit": settings.duckdb_memory_limit})
    create_views(con, snapshot)
    return con


class Database:
    """One connection per process and workspace version; threads use their own cursor.

    When the workspace version changes, the next call opens a connection on the new snapshot; the old
    one stays valid for queries already running (its files are kept for a few versions).
    """

    def __init__(self, workspace: Workspace, settings: Settings | None = None):
        self.workspace = workspace
        self.settings = settings or Settings.from_env()
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._snapshot: Snapshot | None = None

    def current(self) -> tuple[Snapshot, duckdb.DuckDBPyConnection]:
        snapshot = self.workspace.snapshot()
        with self._lock:
            if self._con is None or self._snapshot is None or self._snapshot.version != snapshot.version:
                self._con = connect(snapshot, self.settings)
                self._snapshot = snapshot
            return self._snapshot, self._con.cursor()
