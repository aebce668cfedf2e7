"""loyalty/uplift.py against hand computations and published reference values."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from loyalty import uplift


def test_welch_interval_by_hand():
    # treatment [2, 1, 0]: mean 1, var 1; control [1, 0]: mean 0.5, var 0.5
    diff, low, high, df = uplift.welch_ci(1.0, 1.0, 3, 0.5, 0.5, 2)
    assert diff == 0.5
    assert df == pytest.approx(49 / 17)  # (7/12)² / ((1/3)²/2 + (1/4)²/1)
    half = stats.t.ppf(0.975, 49 / 17) * np.sqrt(7 / 12)  # t = 3.2572
    assert (low, high) == pytest.approx((0.5 - half, 0.5 + half))
    # the same as scipy's Welch test on the raw values
    reference = stats.ttest_ind([2, 1, 0], [1, 0], equal_var=False).confidence_interval()
    assert (low, high) == pytest.approx((reference.low, reference.high))


def test_welch_edge_cases():
    _, low, high, _ = uplift.welch_ci(3.0, 0.0, 5, 1.0, 0.0, 4)  # no spread: zero-width interval
    assert (low, high) == (2.0, 2.0)
    _, low, high, _ = uplift.welch_ci(3.0, np.nan, 1, 1.0, 1.0, 4)  # one customer: no interval
    assert np.isnan(low) and np.isnan(high)


def test_wilson_published_values():
    # Newcombe (1998), single proportion: 81/263 -> 0.2553 to 0.3662; 0/10 -> 0 to 0.2775
    low, high = uplift.wilson_ci(81, 263)
    assert (float(low), float(high)) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    low, high = uplift.wilson_ci(0, 10)
    assert (float(low), float(high)) == pytest.approx((0.0, 0.2775), abs=1e-4)


def test_newcombe_published_values():
    # Newcombe (1998), difference of proportions, method 10: 56/70 - 48/80 = 0.2, interval 0.0524 to 0.3339
    diff, low, high = uplift.newcombe_ci(56, 70, 48, 80)
    assert float(diff) == pytest.approx(0.2)
    assert (float(low), float(high)) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_newcombe_zero_effect_contains_zero():
    diff, low, high = uplift.newcombe_ci(30, 100, 30, 100)
    assert diff == 0 and low < 0 < high


def test_zero_true_effect_intervals_contain_zero():
    rng = np.random.default_rng(7)
    a, b = rng.poisson(2.0, 400), rng.poisson(2.0, 300)
    # same distribution: with this seed the difference is small and the 95 % interval contains 0
    diff, low, high, _ = uplift.welch_ci(a.mean(), a.var(ddof=1), a.size, b.mean(), b.var(ddof=1), b.size)
    assert low < 0 < high and low < diff < high


def test_uplift_table_picks_method_per_kpi():
    stats_long = pd.DataFrame([
        dict(measure_id="M", assigned_group="treatment", kpi="repeat_purchase_rate", n=70, mean=56 / 70, variance=0.1),
        dict(measure_id="M", assigned_group="control", kpi="repeat_purchase_rate", n=80, mean=48 / 80, variance=0.1),
        dict(measure_id="M", assigned_group="treatment", kpi="orders_per_customer", n=3, mean=1.0, variance=1.0),
        dict(measure_id="M", assigned_group="control", kpi="orders_per_customer", n=2, mean=0.5, variance=0.5),
    ])
    table = uplift.uplift_table(stats_long).set_index("kpi")
    assert table.loc["repeat_purchase_rate", "method"] == "newcombe"
    assert table.loc["repeat_purchase_rate", "ci_low"] == pytest.approx(0.0524, abs=1e-4)
    assert table.loc["orders_per_customer", "method"] == "welch"
    assert table.loc["orders_per_customer", "relative_uplift"] == pytest.approx(1.0)  # 0.5 / 0.5


def test_roi_break_even_and_cost():
    assert uplift.measure_cost(1000.0, 2.5, 400) == 2000.0
    assert uplift.measure_cost(np.nan, 2.5, 400) == 1000.0  # a missing fixed cost counts as 0
    assert uplift.roi(3000.0, 2000.0) == pytest.approx(0.5)  # (3000 - 2000) / 2000
    assert np.isnan(uplift.roi(3000.0, 0.0))
    assert uplift.break_even_uplift(2000.0, 400) == 5.0


def test_paired_interval_by_hand():
    low, high = uplift.paired_ci(2.0, 4.0, 5)  # t(4) = 2.7764, se = sqrt(4/5)
    assert (low, high) == pytest.approx((2 - 2.776445 * np.sqrt(0.8), 2 + 2.776445 * np.sqrt(0.8)), abs=1e-5)


def test_payback_in_the_first_week_the_cumulative_margin_reaches_the_cost():
    weekly = pd.DataFrame({"measure_id": ["M"] * 4, "assigned_group": ["treatment", "control"] * 2,
                           "week": [0, 0, 2, 2], "margin": [30.0, 10.0, 60.0, 10.0]})
    participants = pd.DataFrame({"measure_id": ["M"], "treatment_n": [10], "control_n": [10]})
    cumulative = uplift.cumulative_incremental_margin(weekly, participants)
    # week 0: 30 - 10 = 20; week 1 (no orders): 20; week 2: 90 - 20 = 70
    assert cumulative["incremental_margin"].tolist() == pytest.approx([20.0, 20.0, 70.0])
    costs = pd.Series({"M": 50.0, "N": 10.0}).rename_axis("measure_id")
    assert uplift.payback_weeks(cumulative, costs).to_dict() == {"M": 3, "N": pytest.approx(float("nan"), nan_ok=True)}
    # no weekly margins at all (nobody bought in the windows): no payback, not an error
    none = uplift.cumulative_incremental_margin(pd.DataFrame(), participants)
    assert uplift.payback_weeks(none, costs).isna().all()
