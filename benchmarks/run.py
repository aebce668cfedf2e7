"""Benchmark suite: page query latency (cold/warm/filter change), app memory, CSV import, CLV fit and a
pandas reference, on generated workspaces of 100 k, 1 M and 10 M transaction rows.

    .venv/bin/python benchmarks/run.py                 # all sizes (10 M takes a few minutes)
    .venv/bin/python benchmarks/run.py --sizes 100k,1m --skip-import --skip-server

Workspaces are cached in benchmarks/cache/ (generated once with the demo generator). Prints one table
and writes benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import pandas_reference as ref  # noqa: E402
from loyalty import queries  # noqa: E402
from loyalty.db import connect  # noqa: E402
from loyalty.demo import generate  # noqa: E402
from loyalty.filters import Filters, preset_period  # noqa: E402
from loyalty.store import Workspace  # noqa: E402

CACHE = ROOT / "benchmarks" / "cache"
SIZES = {"100k": 6_800, "1m": 68_000, "10m": 670_000}  # customers -> about 15 rows each
CLV_CUSTOMERS = 100_000
REPEATS = 3  # new processes per view; the table shows the median
PYTHON = sys.executable


def workspace(label: str, customers: int) -> Workspace:
    ws = Workspace(CACHE / label)
    if ws.is_empty():
        print(f"generating {label} workspace ({customers:,} customers) ...", flush=True)
        started = time.perf_counter()
        generate(ws, customers=customers)
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    return ws


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall time, peak RSS (MB) of a child process (GNU time's %M), and its stdout."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "__rss_kb=%M", *cmd], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr[-800:]}")
    rss_kb = int(proc.stderr.rsplit("__rss_kb=", 1)[1].split()[0])
    return elapsed, rss_kb / 1024, proc.stdout


def _walk_views(ws: Workspace, before, visit) -> None:
    """Open every page and every tab of it under AppTest, each view with an empty result cache: before() runs
    just before the view's script, visit(at, label) just after it. Pages run only the open tab's queries, so
    a view = page + tab; the label is the page's url path, plus " / <tab label>" for tabs after the first."""
    os.environ["LOYALTY_WORKSPACE"] = str(ws.root)
    os.environ["LOYALTY_AUTO_DEMO"] = "0"
    import ast

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    pages = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                 and any(getattr(t, "id", None) == "PAGES" for t in n.targets))

    def run_view(at: AppTest, label: str) -> None:
        st.cache_data.clear()
        before()
        at.run()
        if at.exception:
            raise RuntimeError(f"{label}: {at.exception[0].message}")
        visit(at, label)

    for path, url, *_ in pages:
        if url in ("data", "report"):
            continue  # administration pages: no metric queries worth timing
        page = url or "cockpit"
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params["lang"] = "en"
        at.run()
        if not path.endswith("/cockpit.py"):
            at.switch_page(path)
        run_view(at, page)
        for block in at.get("tab_container"):
            if not block.key:
                continue  # tabs without state run every tab's body: already recorded
            for tab in list(block.children.values())[1:]:
                at.session_state[block.key] = tab.label
                run_view(at, f"{page} / {tab.label}")


def record_page_calls(ws: Workspace) -> dict[str, list]:
    """The queries (name, params) each view runs with an empty result cache (see _walk_views)."""
    calls: list = []
    recorded: dict[str, list] = {}
    original = queries.run

    def recording(con, name, **params):
        calls.append([name, {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}])
        return original(con, name, **params)

    queries.run = recording
    try:
        _walk_views(ws, calls.clear, lambda at, label: recorded.__setitem__(label, list(calls)))
    finally:
        queries.run = original
    return recorded


def cached_reruns(ws: Workspace) -> dict[str, float]:
    """Seconds of a view's script run again in the same session, every query answered by the result cache
    (what the app does when a user returns to a view or changes nothing that a query depends on). AppTest,
    no browser: the page's Python, the cache lookups and building the charts, tables and widgets. The median
    of REPEATS walks over all views, like the cold figures (single reruns vary by up to 0.1 s here)."""
    walks: list[dict[str, float]] = []
    for _ in range(REPEATS):
        times: dict[str, float] = {}

        def rerun(at, label: str, times=times) -> None:
            started = time.perf_counter()
            at.run()
            times[label] = time.perf_counter() - started
            if at.exception:
                raise RuntimeError(f"{label}: {at.exception[0].message}")

        _walk_views(ws, lambda: None, rerun)
        walks.append(times)
    return {view: statistics.median(walk[view] for walk in walks) for view in walks[0]}


