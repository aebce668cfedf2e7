"""`python -m loyalty measures`: per measure participants, control, uplift per KPI with its interval,
incremental margin, cost and ROI, as computed by hand in tests/queries/test_measure_effects.py."""

import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, ROOT, make_workspace
from tests.queries import measures_fixture


def cli(*args, workspace=None):
    cmd = [sys.executable, "-m", "loyalty", *args] + (["--workspace", str(workspace)] if workspace else [])
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return measures_fixture.build(tmp_path_factory.mktemp("measures_cli")).root


def test_measures_json(workspace):
    out = cli("measures", "--follow-up-days", "0", "--margin-rate", "0.5", "--format", "json", workspace=workspace)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["follow_up_days"], result["margin_rate"]) == (0, 0.5)
    measures = {m["measure_id"]: m for m in result["measures"]}
    ma = measures["MA"]
    assert (ma["participants"], ma["control"], ma["evidence"]) == (3, 2, "control_group")
    orders = ma["uplift"]["orders_per_customer"]
    # 1 - 0.5; Welch half width t(49/17) x sqrt(7/12) = 3.257208 x 0.763763
    assert orders["uplift"] == pytest.approx(0.5)
    assert (orders["ci_low"], orders["ci_high"]) == pytest.approx((0.5 - 2.487734, 0.5 + 2.487734), abs=1e-5)
    assert ma["uplift"]["margin_per_customer"]["uplift"] == pytest.approx(24.0)
    assert ma["incremental_margin"] == pytest.approx(72.0)
    assert ma["cost"] == 50.0 and ma["roi"] == pytest.approx(0.44)
    assert ma["payback_weeks"] == 2
    # the zero-effect measure: every interval contains 0
    for kpi in measures["MZ"]["uplift"].values():
        assert kpi["uplift"] == pytest.approx(0.0) and kpi["ci_low"] < 0 < kpi["ci_high"]
    assert measures["MZ"]["roi"] is None  # no cost: ROI undefined
    # no control group: no uplift, but the pre/post block (no match with the default of 10 comparisons)
    assert measures["MP"]["control"] == 0 and measures["MP"]["uplift"]["orders_per_customer"]["uplift"] is None


def test_measures_follow_up_days_changes_the_window(workspace):
    out = cli("measures", "--follow-up-days", "30", "--margin-rate", "0.5", "--format", "json", workspace=workspace)
    ma = {m["measure_id"]: m for m in json.loads(out.stdout)["measures"]}["MA"]
    # T1's order of 2026-02-15 enters: revenue per treatment customer (220 + 60) / 3, control 15
    assert ma["uplift"]["revenue_per_customer"]["uplift"] == pytest.approx(280 / 3 - 15)


def test_measures_table_format(workspace):
    out = cli("measures", "--follow-up-days", "0", workspace=workspace)
    assert out.returncode == 0 and "MA" in out.stdout and "incremental_margin" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["measures", "--follow-up-days", "-3"], "must be 0 or more"),
    (["measures", "--margin-rate", "30"], "between 0 and 1"),
])
def test_measures_bad_arguments(workspace, args, message):
    out = cli(*args, workspace=workspace)
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr


def test_measures_without_measures_table_says_what_to_do(tmp_path):
    root = make_workspace(tmp_path / "ws", transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS).root
    out = cli("measures", workspace=root)
    assert out.returncode == 2 and "no measures" in out.stderr and "Traceback" not in out.stderr
