"""queries/points_summary.sql and points_trend.sql on a hand-made points ledger."""

import pytest

from loyalty import queries
from loyalty.db import connect
from loyalty.filters import Filters
from tests.conftest import d, make_workspace

SAMPLE_PARAMS = {"points_summary": {"value_per_point": 0.01}}
Q1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"))
POINTS = [
    dict(customer_id="A", date=d("2026-01-10"), points=100.0, type="earn", value_per_point=0.01),
    dict(customer_id="A", date=d("2026-02-01"), points=-40.0, type="redeem", value_per_point=0.01),
    dict(customer_id="A", date=d("2026-03-01"), points=-10.0, type="expire", value_per_point=None),
    dict(customer_id="B", date=d("2025-12-01"), points=50.0, type="earn", value_per_point=0.01),
    dict(customer_id="B", date=d("2026-01-15"), points=20.0, type="redeem", value_per_point=0.01),  # positive sign
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("points_ws"), points=POINTS,
                        customers=[dict(customer_id="A", segment="S1"), dict(customer_id="B", segment="S2")])
    connection = connect(ws.snapshot())
    yield connection
    connection.close()


def test_points_summary_by_hand(con):
    row = queries.run(con, "points_summary", value_per_point=0.02, **Q1.params()).iloc[0]
    # Q1: issued 100 (A); redeemed 40 (A, booked negative) + 20 (B, booked positive); expired 10
    assert (row["issued"], row["redeemed"], row["expired"]) == (100, 60, 10)
    assert row["redemption_rate"] == pytest.approx(0.6)  # 60 / 100
    assert row["breakage_rate"] == pytest.approx(10 / 70)  # expired / (redeemed + expired)
    # balance up to 03-31 incl. B's December earn: 100 + 50 - 40 - 20 - 10 = 80
    assert row["open_points"] == 80
    # liability: 150 x 0.01 - 60 x 0.01 - 10 x 0.02 (no value on the expire row: the default 0.02) = 0.7
    assert row["open_liability"] == pytest.approx(0.7)
    assert row["expired_value"] == pytest.approx(0.2)


def test_points_segment_filter(con):
    row = queries.run(con, "points_summary", value_per_point=0.02,
                      **Filters(Q1.start, Q1.end, segments=("S1",)).params()).iloc[0]
    assert (row["issued"], row["redeemed"], row["expired"], row["open_points"]) == (100, 40, 10, 50)


def test_points_trend_by_month(con):
    df = queries.run(con, "points_trend", **Q1.params())
    assert [str(m) for m in df["month"].dt.date] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert df["issued"].tolist() == [100, 0, 0]
    assert df["redeemed"].tolist() == [20, 40, 0]
    # balance: December 50, January +100 - 20 = 130, February 90, March 80
    assert df["balance"].tolist() == [130, 90, 80]


def test_points_empty_period(con):
    row = queries.run(con, "points_summary", value_per_point=0.01,
                      **Filters(d("2020-01-01"), d("2020-12-31")).params()).iloc[0]
    assert row["issued"] == 0 and row["redemption_rate"] != row["redemption_rate"]  # NaN
