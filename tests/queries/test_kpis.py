"""queries/kpis.sql and kpi_trend.sql on the hand-computed fixture (tests/conftest.py)."""

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d

Q1 = Filters(start=d("2026-01-01"), end=d("2026-03-31"))


def test_kpis_q1_all_customers(fixture_con):
    row = queries.run(fixture_con, "kpis", **Q1.params()).iloc[0]
    # A: o1 (30) + o2 (50); B: one order of 20 (two rows, same day, no order_id); C: o3 100 - 10 = 90
    assert row["customers"] == 3
    assert row["orders"] == 4
    assert row["revenue"] == pytest.approx(190.0)
    assert row["avg_order_value"] == pytest.approx(190.0 / 4)
    assert row["repeat_purchase_rate"] == pytest.approx(1 / 3)  # only A has two orders
    assert row["orders_per_customer"] == pytest.approx(4 / 3)


def test_kpis_segment_filter(fixture_con):
    row = queries.run(fixture_con, "kpis", **Filters(Q1.start, Q1.end, segments=("S1",)).params()).iloc[0]
    assert (row["customers"], row["orders"], row["revenue"]) == (2, 3, pytest.approx(170.0))
    assert row["repeat_purchase_rate"] == pytest.approx(0.5)


def test_kpis_channel_and_store_filter(fixture_con):
    row = queries.run(fixture_con, "kpis", **Filters(Q1.start, Q1.end, channels=("Online",)).params()).iloc[0]
    assert (row["customers"], row["orders"], row["revenue"]) == (2, 2, pytest.approx(140.0))
    row = queries.run(fixture_con, "kpis", **Filters(Q1.start, Q1.end, stores=("Fürth",)).params()).iloc[0]
    assert (row["customers"], row["orders"], row["revenue"]) == (1, 1, pytest.approx(20.0))


def test_kpis_empty_period_gives_zero_not_error(fixture_con):
    row = queries.run(fixture_con, "kpis", **Filters(d("2020-01-01"), d("2020-12-31")).params()).iloc[0]
    assert row["customers"] == 0 and row["orders"] == 0 and row["revenue"] == 0
    assert row["avg_order_value"] != row["avg_order_value"]  # NaN: undefined without orders


def test_kpi_trend_by_month(fixture_con):
    df = queries.run(fixture_con, "kpi_trend", grain="month", **Q1.params())
    assert [str(p) for p in df["period"].dt.date] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert df["revenue"].tolist() == pytest.approx([50.0, 50.0, 90.0])
    assert df["active_customers"].tolist() == [2, 1, 1]
    assert df["orders"].tolist() == [2, 1, 1]
