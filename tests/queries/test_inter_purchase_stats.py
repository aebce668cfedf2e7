"""queries/inter_purchase_stats.sql on the workspace of test_cohort_retention.py.

Gaps (days between consecutive orders) whose later order is in Jan-Apr 2026:
  A: 5 Jan -> 20 Jan 15, -> 10 Feb 21, -> 2 Apr 51;  C: 3 Feb -> 3 Mar 28, -> 21 Mar 18;
  E: 20 Dec 2025 -> 15 Jan 26 (the earlier order lies before the period and still counts).
  B's two rows on one day are one order, so no 0-day gap; B, D, F, G have one order each.
Sorted: 15 18 21 26 28 51 (n = 6). Linear interpolation at position (n - 1) * q:
  median = (21 + 26) / 2 = 23.5; p25 at 1.25 = 18 + 0.25 * 3 = 18.75; p75 at 3.75 = 26 + 0.75 * 2 = 27.5;
  p90 at 4.5 = 28 + 0.5 * 23 = 39.5; mean = 159 / 6 = 26.5.
New customers (first order ever in the period): A, B, C, D, F, G (E started in Dec 2025). Second order by
30 Apr: A after 15 days, C after 28 days: 2 of 6, median (15 + 28) / 2 = 21.5 days.
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()


def stats(con, filters=JAN_TO_APR):
    df = queries.run(con, "inter_purchase_stats", **filters.params())
    return df


def test_total_row(retention_con):
    total = stats(retention_con).iloc[0]
    assert bool(total["is_total"]) and total["gaps"] == 6
    assert total["median_gap_days"] == pytest.approx(23.5)
    assert total["p25_gap_days"] == pytest.approx(18.75)
    assert total["p75_gap_days"] == pytest.approx(27.5)
    assert total["p90_gap_days"] == pytest.approx(39.5)
    assert total["mean_gap_days"] == pytest.approx(26.5)
    assert (total["new_customers"], total["second_order_customers"]) == (6, 2)
    assert total["second_order_share"] == pytest.approx(2 / 6)
    assert total["median_days_to_second"] == pytest.approx(21.5)


def test_rows_per_segment(retention_con):
    df = stats(retention_con)
    rows = {(None if r.segment is None or r.segment != r.segment else r.segment): r
            for r in df[~df["is_total"]].itertuples()}
    assert set(rows) == {"P", "S", None}
    # P = A, C, G: gaps 15 18 21 28 51 -> median 21, p90 at 3.6 = 28 + 0.6 * 23 = 41.8; new A, C, G, two
    # of them with a second order (15 and 28 days)
    assert rows["P"].gaps == 5 and rows["P"].median_gap_days == pytest.approx(21.0)
    assert rows["P"].p90_gap_days == pytest.approx(41.8)
    assert (rows["P"].new_customers, rows["P"].second_order_customers) == (3, 2)
    assert rows["P"].median_days_to_second == pytest.approx(21.5)
    # S = B, D, E: E's 26-day gap; new B and D, neither came back
    assert rows["S"].gaps == 1 and rows["S"].median_gap_days == pytest.approx(26.0)
    assert (rows["S"].new_customers, rows["S"].second_order_customers, rows["S"].second_order_share) == (2, 0, 0.0)
    assert rows["S"].median_days_to_second != rows["S"].median_days_to_second  # NaN: nobody came back
    # no segment = F: one new customer, no gap
    assert rows[None].gaps == 0 and rows[None].new_customers == 1
    assert df["is_total"].tolist()[0]  # the total row comes first


def test_period_start_keeps_gaps_that_began_before_it(retention_con):
    # Feb-Apr: A's 21 (20 Jan -> 10 Feb) and 51, C's 28 and 18; A's 15 and E's 26 end in January
    total = stats(retention_con, Filters(d("2026-02-01"), d("2026-04-30"))).iloc[0]
    assert total["gaps"] == 4 and total["median_gap_days"] == pytest.approx((21 + 28) / 2)
    # new customers in Feb-Apr: C, D, F, G; C's second order after 28 days
    assert (total["new_customers"], total["second_order_customers"]) == (4, 1)
    assert total["median_days_to_second"] == pytest.approx(28.0)


def test_channel_filter_uses_orders_of_the_channel(retention_con):
    # Online orders: B 15 Jan, C 3 Feb and 3 Mar, F 31 Mar: one gap of 28 days (C). New customers whose
    # first order was Online: B, C, F; C's second order (any channel) after 28 days
    total = stats(retention_con, Filters(JAN_TO_APR.start, JAN_TO_APR.end, channels=("Online",))).iloc[0]
    assert total["gaps"] == 1 and total["median_gap_days"] == pytest.approx(28.0)
    assert (total["new_customers"], total["second_order_customers"]) == (3, 1)


def test_empty_period_gives_one_total_row_without_values(retention_con):
    df = stats(retention_con, Filters(d("2020-01-01"), d("2020-12-31")))
    assert len(df) == 1 and df.iloc[0]["gaps"] == 0 and df.iloc[0]["new_customers"] == 0


def test_churn_thresholds_derived_from_the_stats(retention_con):
    from loyalty.retention import ThresholdUnavailable, derive_thresholds, threshold_basis

    # the 12 months up to 30 Apr 2026 hold the six gaps above: p75 27.5 -> 27, p90 39.5 -> 39 whole days
    # (for whole days d: d > 27.5 exactly when d > 27)
    basis = threshold_basis(JAN_TO_APR, d("2026-04-30"))
    assert (basis.start, basis.end) == (d("2025-05-01"), d("2026-04-30"))
    thresholds = derive_thresholds(stats(retention_con, basis))
    assert (thresholds.at_risk_after_days, thresholds.inactive_after_days, thresholds.basis_gaps) == (27, 39, 6)
    # a manual threshold below the at-risk bound leaves no at-risk window
    manual = derive_thresholds(stats(retention_con, basis), inactive_after_days=10)
    assert (manual.at_risk_after_days, manual.inactive_after_days, manual.derived_inactive_days) == (10, 10, 39)
    # no gaps in the 12 months up to 1 Jan 2026 (only E's first order): nothing to derive from
    empty = stats(retention_con, threshold_basis(JAN_TO_APR, d("2026-01-01")))
    with pytest.raises(ThresholdUnavailable):
        derive_thresholds(empty)
    assert derive_thresholds(empty, 10, 15).params() == {"at_risk_after_days": 10, "inactive_after_days": 15}
