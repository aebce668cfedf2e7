"""The app's access to the workspace: one Database per process, query results cached by parameters.

Cache key = (workspace, workspace version, query name, parameters): a new import bumps the version,
so every page sees the new data on its next run without clearing anything by hand.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loyalty import queries
from loyalty.db import Database
from loyalty.settings import Settings
from loyalty.store import Snapshot, Workspace

# Settings are read from the environment on every call (cheap), not frozen at import: tests and the
# server may point the same process at another workspace. A test may pin them by setting SETTINGS.
SETTINGS: Settings | None = None
_TTL = Settings.from_env().cache_ttl_seconds


def settings() -> Settings:
    return SETTINGS or Settings.from_env()


@st.cache_resource(show_spinner=False)
def _database(root: str) -> Database:
    current = settings()
    return Database(Workspace(root, keep_versions=current.keep_versions), current)


def _root() -> str:
    return str(settings().workspace)


def workspace() -> Workspace:
    return _database(_root()).workspace


def snapshot() -> Snapshot:
    return workspace().snapshot()


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


@st.cache_resource(show_spinner=False)
def _engines(root: str):
    """The Spark engine (LOYALTY_ENGINE=spark, docs/scaling.md) of the current workspace version."""
    from loyalty.engines import CurrentEngine

    current = settings()
    return CurrentEngine(Workspace(root, keep_versions=current.keep_versions), current)


@st.cache_data(ttl=_TTL, max_entries=1024, show_spinner=False)
def _cached_query(root: str, version: int, engine: str, name: str, params: tuple) -> pd.DataFrame:
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in params}
    if engine != "duckdb":
        return _engines(root).current()[1].run(name, **values)
    _, con = _database(root).current()
    try:
        return queries.run(con, name, **values)
    finally:
        con.close()


def query(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with the given parameters (cached; unused parameters are ignored)."""
    needed = queries.load(name).params
    frozen = tuple(sorted((k, _freeze(v)) for k, v in params.items() if k in needed))
    return _cached_query(_root(), workspace().version, settings().engine, name, frozen)


def cached(func, *args):
    """func(*args) computed once per workspace (root and version) and engine, shared by all sessions.

    For Python computations on query results (a model fit, the measures' statistics). The result is handed
    out as is, not copied (st.cache_resource): a CLV fit of 670 k customers is 85 MB, and copying it out of
    st.cache_data took 0.5 s on every rerun. Callers therefore only read it. func reads the workspace through
    query()/connection(), so the workspace is part of the key, not one of func's arguments.
    """
    return _shared_result(func, f"{func.__module__}.{func.__qualname__}", _root(), workspace().version,
                          settings().engine, args)


@st.cache_resource(ttl=_TTL, max_entries=32, show_spinner=False)
def _shared_result(_func, name: str, root: str, version: int, engine: str, args: tuple):
    # _func is not hashed (leading underscore): its qualified name stands for it in the key
    return _func(*args)


def connection():
    """A cursor on the current snapshot, for core functions that run several queries themselves."""
    return _database(_root()).current()[1]


def database_snapshot():
    """(snapshot, cursor) of the current workspace version, for core code that runs its own queries."""
    return _database(_root()).current()