def page_latencies(sizes: list[str], calls_file: Path, pages: list[str]) -> dict:
    """Each view REPEATS times, each time in a new process; the median of each figure (this machine is a
    shared VM whose speed varies by 15-20 % from minute to minute, so a single run decides little)."""
    results: dict = {}
    for label in sizes:
        for page in pages:
            runs = []
            for _ in range(REPEATS):
                _, _, out = measure([PYTHON, str(ROOT / "benchmarks" / "replay.py"), str(CACHE / label),
                                     str(calls_file), page])
                runs.append(json.loads(out))
            results[(label, page)] = {key: (max(r[key] for r in runs) if key == "rss_mb"
                                            else statistics.median(r[key] for r in runs)) for key in runs[0]}
            r = results[(label, page)]
            print(f"  {label:>4} {page:<16} cold {r['cold']:.2f} s  warm {r['warm']:.2f} s  "
                  f"filter {r['filter_change']:.2f} s  ({r['queries']} queries, {r['rss_mb']:.0f} MB)", flush=True)
    return results


def without_derived(label: str, calls_file: Path, page: str) -> dict:
    _, _, out = measure([PYTHON, str(ROOT / "benchmarks" / "replay.py"), str(CACHE / label), str(calls_file), page],
                        env={"LOYALTY_NO_DERIVED": "1"})
    return json.loads(out)


def default_filters(ws: Workspace) -> Filters:
    state = ws.snapshot().tables["transactions"]
    start, end = preset_period("last_12_months", date.fromisoformat(state.min_date), date.fromisoformat(state.max_date))
    return Filters(start=start, end=end)


def pandas_comparison(label: str) -> dict:
    ws = Workspace(CACHE / label)
    filters = default_filters(ws)
    con = connect(ws.snapshot())
    started = time.perf_counter()
    tx = ref.load_transactions([str(f) for f in ws.snapshot().files("transactions")])
    load = time.perf_counter() - started
    out = {"load_s": load}
    checks = []

    def timed(fn, *args):
        started = time.perf_counter()
        value = fn(*args)
        return value, time.perf_counter() - started

    pandas_kpis, t_pandas = timed(ref.kpis, tx, filters.start, filters.end)
    sql_kpis, t_sql = timed(lambda: queries.run(con, "kpis", **filters.params()).iloc[0])
    checks.append(all(abs(float(sql_kpis[k]) - float(v)) <= 1e-6 * max(1, abs(float(v))) for k, v in pandas_kpis.items()))
    out["kpis"] = (t_pandas, t_sql)

    pandas_cohorts, t_pandas = timed(ref.cohort_table, tx, filters.start, filters.end)
    sql_cohorts, t_sql = timed(lambda: queries.run(con, "cohort_retention", grain="month", retention="bracketed",
                                                  min_orders=1, **filters.params()))
    pandas_cohorts["cohort"] = pd.to_datetime(pandas_cohorts["cohort"])
    sql_cohorts["cohort"] = pd.to_datetime(sql_cohorts["cohort"])
    merged = pandas_cohorts.merge(sql_cohorts, on=["cohort", "period"], suffixes=("_pd", "_sql"))
    checks.append(len(merged) == len(pandas_cohorts) == len(sql_cohorts)
                  and (merged["customers_pd"] == merged["customers_sql"]).all())
    out["cohorts"] = (t_pandas, t_sql)

    pandas_pairs, t_pandas = timed(ref.crossbuying_pairs, tx, filters.start, filters.end)
    sql_pairs, t_sql = timed(lambda: queries.run(con, "crossbuying_pairs", **filters.params()))
    sql_pairs = sql_pairs[sql_pairs["customers_both"] > 0].rename(columns={"category_a": "a", "category_b": "b"})
    merged = pandas_pairs.merge(sql_pairs, on=["a", "b"], suffixes=("_pd", "_sql"))
    checks.append(len(merged) == len(pandas_pairs) == len(sql_pairs)
                  and (merged["customers_both_pd"] == merged["customers_both_sql"]).all()
                  and ((merged["lift_pd"] - merged["lift_sql"]).abs() < 1e-9).all())
    out["pairs"] = (t_pandas, t_sql)
    out["same_numbers"] = all(checks)
    out["checks"] = checks
    return out


