"""DuckDB SQL to Spark SQL through sqlglot, so queries/*.sql and the view SQL exist once.

sqlglot does the dialect work (functions, quoting, `$name` -> `:name`, null ordering, QUALIFY). The
transforms below cover the DuckDB constructs sqlglot 30 writes wrongly for Spark or cannot see because
they depend on a bound value. Each is a pure dialect difference with the same meaning on both engines,
never one query's special case:

- `len(x)` on a list (a parameter bound to a Python list, or a list-valued expression) is `size(x)`;
  sqlglot reads DuckDB's `len` as string length.
- `any_value(x)` (DuckDB skips nulls) is `any_value(x, true)`; sqlglot's `any_value(x) ignore nulls`
  is a syntax error in Spark when followed by `filter (where ...)`.
- `quantile_cont(x, p)` is Spark's `percentile(x, p)` (both interpolate linearly); `quantile_disc(x, p)`
  is `percentile_disc(p) within group (order by x)`.
- `list_extract(l, i)` and `l[i]` (1-based, null when out of range) are `try_element_at(l, i)`.
- `/` and `avg` give a double in DuckDB also for decimals: their argument is cast to double.
- `as materialized` (a DuckDB CTE hint) is dropped.
- `arg_min(x, v)` / `arg_max` skip rows where x is null: `min_by(x, case when x is not null then v end)`;
  `arg_min_null` / `arg_max_null` do not: `min_by(x, v)`. `min(x, n)` / `max(x, n)` (the n smallest /
  largest values) is `slice(sort_array(collect_list(x)), 1, n)`.
- `date_diff('month' | 'quarter' | 'year', a, b)` counts unit boundaries in DuckDB and whole units in
  Spark: both dates are truncated to the unit first, then both count the same. `date_diff('day', a, b)`
  compares dates (casts timestamps). A unit bound as a parameter (`date_diff($grain, ...)`) becomes a
  `case` over the units, because Spark needs the unit as a keyword.
- `from generate_series(a, b, step) as g(x)` (or `range`) becomes a subquery over
  `explode(sequence(a, b, step))`; sqlglot writes an invalid `explode(..., _u(g))`.

What is not a pure dialect difference is fixed at the source (portable SQL, docs/scaling.md), e.g.
`date - date` (an integer in DuckDB, an interval in Spark: use `date_diff('day', a, b)`) or ASOF joins.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

from loyalty import queries

READ = "duckdb"
WRITE = "spark"
DATE_DIFF_UNITS = ("day", "week", "month", "quarter", "year")


class TranslationError(ValueError):
    """A DuckDB statement that sqlglot cannot write as Spark SQL; the message names the construct."""


# sqlglot expressions that always give a list (DuckDB's list, Spark's array)
LIST_VALUED = tuple(getattr(exp, name) for name in (
    "Array", "ArrayAgg", "ArrayConcat", "ArrayDistinct", "ArrayFilter", "ArraySlice", "ArraySort",
    "ArrayUniqueAgg", "GenerateSeries", "Split", "StringToArray",
) if hasattr(exp, name))


def _is_list(node: exp.Expression, list_params: frozenset[str]) -> bool:
    if isinstance(node, exp.Paren):
        return _is_list(node.this, list_params)
    if isinstance(node, exp.Placeholder):
        return node.name in list_params
    if isinstance(node, LIST_VALUED):
        return True
    return annotate_types(node.copy(), dialect=READ).is_type(exp.DataType.Type.ARRAY)


def _list_length(node: exp.Expression, list_params: frozenset[str]) -> exp.Expression:
    if isinstance(node, exp.Length) and _is_list(node.this, list_params):
        return exp.ArraySize(this=node.this)
    return node


def _any_value(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
        return exp.Anonymous(this="ANY_VALUE", expressions=[node.this.this, exp.true()])
    if isinstance(node, exp.AnyValue) and not isinstance(node.parent, exp.IgnoreNulls):
        return exp.Anonymous(this="ANY_VALUE", expressions=[node.this, exp.true()])
    return node


def _quantiles(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        return exp.Anonymous(this="PERCENTILE", expressions=[node.this, node.expression])
    if isinstance(node, exp.PercentileDisc) and node.expression is not None:
        # an anonymous function: sqlglot writes PercentileDisc as Spark's approximate percentile
        return exp.WithinGroup(this=exp.Anonymous(this="PERCENTILE_DISC", expressions=[node.expression]),
                               expression=exp.Order(expressions=[exp.Ordered(this=node.this)]))
    return node


def _list_extract(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("list_extract", "list_element"):
        return exp.Anonymous(this="TRY_ELEMENT_AT", expressions=node.expressions)
    return node


def _list_index(node: exp.Expression) -> exp.Expression:
    """DuckDB's `l[i]` (1-based, from the end when negative, null out of range) is `try_element_at(l, i)`.
    sqlglot shifts only literal indexes to Spark's 0-based `l[i]`, which fails out of range."""
    if not isinstance(node, exp.Bracket) or len(node.expressions) != 1:
        return node
    index = node.expressions[0]
    if isinstance(index, exp.Slice) or (isinstance(index, exp.Literal) and index.is_string):
        return node  # a slice, or a struct field by name
    # the DuckDB parser stored literal indexes 0-based already: add the 1 back
    if isinstance(index, exp.Literal):
        index = exp.Literal.number(int(index.this) + 1)
    elif isinstance(index, exp.Neg) and isinstance(index.this, exp.Literal):
        index = exp.Literal.number(1 - int(index.this.this))
    return exp.Anonymous(this="TRY_ELEMENT_AT", expressions=[node.this, index])


