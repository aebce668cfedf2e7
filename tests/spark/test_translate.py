"""The DuckDB -> Spark SQL translation (loyalty/engines/translate.py) and the engine plumbing, without a
Spark driver: these tests are fast and run where Java is missing too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest
import sqlglot

from loyalty import queries
from loyalty.cli import build_parser, main
from loyalty.db import view_definitions
from loyalty.engines import CurrentEngine, open_engine
from loyalty.engines.duckdb_engine import DuckDBEngine
from loyalty.engines.translate import query_to_spark, to_spark
from loyalty.settings import Settings
from tests.test_core import DEFAULTS, sample_params

FILTER_LISTS = frozenset({"segments", "regions", "channels", "stores"})


def spark(sql: str, lists=frozenset()) -> str:
    return to_spark(sql, frozenset(lists))


def list_params(name: str) -> frozenset[str]:
    params = {**DEFAULTS, **sample_params(name)}
    return frozenset(k for k in queries.load(name).params if isinstance(params.get(k), (list, tuple)))


@pytest.mark.parametrize("name", queries.names())
def test_every_query_file_translates_to_valid_spark_sql(name):
    translated = query_to_spark(name, list_params(name))
    sqlglot.parse_one(translated, read="spark")  # raises on a syntax error
    assert "$" not in translated.split("*/")[-1], "every $parameter becomes a :parameter"


def test_view_definitions_translate_with_and_without_files(fixture_workspace, tmp_path):
    from loyalty.store import Workspace

    for snapshot in (fixture_workspace.snapshot(), Workspace(tmp_path).snapshot()):
        views = view_definitions(snapshot, lambda files: "some_parquet_view")
        names = [name for name, _ in views]
        assert names[-5:] == ["customer_attributes", "order_facts", "orders", "order_category_facts",
                              "order_categories"]
        for _, sql in views:
            sqlglot.parse_one(to_spark(sql), read="spark")


def test_empty_contract_view_keeps_its_columns_and_types(tmp_path):
    from loyalty.store import Workspace

    views = dict(view_definitions(Workspace(tmp_path).snapshot()))
    assert to_spark(views["measure_participants"]).startswith(
        "SELECT CAST(NULL AS STRING) AS `measure_id`, CAST(NULL AS STRING) AS `customer_id`, "
        "CAST(NULL AS STRING) AS `assigned_group`, CAST(NULL AS DATE) AS `assigned_date` WHERE FALSE")


def test_list_parameters_use_size_and_array_contains():
    sql = "select * from orders where (len($segments) = 0 or list_contains($segments, segment))"
    assert spark(sql, {"segments"}) == \
        "SELECT * FROM orders WHERE (SIZE(:segments) = 0 OR ARRAY_CONTAINS(:segments, segment))"
    # a text parameter keeps its string length; a list-valued expression uses size
    assert spark("select len($name) as n, len(list(x)) as m from t", set()) == \
        "SELECT LENGTH(:name) AS n, SIZE(COLLECT_LIST(x)) AS m FROM t"


def test_any_value_skips_nulls_and_allows_a_filter():
    assert spark("select any_value(c) filter (where n = 1) as a, any_value(c) as b from t") == \
        "SELECT ANY_VALUE(c, TRUE) FILTER(WHERE n = 1) AS a, ANY_VALUE(c, TRUE) AS b FROM t"


def test_quantiles_are_exact_on_spark():
    assert spark("select quantile_cont(x, 0.9) filter (where y) as p, quantile_disc(x, 0.5) as d from t") == \
        "SELECT PERCENTILE(x, 0.9) FILTER(WHERE y) AS p, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY x NULLS LAST) AS d FROM t"


def test_list_extract_is_one_based_and_null_safe():
    assert spark("select list_extract($grid, k) as e from t", {"grid"}) == "SELECT TRY_ELEMENT_AT(:grid, k) AS e FROM t"
    # sqlglot would write l[1] (0-based) for the literal but l[k] unchanged for the column
    assert spark("select l[2] as a, l[k] as b, l[-1] as c, s['field'] as d from t") == \
        "SELECT TRY_ELEMENT_AT(l, 2) AS a, TRY_ELEMENT_AT(l, k) AS b, TRY_ELEMENT_AT(l, -1) AS c, s['field'] AS d FROM t"


def test_division_and_mean_are_double_as_in_duckdb():
    assert spark("select avg(case when n >= 2 then 1.0 else 0.0 end) as share, 100.0 * a / b as pct from t") == \
        "SELECT AVG(CAST(CASE WHEN n >= 2 THEN 1.0 ELSE 0.0 END AS DOUBLE)) AS share, " \
        "CAST(100.0 * a AS DOUBLE) / b AS pct FROM t"


def test_materialized_hint_is_dropped():
    assert spark("with x as materialized (select 1 as a) select a from x") == "WITH x AS (SELECT 1 AS a) SELECT a FROM x"


def test_arg_min_and_top_n_keep_duckdb_null_handling():
    assert spark("select arg_min(channel, order_date) as a, arg_max_null(store, (order_date, order_key)) as b from t") \
        == "SELECT MIN_BY(channel, CASE WHEN NOT channel IS NULL THEN order_date END) AS a, " \
           "MAX_BY(store, (order_date, order_key)) AS b FROM t"
    assert spark("select min(order_date, 2) as first_two from t") == \
        "SELECT SLICE(SORT_ARRAY(COLLECT_LIST(order_date), TRUE), 1, 2) AS first_two FROM t"


def test_date_diff_counts_like_duckdb():
    assert spark("select date_diff('month', a, b) as m from t") == \
        "SELECT DATEDIFF(MONTH, TRUNC(a, 'MONTH'), TRUNC(b, 'MONTH')) AS m FROM t"
    assert spark("select date_diff('day', a, b) as d from t") == \
        "SELECT DATEDIFF(DAY, CAST(a AS DATE), CAST(b AS DATE)) AS d FROM t"
    by_parameter = spark("select date_diff($grain, a, b) as p from t")
    assert by_parameter.startswith("SELECT CASE WHEN :grain = 'day' THEN DATEDIFF(DAY, ")
    assert "WHEN :grain = 'quarter' THEN DATEDIFF(QUARTER, TRUNC(a, 'QUARTER'), TRUNC(b, 'QUARTER'))" in by_parameter


def test_generate_series_in_from_becomes_an_exploded_sequence():
    assert spark("select g.d from generate_series(date '2026-01-01', date '2026-03-01', interval 1 month) as g(d)") == \
        "SELECT g.d FROM (SELECT EXPLODE(SEQUENCE(CAST('2026-01-01' AS DATE), CAST('2026-03-01' AS DATE), " \
        "INTERVAL '1' MONTH)) AS d) AS g"


def test_arrow_results_convert_like_duckdb():
    from loyalty.engines.spark_engine import arrow_to_pandas, spark_args

    table = pa.table({
        "day": pa.array([dt.date(2026, 1, 1)], pa.date32()),
        "at": pa.array([dt.datetime(2026, 1, 1, 3)], pa.timestamp("us", tz="UTC")),
        "amount": pa.array([Decimal("1.50")], pa.decimal128(10, 2)),
        "n": pa.array([2], pa.int64()),
    })
    df = arrow_to_pandas(table)
    assert df.dtypes.to_dict() == {"day": "datetime64[us]", "at": "datetime64[us]", "amount": "float64", "n": "int64"}
    assert df["at"].iloc[0] == pd.Timestamp("2026-01-01 03:00")
    assert spark_args({"s": ("a", "b"), "d": pd.Timestamp("2026-01-01"), "e": []}) == \
        {"s": ["a", "b"], "d": dt.datetime(2026, 1, 1), "e": []}


def test_duckdb_engine_is_the_default_and_unknown_engines_are_refused(fixture_workspace):
    snapshot = fixture_workspace.snapshot()
    engine = open_engine(snapshot, Settings())
    try:
        assert isinstance(engine, DuckDBEngine)
        params = DEFAULTS
        assert engine.run("kpis", **params).equals(queries.run(engine.con, "kpis", **params))
        assert queries.run(engine, "kpis", **params).equals(engine.run("kpis", **params))  # runner dispatch
    finally:
        engine.close()
    with pytest.raises(ValueError, match="unknown engine 'presto'"):
        open_engine(snapshot, Settings(engine="presto"))
    current = CurrentEngine(fixture_workspace, Settings())
    assert current.current()[1] is current.current()[1]  # one engine per workspace version


def test_engine_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LOYALTY_ENGINE", " Spark ")
    monkeypatch.setenv("LOYALTY_SPARK_REMOTE", "sc://spark-host:15002")
    settings = Settings.from_env()
    assert (settings.engine, settings.spark_remote) == ("spark", "sc://spark-host:15002")
    assert Settings.from_env(engine="duckdb").engine == "duckdb"  # --engine wins


def test_every_cli_command_with_a_workspace_accepts_engine(fixture_workspace, capsys):
    args = build_parser().parse_args(["kpis", "--workspace", str(fixture_workspace.root), "--engine", "duckdb"])
    assert args.engine == "duckdb"
    assert main(["kpis", "--workspace", str(fixture_workspace.root), "--engine", "duckdb", "--format", "json"]) == 0
    assert "\"orders\": 5" in capsys.readouterr().out  # all data: A o1 o2, B, C o3, D o4
    with pytest.raises(SystemExit):
        build_parser().parse_args(["kpis", "--engine", "presto"])
