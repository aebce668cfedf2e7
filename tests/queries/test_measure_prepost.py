"""queries/measure_prepost.sql and loyalty.uplift.stratified_did: pre/post against matched
non-participants for a measure without a control group (MP in the measures fixture)."""

import pandas as pd
import pytest

from loyalty import queries, uplift
from loyalty.db import connect
from tests.queries import measures_fixture

SAMPLE_PARAMS = {"measure_prepost": {"follow_up_days": 90, "margin_rate": 0.3, "min_matches": 10}}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = connect(measures_fixture.build(tmp_path_factory.mktemp("prepost_ws")).snapshot())
    yield connection
    connection.close()


def test_only_measures_without_control_group_and_matching(con):
    strata = queries.run(con, "measure_prepost", follow_up_days=0, margin_rate=0.5, min_matches=1)
    assert set(strata["measure_id"]) == {"MP"}
    orders = strata[strata["kpi"] == "orders_per_customer"].iloc[0]
    # P1 (S1): one order in the year before 2026-03-01 -> activity '1'; N1 (S1, customer since 2025-01-01)
    # is the only non-participant known for a year -> matched on segment and activity
    assert (orders["segment"], orders["activity"], orders["match_level"]) == ("S1", "1", "segment_and_activity")
    # post 03-01 .. 03-10: P1 2 orders, N1 1; pre 02-19 .. 02-28: P1 1, N1 1
    assert (orders["p_n"], orders["p_mean_pre"], orders["p_mean_post"]) == (1, 1.0, 2.0)
    assert (orders["c_n"], orders["c_mean_pre"], orders["c_mean_post"]) == (1, 1.0, 1.0)


def test_without_enough_matches_there_is_no_comparison(con):
    strata = queries.run(con, "measure_prepost", follow_up_days=0, margin_rate=0.5, min_matches=2)
    assert strata["match_level"].isna().all() and (strata["c_n"] == 0).all()
    did = uplift.stratified_did(strata)
    assert (did["unmatched"] == 1).all() and did["effect"].isna().all()


def test_effects_by_hand(con):
    strata = queries.run(con, "measure_prepost", follow_up_days=0, margin_rate=0.5, min_matches=1)
    did = uplift.stratified_did(strata).set_index("kpi")
    # orders: N1 1 -> 1 (r = 1), expected P1 after = 1 x 1 = 1, actual 2 -> effect +1
    assert did.loc["orders_per_customer", "effect"] == pytest.approx(1.0)
    assert did.loc["orders_per_customer", "expected"] == pytest.approx(1.0)
    # revenue: P1 10 -> 40, N1 10 -> 10 -> effect 30; margin 4 -> 16 vs 4 -> 4 -> effect 12
    assert did.loc["revenue_per_customer", "effect"] == pytest.approx(30.0)
    assert did.loc["margin_per_customer", "effect"] == pytest.approx(12.0)
    # repeat: nobody had >= 2 orders before (c_pre = 0): absolute change 0 -> 1 vs 0 -> 0 = +1
    assert did.loc["repeat_purchase_rate", "effect"] == pytest.approx(1.0)
    assert did.loc["orders_per_customer", "matched_in_segment"] == 1.0


def test_stratified_did_weights_and_delta_method_interval():
    strata = pd.DataFrame([
        # stratum a: 30 participants 2 -> 3, comparison 2 -> 1.5 (r = 0.75): expected 1.5, effect 1.5
        dict(measure_id="M", kpi="orders", segment="a", match_level="segment_and_activity", p_n=30, p_mean_pre=2.0,
             p_mean_post=3.0, p_var_pre=1.0, p_var_post=2.0, p_cov=0.5, c_n=60, c_mean_pre=2.0, c_mean_post=1.5,
             c_var_pre=1.0, c_var_post=1.0, c_cov=0.4),
        # stratum b: 10 participants 1 -> 1, comparison 1 -> 1 (r = 1): effect 0
        dict(measure_id="M", kpi="orders", segment="b", match_level="activity", p_n=10, p_mean_pre=1.0,
             p_mean_post=1.0, p_var_pre=0.5, p_var_post=0.5, p_cov=0.0, c_n=20, c_mean_pre=1.0, c_mean_post=1.0,
             c_var_pre=0.5, c_var_post=0.5, c_cov=0.0),
    ])
    row = uplift.stratified_did(strata).iloc[0]
    # weights 30/40 = 0.75 and 0.25 -> effect 0.75 x 1.5 + 0.25 x 0 = 1.125
    assert row["effect"] == pytest.approx(1.125)
    assert row["expected"] == pytest.approx(0.75 * 1.5 + 0.25 * 1.0)
    assert row["matched_in_segment"] == pytest.approx(0.75)
    # variances: a: participants (2 + 0.75² x 1 - 2 x 0.75 x 0.5) / 30 = 1.8125 / 30;
    # comparison 2² x (1 + 0.5625 - 0.6) / (60 x 2²) = 0.9625 / 60;
    # b: (0.5 + 0.5) / 10 = 0.1 and 1 x (0.5 + 0.5) / 20 = 0.05
    a1, a2, b1, b2 = 0.5625 * 1.8125 / 30, 0.5625 * 0.9625 / 60, 0.0625 * 0.1, 0.0625 * 0.05
    se2 = a1 + a2 + b1 + b2
    df = se2**2 / (a1**2 / 29 + a2**2 / 59 + b1**2 / 9 + b2**2 / 19)
    from scipy import stats

    half = stats.t.ppf(0.975, df) * se2**0.5
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((1.125 - half, 1.125 + half))
