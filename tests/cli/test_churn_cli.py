"""`python -m loyalty churn` on the workspace of tests/queries/test_cohort_retention.py (statuses derived by
hand in tests/queries/test_churn_status.py)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.queries.test_cohort_retention import make_retention_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return make_retention_workspace(tmp_path_factory.mktemp("churn_cli") / "ws").root


def cli(*args, workspace=None):
    cmd = [sys.executable, "-m", "loyalty", "churn", *args] + (["--workspace", str(workspace)] if workspace else [])
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_csv_with_given_thresholds(workspace):
    out = cli("--as-of", "2026-04-30", "--at-risk-days", "20", "--threshold-days", "40", "--format", "csv",
              workspace=workspace)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    # A 28 days, C 40 (on the bound), F 30; sorted by revenue of the last 12 months, ties by days overdue
    assert [r["customer_id"] for r in rows] == ["C", "A", "F"]
    assert rows[1] == {"customer_id": "A", "segment": "P", "region": "Nord", "last_order_date": "2026-04-02",
                       "days_since_last_order": "28", "days_overdue": "8", "orders": "4",
                       "revenue_last_12_months": "100.0", "revenue": "100.0"}
    assert "3 customers at risk" in out.stderr and "240.00" in out.stderr


def test_default_thresholds_are_derived_from_the_inter_purchase_time(workspace):
    # gaps in the 12 months up to 30 Apr 2026: 15 18 21 26 28 51 -> p75 27.5, p90 39.5 -> 27 / 39 days:
    # at risk: A (28) and F (30); C (40) is inactive
    out = cli("--as-of", "2026-04-30", "--format", "json", workspace=workspace)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert [r["customer_id"] for r in result] == ["A", "F"]
    assert result[0]["last_order_date"] == "2026-04-02" and result[0]["days_overdue"] == 1
    assert "at risk after 27 days" in out.stderr and "inactive after 39 days" in out.stderr


def test_as_of_defaults_to_the_last_order_date_and_filters_apply(workspace):
    # last order 10 Apr (G); gaps up to then: 15 18 21 26 28 51 (all before 10 Apr) -> 27 / 39 days;
    # as of 10 Apr: A 8 days, C 20, F 10, G 0 (active); D 44 inactive -> nobody at risk
    out = cli("--format", "json", workspace=workspace)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [] and "as of 2026-04-10" in out.stderr
    out = cli("--as-of", "2026-04-30", "--at-risk-days", "20", "--threshold-days", "40", "--segment", "P",
              "--format", "json", workspace=workspace)
    assert [r["customer_id"] for r in json.loads(out.stdout)] == ["C", "A"]


def test_without_repeat_purchases_the_thresholds_must_be_given(workspace):
    # nobody ordered twice in the 12 months up to 1 Jan 2026 (only E's first order on 20 Dec 2025, 12 days
    # before: at risk with bounds 10 / 15)
    out = cli("--as-of", "2026-01-01", workspace=workspace)
    assert out.returncode == 2 and "--threshold-days" in out.stderr and "Traceback" not in out.stderr
    out = cli("--as-of", "2026-01-01", "--threshold-days", "15", "--at-risk-days", "10", workspace=workspace)
    assert out.returncode == 0 and out.stdout.splitlines()[1].startswith("E,S,Nord,2025-12-20,12,")


@pytest.mark.parametrize("args, message", [
    (["--threshold-days", "-1"], "must be 0 or more"),
    (["--as-of", "30.04.2026"], "not a date"),
    (["--format", "xlsx"], "invalid choice"),
])
def test_bad_arguments(workspace, args, message):
    out = cli(*args, workspace=workspace)
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr
