"""queries/churn_trend.sql on the workspace of test_cohort_retention.py, months Jan-Apr 2026, at risk
after 20 days, inactive after 40 days. Status at each month end (last order as of that day):

  31 Dec 2025: E 20 Dec (11 days: active)                                           alive 1
  31 Jan: A 20 Jan (11), B 15 Jan (16), E 15 Jan (16): 3 active                     churned in Jan: 0
  28 Feb: A 10 Feb (18) active, B 44 inactive, C 3 Feb (25) at risk, D 25 Feb (3) active, E 44 inactive
          -> 2 / 1 / 2; churned in Feb: B and E (active on 31 Jan) -> 2 of 3 alive on 31 Jan
  31 Mar: A 49 inactive, B, E inactive, C 21 Mar (10) active, D 34 at risk, F 31 Mar (0) active
          -> 2 / 1 / 3; churned in Mar: A -> 1 of 3 alive on 28 Feb
  30 Apr: A 2 Apr (28) at risk (back from inactive: not churn), C 40 at risk, F 30 at risk, G 20 active,
          D 64 inactive, B, E inactive -> 1 / 3 / 3; churned in Apr: D -> 1 of 3 alive on 31 Mar
A customer who orders in a bucket can still be churned in it: E in Q1 of test_quarters, and the shorter
thresholds of test_thresholds_shorter_than_a_month.
"""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_cohort_retention import JAN_TO_APR, retention_con_fixture

retention_con = retention_con_fixture()

SAMPLE_PARAMS = {"churn_trend": {"at_risk_after_days": 20, "inactive_after_days": 40}}


def trend(con, filters=JAN_TO_APR, grain="month"):
    return queries.run(con, "churn_trend", grain=grain, at_risk_after_days=20, inactive_after_days=40,
                       **filters.params())


def test_monthly_status_and_churn(retention_con):
    df = trend(retention_con)
    assert df["period_label"].tolist() == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert df["active"].tolist() == [3, 2, 2, 1]
    assert df["at_risk"].tolist() == [0, 1, 1, 3]
    assert df["inactive"].tolist() == [0, 2, 3, 3]
    assert df["alive_at_start"].tolist() == [1, 3, 3, 3]
    assert df["churned"].tolist() == [0, 2, 1, 1]
    assert df["churn_rate"].tolist() == pytest.approx([0.0, 2 / 3, 1 / 3, 1 / 3])


def test_last_bucket_is_cut_at_the_period_end(retention_con):
    # end 15 Apr: G (10 Apr, 5 days) active; A 2 Apr (13) active; C 21 Mar (25) at risk, F 31 Mar (15) active;
    # B, D (49), E inactive -> 3 / 1 / 3
    df = trend(retention_con, Filters(d("2026-03-01"), d("2026-04-15")))
    assert [str(x.date()) for x in df["period_end"]] == ["2026-03-31", "2026-04-15"]
    last = df.iloc[-1]
    assert (last["active"], last["at_risk"], last["inactive"]) == (3, 1, 3)


def test_quarters(retention_con):
    # Q1 ends 31 Mar: as above 2 / 1 / 3; on 31 Dec only E (active), who is inactive on 31 Mar: 1 of 1
    df = trend(retention_con, Filters(d("2026-01-01"), d("2026-03-31")), grain="quarter")
    assert df["period_label"].tolist() == ["2026-Q1"]
    assert (df.iloc[0]["active"], df.iloc[0]["at_risk"], df.iloc[0]["inactive"]) == (2, 1, 3)
    assert df.iloc[0]["churn_rate"] == pytest.approx(1.0)


def test_thresholds_shorter_than_a_month(retention_con):
    # at risk after 5, inactive after 12 days. 31 Dec: E (11) at risk. 31 Jan: A (11) at risk, B, E (16)
    # inactive; E was at risk on 31 Dec and ordered in January, yet is inactive again at its end: churned.
    # 28 Feb: D (3) active, A (18), B, C (25), E inactive; A (at risk on 31 Jan, ordered 10 Feb) churned.
    # 31 Mar: F (0) active, C (10) at risk, A, B, D (34), E inactive; D churned without an order in March.
    # 30 Apr: everybody inactive (G 20, A 28, F 30, C 40 days); C and F churned.
    df = queries.run(retention_con, "churn_trend", grain="month", at_risk_after_days=5, inactive_after_days=12,
                     **JAN_TO_APR.params())
    assert df["active"].tolist() == [0, 1, 1, 0]
    assert df["at_risk"].tolist() == [1, 0, 1, 0]
    assert df["inactive"].tolist() == [2, 4, 4, 7]
    assert df["alive_at_start"].tolist() == [1, 1, 1, 2]
    assert df["churned"].tolist() == [1, 1, 1, 2]
