"""queries/churn_status.sql on the workspace of test_cohort_retention.py.

As of 30 Apr 2026 with at risk after 20 days and inactive after 40 days, the last orders are:
  A 2 Apr (28 days: at risk), B 15 Jan (105: inactive), C 21 Mar (40: at risk, on the bound),
  D 25 Feb (64: inactive), E 15 Jan (105: inactive), F 31 Mar (30: at risk), G 10 Apr (20: active, on the bound)
Revenue in the 12 months up to 30 Apr 2026 (orders after 30 Apr 2025): at risk A 100 + C 100 + F 40 = 240,
active G 60, inactive B 10 + D 100 + E 80 = 190.
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()

SAMPLE_PARAMS = {"churn_status": {"as_of": d("2026-03-31"), "at_risk_after_days": 20, "inactive_after_days": 40}}


def status(con, as_of="2026-04-30", at_risk=20, inactive=40, filters=JAN_TO_APR):
    df = queries.run(con, "churn_status", as_of=d(as_of), at_risk_after_days=at_risk,
                     inactive_after_days=inactive, **filters.params())
    return df.set_index("status")


def test_status_counts_and_revenue_at_risk(retention_con):
    df = status(retention_con)
    assert df.index.tolist() == ["active", "at_risk", "inactive"]
    assert df["customers"].tolist() == [1, 3, 3]
    assert df["share"].tolist() == pytest.approx([1 / 7, 3 / 7, 3 / 7])
    assert df["revenue_last_12_months"].tolist() == pytest.approx([60.0, 240.0, 190.0])


def test_orders_after_the_as_of_date_are_ignored(retention_con):
    # as of 31 Mar: A 10 Feb (49: inactive), B, E 15 Jan (75: inactive), C 21 Mar (10: active),
    # D 25 Feb (34: at risk), F 31 Mar (0: active); G has not ordered yet
    assert status(retention_con, "2026-03-31")["customers"].tolist() == [2, 1, 3]


def test_twelve_month_window_excludes_the_day_twelve_months_before(retention_con):
    # as of 20 Dec 2026, at risk after 300, inactive after 400: B and E (last order 15 Jan, 339 days) are at
    # risk; E's 70 on 20 Dec 2025 lies exactly 12 months back and is not counted: 10 + 10 = 20
    df = status(retention_con, "2026-12-20", at_risk=300, inactive=400)
    assert df.loc["at_risk", "customers"] == 2
    assert df.loc["at_risk", "revenue_last_12_months"] == pytest.approx(20.0)


def test_channel_filter_counts_only_orders_of_the_channel(retention_con):
    # Online orders: B 15 Jan (inactive), C last Online 3 Mar (58 days: inactive), F 31 Mar (at risk)
    online = Filters(JAN_TO_APR.start, JAN_TO_APR.end, channels=("Online",))
    assert status(retention_con, filters=online)["customers"].tolist() == [0, 1, 2]


def test_no_customers_gives_three_zero_rows(retention_con):
    df = status(retention_con, "2020-01-01")
    assert df["customers"].tolist() == [0, 0, 0] and df["revenue_last_12_months"].tolist() == [0, 0, 0]
