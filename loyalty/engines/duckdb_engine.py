"""The default engine: an in-memory DuckDB connection with the views of loyalty/db.py."""

from __future__ import annotations

import duckdb
import pandas as pd

from loyalty import queries
from loyalty.db import connect
from loyalty.settings import Settings
from loyalty.store import Snapshot


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, snapshot: Snapshot, settings: Settings | None = None,
                 con: duckdb.DuckDBPyConnection | None = None):
        self.snapshot = snapshot
        self.con = con if con is not None else connect(snapshot, settings)

    def run(self, name: str, **params) -> pd.DataFrame:
        return queries.run(self.con, name, **params)

    def close(self) -> None:
        self.con.close()
