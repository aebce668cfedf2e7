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


def test_two_measures_own_reference_days_and_eligibility(tmp_path):
    """Two measures without control group: a participant's windows start at its own assigned date; a
    customer listed for one measure is a comparison customer of the other; "known for a year" is checked
    per measure (signup or first order); a customer missing from customers has no segment."""
    from tests.conftest import d, make_workspace

    def tx(customer, day):
        return dict(customer_id=customer, order_date=d(day), revenue=10.0, margin=4.0)

    transactions = [
        tx("P", "2025-06-01"), tx("P", "2026-03-05"), tx("P", "2026-03-20"),
        tx("Q", "2024-06-01"), tx("Q", "2026-02-10"), tx("Q", "2026-04-10"),
        tx("R", "2026-03-15"), tx("R", "2026-04-20"),
        tx("N", "2024-02-01"), tx("N", "2026-03-25"), tx("N", "2026-04-05"),
        tx("X", "2025-09-01"), tx("X", "2026-06-30"),  # the last data day
    ]
    customers = [dict(customer_id="P", segment="S1", signup_date=d("2024-01-01")),
                 dict(customer_id="Q", segment="S1"),  # known through the order of 2024-06-01
                 dict(customer_id="R", segment="S1", signup_date=d("2025-03-15")),
                 dict(customer_id="X", segment="S1", signup_date=d("2020-01-01"))]  # N is not in customers
    measures = [dict(measure_id="MA", name="A", instrument="service", start_date=d("2026-03-01"),
                     end_date=d("2026-03-31")),
                dict(measure_id="MB", name="B", instrument="service", start_date=d("2026-04-01"),
                     end_date=d("2026-04-30"))]
    participants = [dict(measure_id="MA", customer_id="P", group="treatment", assigned_date=d("2026-03-11")),
                    dict(measure_id="MA", customer_id="Q", group="treatment", assigned_date=None),
                    dict(measure_id="MB", customer_id="R", group="treatment", assigned_date=None)]
    ws = make_workspace(tmp_path, transactions=transactions, customers=customers, measures=measures,
                        measure_participants=participants)
    connection = connect(ws.snapshot())
    try:
        runs = {m: queries.run(connection, "measure_prepost", follow_up_days=0, margin_rate=0.5, min_matches=m)
                for m in (1, 3)}
    finally:
        connection.close()

    def strata(min_matches):
        df = runs[min_matches]
        df = df[df["kpi"] == "orders_per_customer"]
        return {(r.measure_id, r.segment, r.activity): r for r in df.itertuples()}

    s = strata(1)
    assert set(s) == {("MA", "S1", "2-3"), ("MA", "S1", "1"), ("MB", "S1", "1")}
    # MA, P from its assigned day 03-11: prior year 2025-06-01 and 03-05 -> '2-3'; pre 02-18 .. 03-10: 03-05;
    # post 03-11 .. 03-31: 03-20. No comparison customer with 2-3 orders -> unmatched
    p = s[("MA", "S1", "2-3")]
    assert (p.p_n, p.p_mean_pre, p.p_mean_post, p.c_n) == (1, 1.0, 1.0, 0) and pd.isna(p.match_level)
    # MA, Q from the start 03-01: prior 02-10 -> '1', pre 01-29 .. 02-28: 1, post: 0 (04-10 is after the
    # window). Comparison: X (S1, 2025-09-01 -> '1', nothing before/after) and N (no segment, '0');
    # R is not known for a year (signup 2025-03-15 > 2025-03-01); P and Q are listed
    q = s[("MA", "S1", "1")]
    assert (q.p_n, q.p_mean_pre, q.p_mean_post) == (1, 1.0, 0.0)
    assert (q.match_level, q.c_n, q.c_mean_pre, q.c_mean_post) == ("segment_and_activity", 1, 0.0, 0.0)
    # MB (start 04-01, pre 03-02 .. 03-31): R is known since 2025-03-15 <= 2025-04-01: '1', pre 1, post 1.
    # Comparison in S1 with '1': Q (pre 0, post 04-10) and X (0, 0); P (MA's participant) has 3 -> '2-3'
    r = s[("MB", "S1", "1")]
    assert (r.p_n, r.p_mean_pre, r.p_mean_post) == (1, 1.0, 1.0)
    assert (r.match_level, r.c_n, r.c_mean_pre, r.c_mean_post) == ("segment_and_activity", 2, 0.0, 0.5)
    # with 3 matches needed: activity '1' across segments adds N (no segment; pre 03-25, post 04-05)
    r = strata(3)[("MB", "S1", "1")]
    assert (r.match_level, r.c_n) == ("activity", 3)
    assert (r.c_mean_pre, r.c_mean_post) == pytest.approx((1 / 3, 2 / 3))
