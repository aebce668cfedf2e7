"""Fixtures of the Spark engine tests: one local Spark driver for the whole test session.

Spark needs a Java runtime (17 or newer); without one these tests are skipped with that reason. pyspark
and sqlglot come with requirements-dev.txt (through requirements-spark.txt).
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from loyalty.settings import Settings

# Quick for tiny fixtures on 2 cores (measured on the 8 slowest queries, warm: 6.6 s against 10.6 s
# with 2 shuffle partitions and broadcast joins): one shuffle partition, no broadcast jobs, no code
# generation or adaptive re-planning per query.
TEST_CONF = {
    "spark.driver.memory": "1g",
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "2",
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
}
SETTINGS = Settings(spark_master="local[2]")


def java_available() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (java_home and (Path(java_home) / "bin" / "java").exists()))


@pytest.fixture(scope="session")
def spark():
    if not java_available():
        pytest.skip("the Spark engine needs a Java runtime 17+ (apt-get install openjdk-17-jre-headless)")
    from loyalty.engines.spark_engine import local_spark

    session = local_spark(SETTINGS, TEST_CONF)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    """A small demo workspace with every contract table filled (data up to 2026-03-31)."""
    from loyalty import demo
    from loyalty.store import Workspace

    ws = Workspace(tmp_path_factory.mktemp("spark_demo_ws"))
    demo.generate(ws, customers=200, seed=3, years=2, end_date=date(2026, 3, 31))
    return ws
