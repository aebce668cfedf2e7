"""queries/repeat_summary.sql on the workspace of test_cohort_retention.py and the canonical fixture.

Orders in Jan-Apr 2026: A 4, B 1 (two rows on one day without order id), C 3, D 1, E 1 (the 15 Jan order;
the December one is outside), F 1, G 1 = 12 orders of 7 customers; A and C ordered at least twice.
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()


def summary(con, filters=JAN_TO_APR):
    return queries.run(con, "repeat_summary", **filters.params()).iloc[0]


def test_summary_jan_to_apr(retention_con):
    row = summary(retention_con)
    assert (row["customers"], row["orders"], row["repeat_customers"], row["one_time_buyers"]) == (7, 12, 2, 5)
    assert row["repeat_purchase_rate"] == pytest.approx(2 / 7)
    assert row["one_time_buyer_share"] == pytest.approx(5 / 7)
    assert row["orders_per_customer"] == pytest.approx(12 / 7)


def test_same_day_rows_without_order_id_are_one_order(fixture_con):
    # canonical fixture, Q1 2026: A 2 orders, B one order from two rows, C 1 -> 1 of 3 repeat
    row = summary(fixture_con, Filters(d("2026-01-01"), d("2026-03-31")))
    assert (row["customers"], row["orders"], row["repeat_customers"]) == (3, 4, 1)
    assert row["one_time_buyer_share"] == pytest.approx(2 / 3)


def test_channel_filter(retention_con):
    # Online orders: B 1, C 2 (3 Feb, 3 Mar), F 1 -> C repeats: 1 of 3
    row = summary(retention_con, Filters(JAN_TO_APR.start, JAN_TO_APR.end, channels=("Online",)))
    assert (row["customers"], row["orders"]) == (3, 4)
    assert row["repeat_purchase_rate"] == pytest.approx(1 / 3)


def test_empty_period(retention_con):
    row = summary(retention_con, Filters(d("2020-01-01"), d("2020-12-31")))
    assert row["customers"] == 0 and row["orders"] == 0
    assert row["repeat_purchase_rate"] != row["repeat_purchase_rate"]  # NaN: undefined without customers
