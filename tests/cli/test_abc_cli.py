"""`python -m loyalty abc` (and `rfm`): JSON per class matches the hand calculation of
tests/queries/test_abc_classes.py; bad bounds and a missing margin are one clear line."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_kpis_cli import cli
from tests.conftest import d, make_workspace
from tests.queries.test_abc_classes import CUSTOMERS, TRANSACTIONS


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("abc_cli") / "ws", transactions=TRANSACTIONS, customers=CUSTOMERS)


def abc(workspace, *args):
    out = cli("abc", "--start", "2026-01-01", "--end", "2026-03-31", *args, workspace=workspace.root)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_abc_json_by_revenue(workspace):
    result = abc(workspace, "--format", "json")
    # P 50, Q 30 -> A (80); R 10, S 6 -> B (16); T 4, U -5 -> C (-1); total 95
    classes = result["classes"]
    assert [classes[c]["customers"] for c in "ABC"] == [2, 2, 2]
    assert [classes[c]["revenue"] for c in "ABC"] == pytest.approx([80.0, 16.0, -1.0])
    assert [classes[c]["revenue_share"] for c in "ABC"] == pytest.approx([80 / 95, 16 / 95, -1 / 95])
    assert result["customers"] == 6 and result["revenue"] == pytest.approx(95.0)
    assert (result["by"], result["a_bound"], result["b_bound"]) == ("revenue", 0.8, 0.95)


def test_abc_json_by_margin_and_bounds(workspace):
    result = abc(workspace, "--by", "margin", "--format", "json")
    # margin ranking P 16, Q 12, T 4 -> A; S 3 -> B; R 1, U -2 -> C
    assert [result["classes"][c]["customers"] for c in "ABC"] == [3, 1, 2]
    assert [result["classes"][c]["revenue"] for c in "ABC"] == pytest.approx([84.0, 6.0, 5.0])
    result = abc(workspace, "--a-bound", "0.5", "--b-bound", "0.85", "--format", "json")
    assert [result["classes"][c]["customers"] for c in "ABC"] == [1, 2, 3]  # P | Q, R | S, T, U


def test_abc_segment_filter_and_table(workspace):
    result = abc(workspace, "--segment", "S2", "--format", "json")
    # S2 alone: R 10, S 6, T 4 (positive total 20): before 0, .5, .8 -> A, A, B; U -> C
    assert [result["classes"][c]["customers"] for c in "ABC"] == [2, 1, 1]
    out = cli("abc", "--start", "2026-01-01", "--end", "2026-03-31", workspace=workspace.root)
    assert out.returncode == 0 and "revenue_share" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["--a-bound", "0.9", "--b-bound", "0.8"], "A bound < B bound"),
    (["--by", "profit"], "invalid choice"),
])
def test_abc_bad_arguments(workspace, args, message):
    out = cli("abc", *args, workspace=workspace.root)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_abc_by_margin_without_margin_says_what_to_do(tmp_path):
    ws = make_workspace(tmp_path / "ws", transactions=[dict(customer_id="X", order_date=d("2026-01-02"), revenue=5.0)])
    out = cli("abc", "--by", "margin", workspace=ws.root)
    assert out.returncode == 2 and "--by revenue" in out.stderr and "Traceback" not in out.stderr


def test_rfm_json_segments(tmp_path):
    from tests.queries.test_rfm_segments import CUSTOMERS as RFM_CUSTOMERS
    from tests.queries.test_rfm_segments import TRANSACTIONS as RFM_TRANSACTIONS

    ws = make_workspace(tmp_path / "ws", transactions=RFM_TRANSACTIONS, customers=RFM_CUSTOMERS)
    out = cli("rfm", "--start", "2026-01-01", "--end", "2026-03-31", "--segment", "S1", "--format", "json",
              workspace=ws.root)
    assert out.returncode == 0, out.stderr
    segments = {s["rfm_segment"]: s["customers"] for s in json.loads(out.stdout)["segments"]}
    assert segments == {"about_to_sleep": 1, "at_risk": 2, "champions": 1, "promising": 1}
    out = cli("rfm", "--recency-cuts", "3,10,40,80", "--frequency-cuts", "2,3,4,5", "--monetary-cuts", "25,50,100,200",
              "--start", "2026-01-01", "--end", "2026-03-31", "--segment", "S1", "--format", "json", workspace=ws.root)
    result = json.loads(out.stdout)
    assert result["score_method"] == "cut_points"
    assert {s["rfm_segment"] for s in result["segments"]} == {"champions", "potential_loyalists", "loyal", "new", "at_risk"}
    out = cli("rfm", "--recency-cuts", "9,3,40,80", workspace=ws.root)
    assert out.returncode == 2 and "strictly increasing" in out.stderr
