"""`python -m loyalty kpis`: JSON output matches the hand calculation; errors are one line, non-zero."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def cli(*args, workspace=None):
    cmd = [sys.executable, "-m", "loyalty", *args] + (["--workspace", str(workspace)] if workspace else [])
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_kpis_json_for_a_period(fixture_workspace):
    out = cli("kpis", "--start", "2026-01-01", "--end", "2026-03-31", "--format", "json",
              workspace=fixture_workspace.root)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["customers"] == 3 and result["orders"] == 4 and result["revenue"] == 190.0
    assert result["repeat_purchase_rate"] == pytest.approx(1 / 3, abs=1e-12)  # full precision
    assert result["orders_per_customer"] == pytest.approx(4 / 3, abs=1e-12)
    assert result["avg_order_value"] == 47.5


def test_kpis_without_period_covers_all_data_and_filters_segment(fixture_workspace):
    out = cli("kpis", "--format", "json", workspace=fixture_workspace.root)
    result = json.loads(out.stdout)
    assert (result["start"], result["end"]) == ("2025-12-31", "2026-03-01")
    assert result["customers"] == 4 and result["revenue"] == 230.0
    out = cli("kpis", "--segment", "S2", "--format", "json", workspace=fixture_workspace.root)
    assert json.loads(out.stdout)["customers"] == 2


def test_kpis_table_format(fixture_workspace):
    out = cli("kpis", workspace=fixture_workspace.root)
    assert out.returncode == 0 and "repeat_purchase_rate" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["kpis", "--start", "31.01.2026"], "not a date"),
    (["kpis", "--start", "2026-05-01", "--end", "2026-01-01"], "is after"),
])
def test_kpis_bad_arguments(fixture_workspace, args, message):
    out = cli(*args, workspace=fixture_workspace.root)
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr


def test_kpis_on_empty_workspace_says_what_to_do(tmp_path):
    out = cli("kpis", workspace=tmp_path)
    assert out.returncode == 2
    assert "holds no data" in out.stderr and "Traceback" not in out.stderr