def import_benchmark(label: str) -> tuple[float, float, int]:
    """Export the workspace's transactions as a German CSV, then time the CLI import of it."""
    ws = Workspace(CACHE / label)
    csv = CACHE / f"{label}-export.csv"
    if not csv.exists():
        con = connect(ws.snapshot())
        con.execute(
            "copy (select customer_id as Kundennummer, strftime(order_date, '%d.%m.%Y') as Belegdatum, "
            "replace(cast(round(revenue, 2) as varchar), '.', ',') as \"Umsatz (€)\", order_id as \"Beleg-Nr.\", "
            "category as Warengruppe, channel as Kanal, store as Filiale, quantity as Menge from transactions) "
            f"to '{csv}' (header, delimiter ';', quote '\"')")
    target = CACHE / f"{label}-import-ws"
    subprocess.run(["rm", "-rf", str(target)], check=True)
    elapsed, rss, out = measure([PYTHON, "-m", "loyalty", "import", "--workspace", str(target), "--table",
                                 "transactions", str(csv), "--accept-valid"])
    rows = Workspace(target).snapshot().tables["transactions"].rows
    return elapsed, rss, rows


CLV_SCRIPT = """
import sys, time, json
sys.path.insert(0, {root!r})
from loyalty.store import Workspace
from loyalty.db import connect
from loyalty import clv
con = connect(Workspace({ws!r}).snapshot())
t0 = time.perf_counter()
summary = clv.summary_from_duckdb(con, calibration_end={cal!r}, unit="weeks")
t1 = time.perf_counter()
bg = clv.fit_bgnbd(summary)
gg = clv.fit_gamma_gamma(summary)
t2 = time.perf_counter()
values = clv.customer_lifetime_value(summary, bg, gg)
t3 = time.perf_counter()
print(json.dumps({{"customers": len(summary), "summary_s": t1 - t0, "fit_s": t2 - t1, "clv_s": t3 - t2}}))
"""


def clv_benchmark() -> dict:
    ws = workspace("clv100k", CLV_CUSTOMERS)
    end = date.fromisoformat(ws.snapshot().tables["transactions"].max_date)
    calibration_end = date(end.year - 1, end.month, 28).isoformat()
    script = CLV_SCRIPT.format(root=str(ROOT), ws=str(ws.root), cal=calibration_end)
    elapsed, rss, out = measure([PYTHON, "-c", script])
    result = json.loads(out)
    result.update(total_s=elapsed, rss_mb=rss)
    return result


# the script has finished (Streamlit marks the app root) and the page shows something
IDLE_JS = """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'notRunning'
    && !!document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]')"""


def open_and_wait(page, url: str) -> float:
    """Seconds from navigation until the page has rendered and the script stopped running (idle twice,
    0.4 s apart, so a rerun that starts just after the first check is not missed)."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=120_000)
    while True:
        page.wait_for_timeout(200)
        page.wait_for_function(IDLE_JS, timeout=300_000)
        idle_at = time.perf_counter()
        page.wait_for_timeout(400)
        if page.evaluate(IDLE_JS):
            return idle_at - started


def server_memory(label: str, pages: list[str]) -> dict:
    """Start the app on the workspace and open every page in Chromium three times: cold (first visit
    after the server start: the page's queries run), warm (a new session opening the same view: the
    result cache answers) and filter (a new session with one segment selected: a cache miss). Reports the
    seconds until each page is rendered and idle, and the server's peak RSS."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server

    con = connect(Workspace(CACHE / label).snapshot())
    segment = con.execute("select min(segment) from customer_attributes").fetchall()[0][0]
    con.close()
    server = Server(CACHE / label)
    times: dict[str, dict[str, float]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for url in pages:
                times[url] = {}
                for kind, query in (("cold", "?lang=en"), ("warm", "?lang=en"), ("filter", f"?lang=en&segment={quote(segment)}")):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # a new session
                    times[url][kind] = open_and_wait(context.new_page(), f"{server.url}/{url}{query}")
                    context.close()
                print(f"  browser {url or 'cockpit':<16} " + "  ".join(f"{k} {v:.1f} s" for k, v in times[url].items()),
                      flush=True)
            browser.close()
        status = Path(f"/proc/{server.process.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
    finally:
        server.stop()
    return {"render_s": times, "peak_rss_mb": peak_kb / 1024}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    import duckdb
    import pandas
    import streamlit

    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) / 1024 / 1024:.0f} GiB RAM, Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}, pandas {pandas.__version__}, Streamlit {streamlit.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1m,10m")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--skip-clv", action="store_true")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--server-only", action="store_true",
                        help="only the browser measurement on the largest size; replaces its section in --out")
    args = parser.parse_args()
    if args.server_only:
        return server_only(args.sizes.split(",")[-1], args.out)
    sizes = [s for s in args.sizes.split(",") if s]
    CACHE.mkdir(parents=True, exist_ok=True)
    spaces = {label: workspace(label, SIZES[label]) for label in sizes}
    rows = {label: ws.snapshot().tables["transactions"].rows for label, ws in spaces.items()}

    calls_file = CACHE / "page_calls.json"
    print("recording the queries of every page ...", flush=True)
    recorded = record_page_calls(spaces[sizes[0]])
    calls_file.write_text(json.dumps(recorded, indent=1))
    pages = list(recorded)

    print("page query latency (each page in a new process):", flush=True)
    latency = page_latencies(sizes, calls_file, pages)
    largest = sizes[-1]
    baseline = {page: without_derived(largest, calls_file, page) for page in ("cockpit", "cross-buying")}
    print(f"cached reruns on {largest} ...", flush=True)
    reruns = cached_reruns(spaces[largest])

    comparison = {}
    if not args.skip_pandas:
        for label in sizes:
            print(f"pandas reference on {label} ...", flush=True)
            comparison[label] = pandas_comparison(label)
    imports = {} if args.skip_import else {label: import_benchmark(label) for label in sizes if label in ("1m", "10m")}
    clv_result = None if args.skip_clv else clv_benchmark()
    page_urls = ["" if p == "cockpit" else p for p in pages if " / " not in p]
    server = None if args.skip_server else server_memory(largest, page_urls)

    report = render(sizes, rows, pages, latency, baseline, comparison, imports, clv_result, server, largest,
                    reruns)
    args.out.write_text(report, encoding="utf-8")
    print(report)


