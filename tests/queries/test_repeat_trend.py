"""queries/repeat_trend.sql on the workspace of test_cohort_retention.py.

Per month, Jan-Apr 2026 (orders per customer in the month):
  Jan: A 2 (5 and 20 Jan), B 1, E 1 -> 3 customers, 4 orders, 1 repeat (1/3)
  Feb: A 1, C 1, D 1 -> 3 customers, 0 repeat;  Mar: C 2, F 1 -> 2 customers, 1 repeat (1/2)
  Apr: A 1, G 1 -> 2 customers, 0 repeat
Per quarter: Q1: A 3, B 1, C 3, D 1, E 1, F 1 -> 6 customers, 10 orders, A and C repeat (2/6);
Q2 (April only, the period ends 30 Apr): A 1, G 1 -> 2 customers.
"""

from __future__ import annotations

import pytest

from loyalty import queries
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()


def trend(con, grain):
    return queries.run(con, "repeat_trend", grain=grain, **JAN_TO_APR.params())


def test_monthly(retention_con):
    df = trend(retention_con, "month")
    assert df["period_label"].tolist() == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert df["customers"].tolist() == [3, 3, 2, 2]
    assert df["orders"].tolist() == [4, 3, 3, 2]
    assert df["repeat_purchase_rate"].tolist() == pytest.approx([1 / 3, 0.0, 0.5, 0.0])
    assert df["one_time_buyer_share"].tolist() == pytest.approx([2 / 3, 1.0, 0.5, 1.0])
    assert df["orders_per_customer"].tolist() == pytest.approx([4 / 3, 1.0, 1.5, 1.0])


def test_quarterly(retention_con):
    df = trend(retention_con, "quarter")
    assert df["period_label"].tolist() == ["2026-Q1", "2026-Q2"]
    assert df["customers"].tolist() == [6, 2] and df["orders"].tolist() == [10, 2]
    assert df["repeat_purchase_rate"].tolist() == pytest.approx([2 / 6, 0.0])


def test_comparison_is_drawn_over_the_matching_current_bucket(retention_con):
    from components.repeat_charts import align_comparison
    from loyalty.filters import Filters
    from tests.conftest import d

    # Feb-Apr 2026 against the previous period Nov 2025-Jan 2026 (3 months before): Jan 2026 (A, B, E: one
    # repeat of 3) is drawn over April; December (E only) over March; November has no orders
    current = queries.run(retention_con, "repeat_trend", grain="month",
                          **Filters(d("2026-02-01"), d("2026-04-30")).params())
    before = queries.run(retention_con, "repeat_trend", grain="month",
                         **Filters(d("2025-11-01"), d("2026-01-31")).params())
    aligned = align_comparison(current, before, "month", d("2026-02-01"), d("2025-11-01"))
    assert dict(zip(aligned["period_label"], aligned["current_label"], strict=True)) == \
        {"2025-12": "2026-03", "2026-01": "2026-04"}
    assert aligned.set_index("current_label").loc["2026-04", "repeat_purchase_rate"] == pytest.approx(1 / 3)
