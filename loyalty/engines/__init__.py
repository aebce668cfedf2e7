"""Query engines: the same queries/*.sql on DuckDB (one machine, the default) or Apache Spark (a cluster).

An engine runs one named query over one workspace snapshot and returns a pandas DataFrame with the
same columns on every engine: `engine.run("kpis", **filters.params())`. `loyalty.queries.run(engine,
...)` accepts an engine wherever it accepts a DuckDB connection, so code that only runs query files
works on both. Spark is optional (`pip install -r requirements-spark.txt`); see docs/scaling.md.
"""

from __future__ import annotations

import threading
from typing import Protocol

import pandas as pd

from loyalty.settings import Settings
from loyalty.store import Snapshot, Workspace

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    name: str
    snapshot: Snapshot

    def run(self, name: str, **params) -> pd.DataFrame:
        """Run queries/<name>.sql; unused keyword arguments are ignored, missing ones raise TypeError."""
        ...

    def close(self) -> None: ...


def check_engine(name: str) -> str:
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r} (LOYALTY_ENGINE / --engine): use one of {', '.join(ENGINES)}")
    return name


def open_engine(snapshot: Snapshot, settings: Settings | None = None) -> Engine:
    """The engine named by `settings.engine` over one snapshot."""
    settings = settings or Settings.from_env()
    if check_engine(settings.engine) == "spark":
        from loyalty.engines.spark_engine import SparkEngine

        return SparkEngine(snapshot, settings)
    from loyalty.engines.duckdb_engine import DuckDBEngine

    return DuckDBEngine(snapshot, settings)


class CurrentEngine:
    """One engine per process and workspace version, like `loyalty.db.Database` for DuckDB connections.

    When the workspace version changes, the next call opens an engine on the new snapshot; the old one
    is left to queries still running on it.
    """

    def __init__(self, workspace: Workspace, settings: Settings | None = None):
        self.workspace = workspace
        self.settings = settings or Settings.from_env()
        self._lock = threading.Lock()
        self._engine: Engine | None = None

    def current(self) -> tuple[Snapshot, Engine]:
        snapshot = self.workspace.snapshot()
        with self._lock:
            if self._engine is None or self._engine.snapshot.version != snapshot.version:
                self._engine = open_engine(snapshot, self.settings)
            return self._engine.snapshot, self._engine
