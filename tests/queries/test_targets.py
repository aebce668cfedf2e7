"""queries/targets_progress.sql and the traffic lights / projection of components/targets.py on the
canonical fixture (tests/conftest.py) plus targets and surveys written here."""

from datetime import date

import pandas as pd
import pytest

from components.targets import project, target_overview, target_status
from loyalty import queries
from loyalty.db import connect
from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, d, make_workspace

SAMPLE_PARAMS = {"targets_progress": {"as_of": date(2026, 3, 1), "containing": None}}
AS_OF = date(2026, 3, 1)  # last order date of the fixture


def _target(kpi, start, end, target, segment=None):
    return dict(kpi=kpi, period_start=d(start), period_end=d(end), segment=segment, target=float(target))


TARGETS = [
    _target("revenue", "2026-01-01", "2026-03-31", 200),  # running on 2026-03-01
    _target("orders", "2026-01-01", "2026-02-28", 3),
    _target("active_customers", "2026-01-01", "2026-02-28", 2, "S1"),
    _target("repeat_purchase_rate", "2026-01-01", "2026-03-01", 0.35),
    _target("churn_rate", "2026-01-01", "2026-02-28", 0.5),
    _target("cross_buying_rate", "2026-01-01", "2026-03-01", 0.3),
    _target("nps", "2026-01-01", "2026-03-01", 20),
    _target("csat", "2026-01-01", "2026-03-01", 4.0),
    _target("revenue", "2026-04-01", "2026-06-30", 300),  # not started
]
SURVEYS = [
    dict(response_date=d("2026-01-10"), customer_id="A", nps=10, csat=4),
    dict(response_date=d("2026-01-11"), customer_id="B", nps=9, csat=5),
    dict(response_date=d("2026-02-01"), customer_id=None, nps=5),
    dict(response_date=d("2026-02-02"), customer_id="C", nps=8),
]


@pytest.fixture(scope="module")
def progress(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("targets_ws"), transactions=FIXTURE_TRANSACTIONS,
                        customers=FIXTURE_CUSTOMERS, targets=TARGETS, surveys=SURVEYS)
    con = connect(ws.snapshot())
    yield queries.run(con, "targets_progress", as_of=AS_OF, containing=None)
    con.close()


def final_values(progress):
    last = progress.sort_values("cutoff").groupby("target_id").tail(1)
    return {(r.kpi, str(r.period_end.date()), r.segment if isinstance(r.segment, str) else None): r.actual
            for r in last.itertuples()}


def test_actuals_for_each_kpi(progress):
    v = final_values(progress)
    # Jan-Feb: A o1 and o2, B one order -> 3 orders
    assert v["orders", "2026-02-28", None] == 3
    # S1 (A, C) active in Jan-Feb: only A
    assert v["active_customers", "2026-02-28", "S1"] == 1
    # Jan 1 - Mar 1: A 2 orders, B 1, C 1 -> 1/3 repeat buyers
    assert v["repeat_purchase_rate", "2026-03-01", None] == pytest.approx(1 / 3)
    # 59 days; the 59 days before (2025-11-03 .. 12-31): D active, no order in Jan-Feb -> churn 1/1
    assert v["churn_rate", "2026-02-28", None] == 1.0
    # categories: A Garten + Dünger -> 2; B Deko; C Grill (the returned line does not count) -> 1/3
    assert v["cross_buying_rate", "2026-03-01", None] == pytest.approx(1 / 3)
    # nps answers 10, 9, 5, 8: (2 promoters - 1 detractor) / 4 = 25; csat (4 + 5) / 2
    assert v["nps", "2026-03-01", None] == pytest.approx(25.0)
    assert v["csat", "2026-03-01", None] == pytest.approx(4.5)
    assert ("revenue", "2026-06-30", None) not in v  # not started yet