def _double_division(node: exp.Expression) -> exp.Expression:
    """DuckDB's `/` and `avg` give a DOUBLE also for decimals (`1.0 / 3`, `avg(1.0)`); Spark keeps a
    decimal with a limited scale (0.28571 instead of 0.2857142857142857)."""
    if isinstance(node, exp.Div) and not isinstance(node.this, exp.Cast):
        node.set("this", exp.cast(node.this, "double"))
    elif isinstance(node, exp.Avg) and not isinstance(node.this, exp.Cast):
        node.set("this", exp.cast(node.this, "double"))
    return node


def _not_materialized(node: exp.Expression) -> exp.Expression:
    """`with x as materialized (...)` is a DuckDB planner hint; Spark has no such syntax."""
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
    return node


def _arg_min_max(node: exp.Expression) -> exp.Expression:
    """DuckDB's arg_min/arg_max skip rows whose value is null, Spark's min_by/max_by do not; the
    `_null` variants keep them in both."""
    if isinstance(node, (exp.ArgMin, exp.ArgMax)):
        function = "MIN_BY" if isinstance(node, exp.ArgMin) else "MAX_BY"
        value = node.this
        ordering = exp.Case(ifs=[exp.If(this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.null())),
                                        true=node.expression)])
        return exp.Anonymous(this=function, expressions=[value, ordering])
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("arg_min_null", "arg_max_null"):
        return exp.Anonymous(this="MIN_BY" if node.name.lower() == "arg_min_null" else "MAX_BY",
                             expressions=node.expressions)
    return node


def _top_n(node: exp.Expression) -> exp.Expression:
    """DuckDB's `min(x, n)` / `max(x, n)`: the n smallest / largest non-null values as a sorted list."""
    if isinstance(node, (exp.Min, exp.Max)) and node.args.get("count") is not None:
        ascending = exp.true() if isinstance(node, exp.Min) else exp.false()
        values = exp.Anonymous(this="SORT_ARRAY", expressions=[exp.ArrayAgg(this=node.this), ascending])
        return exp.Anonymous(this="SLICE", expressions=[values, exp.Literal.number(1), node.args["count"]])
    return node


def _date_diff_for_unit(node: exp.DateDiff, unit: str) -> exp.Expression:
    end, start = node.this.copy(), node.expression.copy()
    if unit == "day":
        end, start = exp.cast(end, "date"), exp.cast(start, "date")
    elif unit in ("month", "quarter", "year"):
        end = exp.DateTrunc(this=end, unit=exp.Literal.string(unit))
        start = exp.DateTrunc(this=start, unit=exp.Literal.string(unit))
    return exp.DateDiff(this=end, expression=start, unit=exp.var(unit.upper()))


def _date_diff(node: exp.Expression) -> exp.Expression:
    if not isinstance(node, exp.DateDiff):
        return node  # (transform does not visit the node it has just built)
    unit = node.args.get("unit")
    if isinstance(unit, exp.Placeholder):
        return exp.Case(ifs=[exp.If(this=exp.EQ(this=unit.copy(), expression=exp.Literal.string(u)),
                                    true=_date_diff_for_unit(node, u)) for u in DATE_DIFF_UNITS])
    name = (unit.name if unit is not None else "day").lower()
    return _date_diff_for_unit(node, name) if name in DATE_DIFF_UNITS else node


def _series_table(node: exp.Expression) -> exp.Expression:
    if not (isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries)):
        return node
    alias = node.args.get("alias")
    series = node.this
    end = series.args["end"]
    if series.args.get("is_end_exclusive"):
        end = exp.Sub(this=end, expression=exp.Literal.number(1))
    sequence = exp.Anonymous(this="SEQUENCE", expressions=[series.args["start"], end]
                             + ([series.args["step"]] if series.args.get("step") else []))
    column = alias.columns[0].name if alias and alias.columns else "generate_series"
    select = exp.select(exp.alias_(exp.Explode(this=sequence), column))
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(alias.name if alias else "g")))


@lru_cache(maxsize=1024)
def to_spark(sql: str, list_params: frozenset[str] = frozenset()) -> str:
    """One DuckDB statement as Spark SQL; `list_params` are the `$names` bound to lists."""
    try:
        tree = sqlglot.parse_one(sql, read=READ)
        tree = tree.transform(_list_length, list_params)
        for transform in (_any_value, _quantiles, _list_extract, _list_index, _arg_min_max, _top_n, _date_diff,
                          _series_table, _double_division, _not_materialized):
            tree = tree.transform(transform)
        return tree.sql(dialect=WRITE, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError as exc:
        raise TranslationError(str(exc).splitlines()[0]) from exc


def query_to_spark(name: str, list_params: frozenset[str] = frozenset()) -> str:
    """queries/<name>.sql as Spark SQL (cached per query and set of list parameters)."""
    try:
        return to_spark(queries.load(name).sql, list_params)
    except TranslationError as exc:
        raise TranslationError(f"queries/{name}.sql: {exc}") from exc