def server_only(largest: str, out: Path) -> None:
    pages = [p for p in json.loads((CACHE / "page_calls.json").read_text()) if " / " not in p]
    section = "\n".join(render_server(server_memory(largest, ["" if p == "cockpit" else p for p in pages]), largest))
    text = out.read_text(encoding="utf-8")
    start = text.find("## App in the browser")
    out.write_text((text[:start] if start >= 0 else text + "\n") + section, encoding="utf-8")
    print(section)


def render(sizes, rows, pages, latency, baseline, comparison, imports, clv_result, server, largest,
           reruns=None) -> str:
    lines = [f"# Benchmark results\n\n{datetime.now():%Y-%m-%d %H:%M}, {machine()}.\n",
             "Generated by `.venv/bin/python benchmarks/run.py` (see benchmarks/run.py for what is measured). "
             "What each optimisation gained: [docs/performance.md](../docs/performance.md).\n",
             "## Queries per view (seconds; each view in a new process)\n",
             "A view is a page with one tab open (pages run only the open tab's queries): `page` is its first "
             "tab, `page / tab` the others. Its queries include the sidebar's.\n",
             "Median of 3 runs, each in a new process. cold = first run in the process (connection + all queries "
             "of the page); warm = the same queries "
             "again without result cache (the app's cache answers repeats in ~0 s); filter = the queries that take "
             "the sidebar filters, with a segment selected (cache misses; the app's cache answers the page's "
             "other queries, whose parameters do not change).\n",
             "| view | " + " | ".join(f"{s} cold | {s} warm | {s} filter" for s in sizes) + " |",
             "|---|" + "---|---|---|" * len(sizes)]
    for page in pages:
        cells = []
        for s in sizes:
            r = latency[(s, page)]
            cells += [f"{r['cold']:.2f}", f"{r['warm']:.2f}", f"{r['filter_change']:.2f}"]
        lines.append(f"| {page} ({latency[(sizes[0], page)]['queries']} queries) | " + " | ".join(cells) + " |")
    lines.append("\nTransaction rows: " + ", ".join(f"{s} = {rows[s]:,}" for s in sizes) + ".\n")
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        growth = [latency[(last, p)]["warm"] / max(latency[(first, p)]["warm"], 1e-3) for p in pages]
        factor = rows[last] / rows[first]
        lines.append(f"Growth: {factor:.0f}x the rows cost {min(growth):.1f}x to {max(growth):.1f}x the warm time.\n")
    if "1m" in sizes and "10m" in sizes:
        lines += ["### Growth and the expected figure for 100 M rows\n",
                  "Warm seconds per view; `x10` = 10m / 1m (about 10 = linear). Expected at 100 M = 10m x that "
                  "factor, on this 2-core machine (an extrapolation, not a measurement; see docs/scaling.md).\n",
                  "| view | " + " | ".join(sizes) + " | x10 | expected 100 M |", "|---|" + "---|" * (len(sizes) + 2)]
        for page in pages:
            warm = [latency[(s, page)]["warm"] for s in sizes]
            step = latency[("10m", page)]["warm"] / max(latency[("1m", page)]["warm"], 1e-3)
            lines.append(f"| {page} | " + " | ".join(f"{w:.2f}" for w in warm)
                         + f" | {step:.1f} | {latency[('10m', page)]['warm'] * step:.1f} |")
        lines.append("")
    for page, c in baseline.items():
        d = latency[(largest, page)]
        lines.append(f"Derived tables (built at import) on {largest}, {page}: without them {c['cold']:.2f} s cold / "
                     f"{c['warm']:.2f} s warm, with them {d['cold']:.2f} s / {d['warm']:.2f} s.\n")
    met = [p for p in pages if latency[(largest, p)]["cold"] < 1.5]
    worst = max(pages, key=lambda p: latency[(largest, p)]["cold"])
    lines.append(f"Views under 1.5 s cold on {largest}: {len(met)} of {len(pages)}; slowest: {worst} "
                 f"{latency[(largest, worst)]['cold']:.2f} s.\n")
    if reruns:
        lines += [f"### A view again in the app on {largest} (warm)\n",
                  "The view's script run a second time in the same session (AppTest, no browser), so every "
                  "query comes from the result cache: the page's Python, the cache lookups and building the "
                  f"charts, tables and widgets. Median of {REPEATS} walks over all views.\n",
                  "| view | seconds |", "|---|---|"]
        lines += [f"| {view} | {seconds:.2f} |" for view, seconds in reruns.items()]
        slowest = max(reruns, key=reruns.get)
        fast = [v for v in reruns if reruns[v] < 0.3]
        lines.append(f"\nViews whose warm rerun takes under 0.3 s: {len(fast)} of {len(reruns)}; slowest: "
                     f"{slowest} {reruns[slowest]:.2f} s.\n")
    if comparison:
        lines += ["## DuckDB vs pandas reference (same process, same data; seconds)\n",
                  "| size | pandas load | KPIs pandas / SQL | cohorts pandas / SQL | pairs pandas / SQL | same numbers |",
                  "|---|---|---|---|---|---|"]
        for s, r in comparison.items():
            cells = [f"{r[k][0]:.2f} / {r[k][1]:.2f} ({r[k][0] / max(r[k][1], 1e-3):.0f}x)" for k in ("kpis", "cohorts", "pairs")]
            lines.append(f"| {s} | {r['load_s']:.2f} | " + " | ".join(cells) + f" | {'yes' if r['same_numbers'] else 'NO ' + str(r['checks'])} |")
        lines.append("\nThe pandas times exclude loading the Parquet files (column 'pandas load'); SQL times "
                     "include reading them.\n")
    if imports:
        lines += ["## CSV import (German export, `;`, decimal comma, dd.mm.yyyy)\n", "| rows | time | peak RSS |",
                  "|---|---|---|"]
        for s, (elapsed, rss, n) in imports.items():
            lines.append(f"| {n:,} ({s}) | {elapsed:.1f} s | {rss:.0f} MB |")
        lines.append("")
    if clv_result:
        lines.append(f"## CLV\n\nBG/NBD + Gamma-Gamma on {clv_result['customers']:,} customers: summary "
                     f"{clv_result['summary_s']:.1f} s, fit {clv_result['fit_s']:.1f} s, CLV {clv_result['clv_s']:.1f} s; "
                     f"whole process {clv_result['total_s']:.1f} s, peak RSS {clv_result['rss_mb']:.0f} MB.\n")
    if server:
        lines += render_server(server, largest)
    return "\n".join(lines)


def render_server(server: dict, largest: str) -> list[str]:
    lines = [f"## App in the browser on {largest}\n",
             "Seconds from navigation until the page is rendered and its script has finished (Chromium, one new "
             "session per visit, so each figure includes loading the page): cold = first visit after the server "
             "start; warm = the same view again (result cache); filter = one segment selected (cache miss).\n",
             "| page | cold | warm | filter |", "|---|---|---|---|"]
    for url, t in server["render_s"].items():
        lines.append(f"| {url or 'cockpit'} | {t['cold']:.1f} | {t['warm']:.1f} | {t['filter']:.1f} |")
    lines.append(f"\nPeak RSS of the Streamlit process after all visits: {server['peak_rss_mb']:.0f} MB.\n")
    return lines


if __name__ == "__main__":
    main()
