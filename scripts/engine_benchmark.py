"""Time the same metric queries on DuckDB and on Spark over one workspace (numbers in docs/scaling.md).

    .venv/bin/python scripts/engine_benchmark.py /tmp/spark-1m --engines duckdb spark --repeat 3

Each engine runs in its own process (so memory is its own): start (Spark: the local driver JVM), open
(the views of one snapshot), then every query once cold and `--repeat` times warm (the median is
reported). The period is the last 12 months of the data with no dimension filter, as the app opens;
extra parameters come from the query tests' SAMPLE_PARAMS. Peak memory is the high-water mark of the
process (DuckDB) or of the driver JVM (local Spark; with LOYALTY_SPARK_REMOTE, the Spark Connect client
process only). `--spark-cache` also times Spark with the derived views
cached in executor memory (CACHE TABLE). Output: one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_QUERIES = ["kpis", "kpi_trend", "filter_options", "repeat_summary", "crossbuying_breadth", "churn_status",
                   "rfm_segments"]


def _high_water_kb(pid: int | None = None) -> int:
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))


def measure(workspace: str, engine_name: str, names: list[str], repeat: int, spark_cache: bool) -> dict:
    from loyalty import queries
    from loyalty.engines import open_engine
    from loyalty.filters import Filters, preset_period
    from loyalty.settings import Settings
    from loyalty.store import Workspace
    from tests.test_core import sample_params

    settings = Settings.from_env(workspace=workspace, engine=engine_name)
    snapshot = Workspace(settings.workspace).snapshot()
    result: dict = {"engine": engine_name + (" + cache" if spark_cache else ""), "queries": {}}
    jvm_pid = None
    if engine_name == "spark" and settings.spark_remote:
        result["engine"] = "spark connect" + (" + cache" if spark_cache else "")
    elif engine_name == "spark":
        from loyalty.engines.spark_engine import local_spark

        started = time.perf_counter()
        session = local_spark(settings)
        result["start_s"] = time.perf_counter() - started
        jvm_pid = session.sparkContext._gateway.proc.pid
    started = time.perf_counter()
    engine = open_engine(snapshot, settings)
    if spark_cache:
        for view in ("order_facts", "customer_attributes"):
            engine.spark.catalog.cacheTable(view)
    result["open_s"] = time.perf_counter() - started
    data = queries.run(engine, "data_range").iloc[0]
    start, end = preset_period("last_12_months", data["first_date"].date(), data["last_date"].date())
    params = Filters(start, end).params()
    for name in names:
        values = {**params, "grain": "month", **sample_params(name)}
        started = time.perf_counter()
        rows = len(engine.run(name, **values))
        cold = time.perf_counter() - started
        warm = []
        for _ in range(repeat):
            started = time.perf_counter()
            engine.run(name, **values)
            warm.append(time.perf_counter() - started)
        result["queries"][name] = {"cold_s": cold, "warm_s": statistics.median(warm), "rows": rows}
    result["rows"] = int(data["rows"])
    result["peak_mb"] = _high_water_kb(jvm_pid) / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workspace")
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"], choices=["duckdb", "spark"])
    parser.add_argument("--queries", nargs="+", default=DEFAULT_QUERIES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spark-cache", action="store_true", help="also time Spark with CACHE TABLE on the views")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, cache = args.child
        print(json.dumps(measure(args.workspace, engine, args.queries, args.repeat, cache == "1")))
        return
    runs = [(e, "0") for e in args.engines] + ([("spark", "1")] if args.spark_cache else [])
    results = []
    for engine, cache in runs:
        out = subprocess.run([sys.executable, __file__, args.workspace, "--queries", *args.queries, "--repeat",
                              str(args.repeat), "--child", engine, cache], capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{results[0]['rows']:,} transaction rows; seconds (cold = first run, warm = median of {args.repeat})\n")
    header = "| query | " + " | ".join(f"{r['engine']} cold | {r['engine']} warm" for r in results) + " |"
    print(header)
    print("|---" * (1 + 2 * len(results)) + "|")
    for name in args.queries:
        cells = [f"{r['queries'][name]['cold_s']:.2f} | {r['queries'][name]['warm_s']:.2f}" for r in results]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| start (JVM) | " + " | ".join(f"{r.get('start_s', 0):.1f} | " for r in results) + " |")
    print("| open (views) | " + " | ".join(f"{r['open_s']:.1f} | " for r in results) + " |")
    print("| peak memory MB | " + " | ".join(f"{r['peak_mb']:.0f} | " for r in results) + " |")


if __name__ == "__main__":
    main()
