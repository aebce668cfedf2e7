"""queries/inter_purchase_distribution.sql on the workspace of test_cohort_retention.py.
Gaps in Jan-Apr 2026 (derived in test_inter_purchase_stats.py): 15 18 21 26 28 51 days."""

from __future__ import annotations

from loyalty import queries
from loyalty.filters import Filters
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()

SAMPLE_PARAMS = {"inter_purchase_distribution": {"bin_days": 7}}


def bins(con, bin_days, filters=JAN_TO_APR):
    df = queries.run(con, "inter_purchase_distribution", bin_days=bin_days, **filters.params())
    return dict(zip(df["bin_start"], df["gaps"], strict=True))


def test_weekly_bins(retention_con):
    # 15, 18 -> [14, 21); 21, 26 -> [21, 28); 28 -> [28, 35); 51 -> [49, 56)
    assert bins(retention_con, 7) == {14: 2, 21: 2, 28: 1, 49: 1}


def test_wide_bins_and_one_day_bins(retention_con):
    assert bins(retention_con, 30) == {0: 5, 30: 1}
    assert bins(retention_con, 1) == {15: 1, 18: 1, 21: 1, 26: 1, 28: 1, 51: 1}  # no 0-day gap for B


def test_channel_filter(retention_con):
    online = Filters(JAN_TO_APR.start, JAN_TO_APR.end, channels=("Online",))
    assert bins(retention_con, 7, online) == {28: 1}  # C: 3 Feb -> 3 Mar online
