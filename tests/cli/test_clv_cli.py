"""`python -m loyalty clv` on the CDNOW sample reproduces the published BG/NBD and Gamma-Gamma estimates
(Fader, Hardie & Lee 2005; /work/shared/data/README.md); too little data gives one clear error line."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.cli.test_kpis_cli import cli
from tests.conftest import make_workspace

CDNOW = Path(__file__).resolve().parents[3] / "shared/data/cdnow_sample.csv"
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cdnow_workspace(tmp_path_factory):
    if not CDNOW.is_file():
        pytest.skip(f"{CDNOW} not present")
    path = str(CDNOW).replace("'", "''")
    rows = duckdb.connect().execute(
        f"select customer_id, order_date, revenue, quantity from read_csv('{path}', header = true, columns = "
        "{'customer_id': 'varchar', 'order_date': 'date', 'quantity': 'bigint', 'revenue': 'double'})"
    ).df()
    rows["order_date"] = rows["order_date"].dt.date
    return make_workspace(tmp_path_factory.mktemp("cdnow") / "ws", transactions=rows)


@pytest.fixture(scope="module")
def cdnow_result(cdnow_workspace):
    out = cli("clv", "--calibration-end", "1997-09-30", "--unit", "weeks", "--horizon", "12", "--format", "json",
              workspace=cdnow_workspace.root)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_cli_reproduces_published_cdnow_estimates(cdnow_result):
    for name, published in PUBLISHED_BGNBD.items():
        assert cdnow_result["bgnbd"][name] == pytest.approx(published, rel=0.01), name
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert cdnow_result["gamma_gamma"][name] == pytest.approx(published, rel=0.01), name
    assert cdnow_result["bgnbd"]["log_likelihood"] == pytest.approx(-9582.4, abs=0.5)
    # the paper's cohort: 2,357 customers, 946 with repeat purchases in the 39 calibration weeks
    assert cdnow_result["customers"] == 2357
    assert cdnow_result["repeat_customers"] == 946
    assert cdnow_result["gamma_gamma"]["customers"] == 946


def test_cli_intervals_contain_the_estimates(cdnow_result):
    for model in ("bgnbd", "gamma_gamma"):
        for name, interval in cdnow_result[model]["intervals_95"].items():
            assert interval["ci_low"] < cdnow_result[model][name] < interval["ci_high"], (model, name)


def test_cli_holdout_check_counts_the_actual_repeat_purchases(cdnow_result):
    groups = cdnow_result["holdout_by_frequency"]
    assert sum(g["customers"] for g in groups) == 2357
    # 1,882 purchase occasions of the cohort between 1997-10-01 and 1998-06-30 (39 weeks of holdout)
    assert sum(g["customers"] * g["actual"] for g in groups) == pytest.approx(1882)
    assert all(g["predicted"] > 0 for g in groups)


def test_cli_forecast_is_consistent(cdnow_result):
    forecast = cdnow_result["forecast"]
    assert forecast["horizon_months"] == 12 and forecast["annual_discount_rate"] == pytest.approx(0.10)
    assert forecast["customers"] == 2357 and forecast["clv"] > 0
    assert 0 < forecast["p_alive_mean"] < 1
    top = cdnow_result["top_customers"]
    assert len(top) == 10 and [c["clv"] for c in top] == sorted((c["clv"] for c in top), reverse=True)
    assert top[0]["clv"] <= forecast["clv"]
    assert cdnow_result["data_end"] == "1998-06-30"


def test_cli_too_few_customers_is_one_clear_line(fixture_workspace):
    out = cli("clv", "--calibration-end", "2026-02-01", "--format", "json", workspace=fixture_workspace.root)
    assert out.returncode == 2
    assert "Too few customers" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("args, message", [
    (["--calibration-end", "2030-01-01"], "calibration end must lie in the data"),
    (["--calibration-end", "2026-02-01", "--horizon", "0"], "horizon"),
    (["--unit", "months"], "invalid choice"),
])
def test_cli_bad_arguments(fixture_workspace, args, message):
    out = cli("clv", *args, workspace=fixture_workspace.root)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


# The helpers the page and the CLI share (loyalty/customer_value.py), on frames small enough to check by hand.

def test_value_by_segment_and_high_value_low_alive():
    import pandas as pd

    from loyalty.customer_value import high_value_low_alive, value_by_segment

    customers = pd.DataFrame({
        "customer_id": list("ABCDE"),
        "segment": ["S1", "S1", "S2", None, "S2"],
        "clv": [100.0, 50.0, 30.0, 20.0, 0.0],
        "expected_purchases": [4.0, 2.0, 1.0, 1.0, 0.0],
        "p_alive": [1.0, 0.5, 0.2, 0.8, 0.1],
        "value_if_alive": [100.0, 100.0, 150.0, 25.0, 10.0],
        "value_at_risk": [0.0, 50.0, 120.0, 5.0, 9.0],
    })
    by_segment = value_by_segment(customers).set_index("segment")
    # S1: A + B = 150 of 200; S2: C + E = 30; no segment: D = 20
    assert by_segment["clv"].to_dict() == {"S1": 150.0, "S2": 30.0, "": 20.0}
    assert by_segment.loc["S1", "clv_share"] == pytest.approx(0.75)
    assert by_segment.loc["S2", "p_alive_mean"] == pytest.approx(0.15)
    assert by_segment.loc["S1", "customers"] == 2
    # top 40 % by value if alive: 150 (C) and the two 100s (the 60th percentile is 100) -> A, B, C;
    # P(alive) below .6: B (.5) and C (.2); sorted by value at risk: C 120, B 50
    chosen = high_value_low_alive(customers, p_alive_below=0.6, high_value_share=0.4)
    assert chosen["customer_id"].tolist() == ["C", "B"]


def test_value_customers_follow_segment_and_region_filters(tmp_path):
    from loyalty import queries
    from loyalty.db import connect
    from tests.conftest import d

    ws = make_workspace(tmp_path / "ws",
                        transactions=[dict(customer_id=c, order_date=d("2026-01-02"), revenue=1.0) for c in "XYZ"],
                        customers=[dict(customer_id="X", segment="S1", region="N"),
                                   dict(customer_id="Y", segment="S2", region="N")])
    con = connect(ws.snapshot())
    everyone = queries.run(con, "value_customers", segments=[], regions=[])
    assert everyone["customer_id"].tolist() == ["X", "Y", "Z"]  # Z has no customer row but bought
    assert queries.run(con, "value_customers", segments=["S1"], regions=[])["customer_id"].tolist() == ["X"]
    assert queries.run(con, "value_customers", segments=[], regions=["N"])["customer_id"].tolist() == ["X", "Y"]


def test_fit_on_cdnow_forecast_and_holdout_summary(cdnow_workspace):
    import datetime as dt

    from loyalty.customer_value import ClvSettings, fit_clv, holdout_summary
    from loyalty.db import connect

    result = fit_clv(connect(cdnow_workspace.snapshot()), ClvSettings(dt.date(1997, 9, 30)))
    check = holdout_summary(result)
    assert check["actual"] == pytest.approx(1882)  # as in test_cli_holdout_check_counts_the_actual_repeat_purchases
    assert (check["start"], check["end"]) == (dt.date(1997, 10, 1), dt.date(1998, 6, 30))
    values = result.customers
    assert len(values) == 2357 and values["customer_id"].is_unique
    # value if alive times P(alive) gives back the CLV; the value at risk is the rest
    assert (values["value_if_alive"] * values["p_alive"]).to_numpy() == pytest.approx(values["clv"].to_numpy())
    assert (values["value_if_alive"] - values["value_at_risk"]).to_numpy() == pytest.approx(values["clv"].to_numpy())
    # a discount makes the value smaller; a margin rate scales it
    plain = fit_clv(connect(cdnow_workspace.snapshot()), ClvSettings(dt.date(1997, 9, 30), annual_discount_rate=0.0,
                                                                    margin_rate=0.5))
    assert plain.customers["clv"].sum() * 2 > values["clv"].sum()
    # customer 00004 bought on 1997-01-01, 01-18, 08-02 and 12-12 (cdnow_sample.csv): four purchase days
    row = values.set_index("customer_id").loc["00004"]
    assert (row["first_purchase"], row["last_purchase"], row["purchases"]) == \
        (dt.date(1997, 1, 1), dt.date(1997, 12, 12), 4)
