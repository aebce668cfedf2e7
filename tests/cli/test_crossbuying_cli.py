"""`python -m loyalty crossbuying`: JSON matches the hand calculation of tests/queries/test_crossbuying_fixture.py;
errors are one line and non-zero."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, d, make_workspace
from tests.queries.test_crossbuying_fixture import build_crossbuying_workspace


def cli(*args, workspace=None):
    cmd = [sys.executable, "-m", "loyalty", *args] + (["--workspace", str(workspace)] if workspace else [])
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return build_crossbuying_workspace(tmp_path_factory.mktemp("crossbuying_cli_ws")).root


def test_json_for_the_first_quarter(workspace):
    out = cli("crossbuying", "--start", "2026-01-01", "--end", "2026-03-31", "--format", "json", workspace=workspace)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    # 6 category buyers P..U (V has no category); R (3) and S (2) buy in two or more categories
    assert (result["active_customers"], result["category_buyers"], result["cross_buyers"]) == (7, 6, 2)
    assert result["cross_buying_rate"] == pytest.approx(1 / 3, abs=1e-12)
    categories = result["categories_per_customer"]
    assert categories["mean"] == pytest.approx(1.5) and categories["median"] == 1
    assert [(row["categories"], row["customers"]) for row in categories["distribution"]] == [(1, 4), (2, 1), (3, 1)]
    pairs = {(p["a"], p["b"]): p for p in result["pairs"]}
    assert len(pairs) == 12  # 4 categories, both directions
    assert set(pairs[("Garten", "Dünger")]) == {"a", "b", "customers_a", "customers_b", "customers_both", "support",
                                                "confidence", "lift"}
    garten_duenger = pairs[("Garten", "Dünger")]
    assert garten_duenger["customers_both"] == 1
    assert garten_duenger["support"] == pytest.approx(1 / 6, abs=1e-12)
    assert garten_duenger["confidence"] == pytest.approx(1 / 3, abs=1e-12)
    assert garten_duenger["lift"] == pytest.approx(1.0, abs=1e-12)  # the pair with lift exactly 1
    assert pairs[("Dünger", "Garten")]["confidence"] == pytest.approx(0.5)
    assert pairs[("Grill", "Dünger")]["lift"] == pytest.approx(3.0)


def test_min_support_and_segment_filter(workspace):
    out = cli("crossbuying", "--start", "2026-01-01", "--end", "2026-03-31", "--min-support", "0.2",
              "--format", "json", workspace=workspace)
    pairs = json.loads(out.stdout)["pairs"]
    assert {(p["a"], p["b"]) for p in pairs} == {("Dünger", "Grill"), ("Grill", "Dünger")}  # support 1/3
    out = cli("crossbuying", "--start", "2026-01-01", "--end", "2026-03-31", "--segment", "S2", "--format", "json",
              workspace=workspace)
    result = json.loads(out.stdout)
    assert (result["category_buyers"], result["cross_buyers"]) == (2, 1)  # S {Dünger, Grill}, U {Deko}


def test_table_format(workspace):
    out = cli("crossbuying", "--start", "2026-01-01", "--end", "2026-03-31", workspace=workspace)
    assert out.returncode == 0, out.stderr
    assert "cross_buying_rate" in out.stdout and "customers_both" in out.stdout and "Dünger" in out.stdout


def test_empty_period_gives_no_rate_and_no_pairs(workspace):
    out = cli("crossbuying", "--start", "2020-01-01", "--end", "2020-12-31", "--format", "json", workspace=workspace)
    result = json.loads(out.stdout)
    assert result["cross_buying_rate"] is None and result["pairs"] == [] and result["category_buyers"] == 0


def test_without_category_says_how_to_import(tmp_path):
    rows = [dict(customer_id="A", order_date=d("2026-01-05"), revenue=10.0, product_id="X1")]
    make_workspace(tmp_path, transactions=rows)
    out = cli("crossbuying", "--format", "json", workspace=tmp_path)
    assert out.returncode == 2
    assert "no category" in out.stderr and "Warengruppe" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("args, message", [
    (["crossbuying", "--min-support", "5"], "between 0 and 1"),
    (["crossbuying", "--start", "2026-05-01", "--end", "2026-01-01"], "is after"),
])
def test_bad_arguments(workspace, args, message):
    out = cli(*args, workspace=workspace)
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr
