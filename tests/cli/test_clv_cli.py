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
