"""queries/referral_referrers.sql on the workspace of test_referral_new_customers.py (rows and hand
calculation in its docstring)."""

from __future__ import annotations

import pytest

from loyalty import queries
from loyalty.filters import Filters
from tests.conftest import d
from tests.queries.test_referral_new_customers import Q1, referral_con_fixture

referral_con = referral_con_fixture()


def test_referrers_by_nps_group(referral_con):
    df = queries.run(referral_con, "referral_referrers", **Q1.params()).set_index("grp")
    assert df.loc["promoter", ["customers", "referrers", "referred_customers"]].tolist() == [1, 1, 1]
    assert df.loc["promoter", "referrer_share"] == pytest.approx(1.0)
    assert df.loc["detractor", ["customers", "referrers"]].tolist() == [1, 0]
    assert df.loc["passive", ["customers", "referrers"]].tolist() == [1, 0]
    assert df.loc["no_answer", ["customers", "referrers"]].tolist() == [5, 0]


def test_referrers_segment_filter_and_period(referral_con):
    s2 = queries.run(referral_con, "referral_referrers", **Filters(Q1.start, Q1.end, segments=("S2",)).params())
    assert s2.set_index("grp")["customers"].to_dict() == {"no_answer": 3, "passive": 1}  # B F H; D
    # Q2 2026: H (referred by A) is new; A's latest answer is still the 10
    q2 = queries.run(referral_con, "referral_referrers", **Filters(d("2026-04-01"), d("2026-06-30")).params())
    q2 = q2.set_index("grp")
    assert q2.loc["promoter", "referred_customers"] == 1
    assert q2.loc["detractor", "customers"] == 2  # C's 5 and now D's 2 of 2026-05-01
    assert "passive" not in q2.index
