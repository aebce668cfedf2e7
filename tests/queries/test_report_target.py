"""queries/report_target.sql: the target for exactly the report period and segment."""

import pytest

from loyalty import queries
from loyalty.db import connect
from tests.conftest import FIXTURE_TRANSACTIONS, d, make_workspace

SAMPLE_PARAMS = {"report_target": {"kpi": "revenue", "segment": None}}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("targets"), transactions=FIXTURE_TRANSACTIONS, targets=[
        dict(kpi="revenue", period_start=d("2026-01-01"), period_end=d("2026-03-31"), segment=None, target=200.0),
        dict(kpi="revenue", period_start=d("2026-01-01"), period_end=d("2026-03-31"), segment="S1", target=150.0),
        dict(kpi="revenue", period_start=d("2026-01-01"), period_end=d("2026-12-31"), segment=None, target=900.0),
    ])
    return connect(ws.snapshot())


def target(con, segment, start="2026-01-01", end="2026-03-31", kpi="revenue"):
    df = queries.run(con, "report_target", kpi=kpi, start=d(start), end=d(end), segment=segment)
    return None if df.empty else df["target"].iloc[0]


def test_exact_period_and_segment(con):
    assert target(con, None) == 200.0
    assert target(con, "S1") == 150.0
    assert target(con, None, end="2026-12-31") == 900.0


def test_no_target_gives_no_row(con):
    assert target(con, "S2") is None
    assert target(con, None, start="2026-02-01") is None
    assert target(con, None, kpi="orders") is None
