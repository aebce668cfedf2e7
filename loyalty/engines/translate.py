"""DuckDB SQL to Spark SQL through sqlglot, so queries/*.sql and the view SQL exist once.

sqlglot does the dialect work (functions, quoting, `$name` -> `:name`, null ordering). The transforms
here cover dialect differences sqlglot cannot see because they depend on the bound values, and they are
generic (never one query's special case):

- `len($list)`: DuckDB's `len` works on strings and lists; sqlglot reads it as string length. Where the
  parameter is bound to a Python list, it becomes Spark's `size`.
A query that does not translate or gives other numbers on Spark is fixed at the source (portable SQL,
see docs/scaling.md), not special-cased here.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

from loyalty import queries

READ = "duckdb"
WRITE = "spark"


class TranslationError(ValueError):
    """A DuckDB statement that sqlglot cannot write as Spark SQL; the message names the construct."""


def _list_lengths_to_size(node: exp.Expression, list_params: frozenset[str]) -> exp.Expression:
    if isinstance(node, exp.Length) and isinstance(node.this, exp.Placeholder) and node.this.name in list_params:
        return exp.ArraySize(this=node.this)
    return node


@lru_cache(maxsize=1024)
def to_spark(sql: str, list_params: frozenset[str] = frozenset()) -> str:
    """One DuckDB statement as Spark SQL; `list_params` are the `$names` bound to lists."""
    try:
        tree = sqlglot.parse_one(sql, read=READ)
        tree = tree.transform(_list_lengths_to_size, list_params)
        return tree.sql(dialect=WRITE, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError as exc:
        raise TranslationError(str(exc).splitlines()[0]) from exc


def query_to_spark(name: str, list_params: frozenset[str] = frozenset()) -> str:
    """queries/<name>.sql as Spark SQL (cached per query and set of list parameters)."""
    try:
        return to_spark(queries.load(name).sql, list_params)
    except TranslationError as exc:
        raise TranslationError(f"queries/{name}.sql: {exc}") from exc
