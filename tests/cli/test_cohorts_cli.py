"""`python -m loyalty cohorts` on the workspace of tests/queries/test_cohort_retention.py (hand-computed
numbers there): JSON cells with cohort labels per grain and unrounded shares; errors are one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.queries.test_cohort_retention import make_retention_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return make_retention_workspace(tmp_path_factory.mktemp("cohorts_cli") / "ws").root


def cli(*args, workspace=None):
    cmd = [sys.executable, "-m", "loyalty", "cohorts", *args] + (["--workspace", str(workspace)] if workspace else [])
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_monthly_json(workspace):
    out = cli("--start", "2026-01-01", "--end", "2026-04-30", "--format", "json", workspace=workspace)
    assert out.returncode == 0, out.stderr
    cells = json.loads(out.stdout)
    assert all(set(cell) == {"cohort", "period", "customers", "share"} for cell in cells)
    by_cell = {(c["cohort"], c["period"]): (c["customers"], c["share"]) for c in cells}
    # Jan {A, B}: A back in Feb (k=1) and Apr (k=3); Feb {C, D}: C back in March; Mar {F}: nobody; Apr {G}
    assert by_cell == {
        ("2026-01", 0): (2, 1.0), ("2026-01", 1): (1, 0.5), ("2026-01", 2): (0, 0.0), ("2026-01", 3): (1, 0.5),
        ("2026-02", 0): (2, 1.0), ("2026-02", 1): (1, 0.5), ("2026-02", 2): (0, 0.0),
        ("2026-03", 0): (1, 1.0), ("2026-03", 1): (0, 0.0),
        ("2026-04", 0): (1, 1.0),
    }


def test_quarter_labels_and_unrounded_share(workspace):
    out = cli("--grain", "quarter", "--start", "2026-01-01", "--end", "2026-06-30", "--format", "json",
              workspace=workspace)
    cells = json.loads(out.stdout)
    # Q1 {A, B, C, D, F}: only A orders in Q2 -> 1/5; Q2 {G}
    assert [(c["cohort"], c["period"], c["customers"]) for c in cells] == \
        [("2026-Q1", 0, 5), ("2026-Q1", 1, 1), ("2026-Q2", 0, 1)]
    assert cells[1]["share"] == 0.2


def test_week_labels_retention_options_and_segment(workspace):
    out = cli("--grain", "week", "--start", "2026-01-01", "--end", "2026-04-30", "--format", "json",
              workspace=workspace)
    cohorts = {c["cohort"] for c in json.loads(out.stdout)}
    assert cohorts == {"2026-W02", "2026-W03", "2026-W06", "2026-W09", "2026-W14", "2026-W15"}
    # unbounded with >= 2 orders: A has two orders from k=1 on (Feb, Apr), one from k=2 on
    out = cli("--start", "2026-01-01", "--end", "2026-04-30", "--retention", "unbounded", "--min-orders", "2",
              "--segment", "P", "--format", "json", workspace=workspace)
    jan = [(c["period"], c["customers"]) for c in json.loads(out.stdout) if c["cohort"] == "2026-01"]
    assert jan == [(0, 1), (1, 1), (2, 0), (3, 0)]


def test_period_filter_cuts_a_cohort(workspace):
    out = cli("--start", "2026-01-10", "--end", "2026-02-20", "--format", "json", workspace=workspace)
    assert [(c["cohort"], c["period"], c["customers"]) for c in json.loads(out.stdout)] == \
        [("2026-01", 0, 1), ("2026-02", 0, 1)]


def test_table_format(workspace):
    out = cli("--start", "2026-01-01", "--end", "2026-04-30", workspace=workspace)
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[1].split()
    assert first == ["2026-01", "2", "100.0%", "50.0%", "0.0%", "50.0%"]


@pytest.mark.parametrize("args, message", [
    (["--grain", "year"], "invalid choice"),
    (["--min-orders", "0"], "must be 1 or more"),
    (["--start", "2026-05-01", "--end", "2026-01-01"], "is after"),
])
def test_bad_arguments(workspace, args, message):
    out = cli(*args, workspace=workspace)
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr


def test_empty_workspace_says_what_to_do(tmp_path):
    out = cli(workspace=tmp_path)
    assert out.returncode == 2 and "holds no data" in out.stderr
