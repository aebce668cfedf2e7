"""The Apache Spark engine: the workspace's Parquet files as Spark temp views, queries/*.sql translated.

Views: the same names, columns and types as loyalty/db.py, from the same SQL (`db.view_definitions`,
translated by loyalty/engines/translate.py); only the relation that reads Parquet differs (a temp view
over `spark.read.parquet(...)`). Sessions: one local Spark per process (`LOYALTY_SPARK_MASTER`,
default local[2]) with a new session per engine, so two workspaces never share a view name; or a
Spark Connect server (`LOYALTY_SPARK_REMOTE=sc://host:15002`). Results come back through Arrow and are
converted like DuckDB's `.df()`: dates as datetime64, decimals as float64.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import threading
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa

from loyalty import queries
from loyalty.db import view_definitions
from loyalty.settings import Settings
from loyalty.store import Snapshot

try:
    from pyspark.errors import PySparkException
    from pyspark.logger import PySparkLogger
    from pyspark.sql import SparkSession

    from loyalty.engines.translate import query_to_spark, to_spark
except ImportError as exc:  # the engine is optional; say how to get it
    raise RuntimeError("the Spark engine needs pyspark and sqlglot: pip install -r requirements-spark.txt") from exc

# Results are converted from Arrow here, not by pyspark's pandas conversion (which warns on pandas 3).
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
# pyspark logs every failed statement with its full plan; SparkQueryError below says it in one sentence.
for _name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
    PySparkLogger.getLogger(_name).setLevel(logging.CRITICAL)

# For a local Spark in the app's process: no web UI, few shuffle partitions for one machine's cores.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "2g",
}
# Every session: dates and timestamps without a time zone shift, as in DuckDB.
SESSION_CONF = {"spark.sql.session.timeZone": "UTC"}

_lock = threading.Lock()
_local: SparkSession | None = None


def _submitted() -> bool:
    """Is this Python process run by spark-submit (which started the driver JVM already)?"""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def local_spark(settings: Settings, conf: dict[str, str] | None = None) -> SparkSession:
    """The process's one Spark driver (started on first use, ~10 s); `conf` overrides LOCAL_CONF."""
    global _local
    with _lock:
        if _local is None or _local.sparkContext._jsc is None:  # never started, or stopped
            builder = SparkSession.builder.appName("loyalty-cockpit")
            options = dict(conf or {})
            # under spark-submit its --master and --conf apply, unless LOYALTY_SPARK_MASTER is set
            if not _submitted() or os.environ.get("LOYALTY_SPARK_MASTER"):
                builder = builder.master(settings.spark_master)
                if settings.spark_master.startswith("local"):
                    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no network interface needed
                    options = {**LOCAL_CONF, **options}
            for key, value in options.items():
                builder = builder.config(key, value)
            _local = builder.getOrCreate()
            _local.sparkContext.setLogLevel("ERROR")
        return _local


def new_session(settings: Settings) -> SparkSession:
    """A Spark session with its own temp views: on Spark Connect if configured, else on the local driver."""
    if settings.spark_remote:
        session = SparkSession.builder.remote(settings.spark_remote).create()
    else:
        session = local_spark(settings).newSession()
    for key, value in SESSION_CONF.items():
        session.conf.set(key, value)
    return session


class SparkQueryError(RuntimeError):
    """A query that Spark rejected or failed on: the error, and the translated SQL around its position."""


def _error_summary(exc: PySparkException, spark_sql: str) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    position = re.search(r"line 1,? pos(?:ition)? (\d+)", str(exc))
    if position:
        at = int(position.group(1))
        message += f" at: ...{spark_sql[max(0, at - 60):at + 80]}..."
    return message


def spark_args(params: dict) -> dict:
    """Bound values as Spark accepts them: lists (also empty) for `:name` markers, plain Python scalars."""
    args = {}
    for key, value in params.items():
        if isinstance(value, (tuple, set, frozenset)):
            value = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        elif isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        elif hasattr(value, "item") and not isinstance(value, (str, bytes, list)):  # numpy scalar
            value = value.item()
        args[key] = value
    return args


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Like DuckDB's `.df()`: dates and timestamps as datetime64[us] (no time zone), decimals as float64."""
    columns = []
    for field, column in zip(table.schema, table.columns):
        kind = field.type
        if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            column = column.cast(pa.timestamp("us", tz=kind.tz if pa.types.is_timestamp(kind) else None))
            if pa.types.is_timestamp(kind) and kind.tz:
                column = column.cast(pa.timestamp("us"))  # session time zone is UTC: wall clock = UTC
        elif pa.types.is_decimal(kind):
            column = column.cast(pa.float64())
        columns.append(column)
    converted = pa.Table.from_arrays(columns, names=table.column_names)
    return converted.to_pandas()


class SparkEngine:
    name = "spark"

    def __init__(self, snapshot: Snapshot, settings: Settings | None = None, session: SparkSession | None = None):
        self.snapshot = snapshot
        self.settings = settings or Settings.from_env()
        self.spark = session if session is not None else new_session(self.settings)
        self._relation_ids = itertools.count()
        self._views: list[str] = []
        for name, sql in view_definitions(snapshot, self._parquet_relation):
            self._create_view(name, to_spark(sql))

    def _uri(self, path: Path) -> str:
        """A file as the cluster sees it: below LOYALTY_SPARK_DATA_ROOT if set, else the local path."""
        root = self.settings.spark_data_root
        if not root:
            return str(path)
        return root.rstrip("/") + "/" + path.relative_to(self.snapshot.root).as_posix()

    def _parquet_relation(self, files: list[Path]) -> str:
        name = f"loyalty_parquet_{next(self._relation_ids)}"
        self.spark.read.parquet(*(self._uri(f) for f in files)).createOrReplaceTempView(name)
        self._views.append(name)
        return name

    def _create_view(self, name: str, spark_sql: str) -> None:
        try:
            self.spark.sql(f"create or replace temporary view `{name}` as {spark_sql}")
        except PySparkException as exc:
            raise SparkQueryError(f"view {name} on Spark: {_error_summary(exc, spark_sql)}") from None
        self._views.append(name)

    def run(self, name: str, **params) -> pd.DataFrame:
        """Run queries/<name>.sql on Spark; the same parameter rules as `loyalty.queries.run`."""
        query = queries.load(name)
        missing = query.params - params.keys()
        if missing:
            raise TypeError(f"Query {name!r} needs parameter(s): {', '.join(sorted(missing))}")
        args = spark_args({k: params[k] for k in query.params})
        list_params = frozenset(k for k, v in args.items() if isinstance(v, list))
        spark_sql = query_to_spark(name, list_params)
        try:
            table = self.spark.sql(spark_sql, args=args or None).toArrow()
        except PySparkException as exc:
            error = SparkQueryError(f"queries/{name}.sql on Spark: {_error_summary(exc, spark_sql)}")
            error.spark_error = exc  # the full error with Spark's plan, for debugging
            raise error from None
        return arrow_to_pandas(table)

    def close(self) -> None:
        if self.settings.spark_remote:
            self.spark.stop()  # ends this Spark Connect session on the server
            return
        for view in reversed(self._views):  # the local driver stays up for the next engine
            self.spark.catalog.dropTempView(view)
        self._views.clear()
