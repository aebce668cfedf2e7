"""`python -m loyalty nps`: JSON output matches the hand calculation (rows in
tests/queries/test_survey_fixture.py); errors are one line, non-zero."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURE_CUSTOMERS, FIXTURE_TRANSACTIONS, ROOT, make_workspace
from tests.queries.test_survey_fixture import survey_workspace_fixture

survey_workspace = survey_workspace_fixture()


def cli(*args, workspace=None):
    cmd = [sys.executable, "-m", "loyalty", *args] + (["--workspace", str(workspace)] if workspace else [])
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_nps_total_for_q1(survey_workspace):
    out = cli("nps", "--start", "2026-01-01", "--end", "2026-03-31", "--format", "json",
              workspace=survey_workspace.root)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["start"], result["end"], result["by"]) == ("2026-01-01", "2026-03-31", "total")
    [total] = result["groups"]
    # 7 answers with an nps: 2 promoters, 2 passives, 3 detractors -> NPS -14.29, se 31.4841 points,
    # CI -14.29 +- 1.959964 * 31.4841 = [-75.99, 47.42] (tests/test_stats.py)
    assert (total["group"], total["n"], total["promoters"], total["passives"], total["detractors"]) == \
        ("total", 7, 2, 2, 3)
    assert total["nps"] == pytest.approx(-100 / 7)
    assert total["ci_low"] == pytest.approx(-100 / 7 - 61.7077, abs=1e-3)
    assert total["ci_high"] == pytest.approx(-100 / 7 + 61.7077, abs=1e-3)


def test_nps_by_touchpoint_over_all_answers(survey_workspace):
    out = cli("nps", "--by", "touchpoint", "--format", "json", workspace=survey_workspace.root)
    result = json.loads(out.stdout)
    # default period = all answers: 2025-12-20 (C, 2, Filiale) .. 2026-04-02 (D, 10, Hotline)
    assert (result["start"], result["end"]) == ("2025-12-20", "2026-04-02")
    groups = {g["group"]: g for g in result["groups"]}
    assert (groups["Filiale"]["n"], groups["Filiale"]["detractors"]) == (5, 3)  # #2 #4 #6 #8 + C's 2
    hotline = groups["Hotline"]  # #5 (3) and D's 10: NPS 0, var = (1 - 0) / 2, se 70.71 -> clipped interval
    assert (hotline["n"], hotline["nps"], hotline["ci_low"], hotline["ci_high"]) == (2, 0.0, -100.0, 100.0)


def test_nps_by_month_with_segment_and_table_output(survey_workspace):
    out = cli("nps", "--by", "month", "--segment", "S2", "--start", "2026-01-01", "--end", "2026-03-31",
              "--format", "json", workspace=survey_workspace.root)
    groups = json.loads(out.stdout)["groups"]
    # S2 = B, D: Jan #2 (6), Feb #4 (9), Mar #5 (3)
    assert [(g["group"], g["period_start"], g["n"], g["nps"]) for g in groups] == [
        ("2026-01", "2026-01-01", 1, -100.0), ("2026-02", "2026-02-01", 1, 100.0), ("2026-03", "2026-03-01", 1, -100.0)]
    table = cli("nps", "--by", "channel", workspace=survey_workspace.root)
    assert table.returncode == 0 and "ci_low" in table.stdout and "Filiale" in table.stdout


@pytest.mark.parametrize("args, message", [
    (["nps", "--by", "colour"], "invalid choice"),
    (["nps", "--start", "2026-05-01", "--end", "2026-01-01"], "is after"),
    (["nps", "--confidence", "95"], "between 0 and 1"),
])
def test_nps_bad_arguments(survey_workspace, args, message):
    out = cli(*args, workspace=survey_workspace.root)
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr


def test_nps_without_surveys_says_what_to_do(tmp_path):
    ws = make_workspace(tmp_path / "ws", transactions=FIXTURE_TRANSACTIONS, customers=FIXTURE_CUSTOMERS)
    out = cli("nps", "--format", "json", workspace=ws.root)
    assert out.returncode == 2
    assert "no survey answers" in out.stderr and "Traceback" not in out.stderr
