"""queries/churn_at_risk_customers.sql on the workspace of test_cohort_retention.py (statuses derived in
test_churn_status.py): as of 30 Apr 2026, at risk after 20 days, inactive after 40 days."""

from __future__ import annotations

import pytest

from loyalty import queries
from tests.conftest import d
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()

SAMPLE_PARAMS = {"churn_at_risk_customers": {"as_of": d("2026-03-31"), "at_risk_after_days": 20,
                                             "inactive_after_days": 40}}


def at_risk(con, as_of="2026-04-30", at_risk_after=20, inactive_after=40):
    return queries.run(con, "churn_at_risk_customers", as_of=d(as_of), at_risk_after_days=at_risk_after,
                       inactive_after_days=inactive_after, **JAN_TO_APR.params())


def test_at_risk_customers_with_days_overdue(retention_con):
    df = at_risk(retention_con)
    # sorted by revenue of the last 12 months (A 100, C 100, F 40), ties by days overdue (C 20 > A 8)
    assert df["customer_id"].tolist() == ["C", "A", "F"]
    rows = df.set_index("customer_id")
    # A: last order 2 Apr, 28 days ago, 8 days over the 20-day bound; 4 orders, 100
    assert str(rows.loc["A", "last_order_date"].date()) == "2026-04-02"
    assert (rows.loc["A", "days_since_last_order"], rows.loc["A", "days_overdue"]) == (28, 8)
    assert (rows.loc["A", "orders"], rows.loc["A", "revenue"]) == (4, pytest.approx(100.0))
    assert rows.loc["A", "segment"] == "P" and rows.loc["A", "region"] == "Nord"
    # C is exactly on the inactive bound (40 days) and still at risk; F has no customer row
    assert rows.loc["C", "days_overdue"] == 20 and rows.loc["F", "days_overdue"] == 10
    assert rows.loc["F", "segment"] != rows.loc["F", "segment"]  # missing (NaN)
    assert rows["revenue_last_12_months"].sum() == pytest.approx(240.0)  # the revenue at risk


def test_revenue_total_versus_last_twelve_months(retention_con):
    # as of 20 Dec 2026 (bounds 300 / 400): B and E, 339 days; E's 70 of 20 Dec 2025 is older than
    # 12 months: revenue 80 in total, 10 in the last 12 months
    rows = at_risk(retention_con, "2026-12-20", 300, 400).set_index("customer_id")
    assert sorted(rows.index) == ["B", "E"]
    assert rows.loc["E", "revenue"] == pytest.approx(80.0)
    assert rows.loc["E", "revenue_last_12_months"] == pytest.approx(10.0)
    assert rows.loc["B", "orders"] == 1  # two rows on one day without order id


def test_no_window_when_bounds_are_equal(retention_con):
    assert at_risk(retention_con, at_risk_after=40, inactive_after=40).empty
