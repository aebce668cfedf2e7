"""Run the metric SQL files in queries/ with bound parameters.

A query file's leading `--` lines are its docstring; `$name` tokens are its parameters. Values are
always bound (`con.execute(sql, params)`), never pasted into the SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"(?<![\w$])\$([a-zA-Z_]\w*)")
_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    doc: str
    params: frozenset[str]


@cache
def load(name: str) -> Query:
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"No query named {name!r} in {QUERY_DIR}")
    sql = path.read_text(encoding="utf-8")
    doc_lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        doc_lines.append(line[2:].strip())
    params = frozenset(_PARAM.findall(_STRING_OR_COMMENT.sub("", sql)))
    return Query(name, sql, "\n".join(doc_lines), params)


def names() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql; extra keyword arguments the query does not use are ignored.

    `con` may also be an engine of loyalty.engines (e.g. Spark), which runs the query itself.
    """
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return con.run(name, **params)
    query = load(name)
    missing = query.params - params.keys()
    if missing:
        raise TypeError(f"Query {name!r} needs parameter(s): {', '.join(sorted(missing))}")
    return con.execute(query.sql, {k: params[k] for k in query.params}).df()