def test_running_target_has_month_end_cutoffs(progress):
    revenue = progress[(progress["kpi"] == "revenue") & (progress["period_end"] == pd.Timestamp("2026-03-31"))]
    # revenue to date: Jan 50 (A 30 + B 20), + Feb A 50 = 100, + Mar 1 C 90 = 190
    assert [str(c.date()) for c in revenue["cutoff"]] == ["2026-01-31", "2026-02-28", "2026-03-01"]
    assert revenue["actual"].tolist() == pytest.approx([50.0, 100.0, 190.0])


def test_containing_keeps_only_targets_whose_period_contains_the_date(tmp_path, progress):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS, targets=TARGETS,
                        surveys=SURVEYS)
    con = connect(ws.snapshot())
    try:
        subset = queries.run(con, "targets_progress", as_of=AS_OF, containing=d("2026-03-01"))
    finally:
        con.close()
    # periods containing 2026-03-01: revenue Jan-Mar and the four targets ending on Mar 1 (not the Feb ones,
    # not the one starting in April)
    assert sorted(subset["kpi"].unique()) == ["cross_buying_rate", "csat", "nps", "repeat_purchase_rate", "revenue"]
    # same ids and values as in the full result
    merged = subset.merge(progress, on=["target_id", "cutoff"], suffixes=("", "_all"))
    assert len(merged) == len(subset)
    assert (merged["kpi"] == merged["kpi_all"]).all()
    assert merged["actual"].tolist() == pytest.approx(merged["actual_all"].tolist())


def test_projection_is_a_least_squares_line(progress):
    revenue = progress[(progress["kpi"] == "revenue") & (progress["period_end"] == pd.Timestamp("2026-03-31"))]
    # x = days elapsed 31, 59, 60 (mean 50), y = 50, 100, 190 (mean 113.33); Sxx = 19² + 9² + 10² = 542,
    # Sxy = -19 x -63.33 + 9 x -13.33 + 10 x 76.67 = 1850; at day 90: 113.33 + 1850/542 x 40 = 249.86
    assert project(revenue).iloc[0] == pytest.approx(113.3333 + 1850 / 542 * 40, abs=1e-3)


def test_overview_states_and_traffic_lights(progress):
    overview = target_overview(progress, AS_OF, tolerance=0.05).set_index("kpi")
    assert overview.loc["revenue", "state"] == "running"
    assert overview.loc["revenue", "status"] == "green"  # projection 249.86 >= 200
    assert overview.loc["orders", "status"] == "green"  # 3 >= 3
    assert overview.loc["active_customers", "status"] == "red"  # 1 < 2 x 0.95
    # 1/3 misses 0.35 by 0.0167 <= 5 % x 0.35 = 0.0175 -> amber
    assert overview.loc["repeat_purchase_rate", "status"] == "amber"
    assert overview.loc["churn_rate", "status"] == "red"  # lower is better: 1.0 > 0.5
    assert overview.loc["nps", "deviation"] == pytest.approx(25 - 20)


def test_target_status_rules():
    got = target_status([100, 96, 94, None, 0.4, 0.52, -8], [100, 100, 100, 100, 0.5, 0.5, -10],
                        ["revenue", "revenue", "revenue", "revenue", "churn_rate", "churn_rate", "nps"], 0.05)
    # 96 misses by 4 <= 5 -> amber; 94 misses by 6 -> red; churn 0.52 above 0.5 by 0.02 <= 0.025 -> amber;
    # nps -8 is above a target of -10 -> green (tolerance uses |target|)
    assert got.tolist() == ["green", "amber", "red", "none", "green", "amber", "green"]


def test_projection_uses_the_recent_trend_only():
    # six cut-offs; the first two are far off the recent line y = 2x, which alone predicts 2 x 100 = 200
    days = [10, 20, 30, 40, 50, 60]
    values = [500.0, 400.0, 60.0, 80.0, 100.0, 120.0]
    start = pd.Timestamp("2026-01-01")
    progress = pd.DataFrame({
        "target_id": 1, "period_start": start, "period_end": start + pd.Timedelta(days=99),
        "cutoff": [start + pd.Timedelta(days=x - 1) for x in days], "actual": values,
    })
    assert project(progress).iloc[0] == pytest.approx(200.0)
    assert project(progress, points=6).iloc[0] != pytest.approx(200.0)
