"""Tests of loyalty.clv: RFM summary, BG/NBD, Gamma-Gamma, CLV and holdout tracking.

The acceptance test reproduces the published CDNOW estimates (Fader, Hardie & Lee 2005) from
shared/data/cdnow_sample.csv; the others are small enough to check by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import OptimizeResult, check_grad
from scipy.special import hyp2f1

from loyalty import clv

CDNOW = Path(__file__).resolve().parents[2] / "shared/data/cdnow_sample.csv"
CAL_END = "1997-09-30"


# --------------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_con():
    if not CDNOW.is_file():
        pytest.skip(f"{CDNOW} not present")
    con = duckdb.connect()
    path = str(CDNOW).replace("'", "''")  # views cannot take bound parameters
    con.execute(
        f"create view transactions as select * from read_csv('{path}', header = true, columns = {{"
        "'customer_id': 'varchar', 'order_date': 'date', 'quantity': 'integer', 'revenue': 'double'})"
    )
    yield con
    con.close()


@pytest.fixture(scope="module")
def cdnow(cdnow_con):
    return clv.summary_from_duckdb(cdnow_con, CAL_END, unit="weeks")


@pytest.fixture(scope="module")
def bgnbd(cdnow):
    return clv.fit_bgnbd(cdnow)


@pytest.fixture(scope="module")
def gamma_gamma(cdnow):
    return clv.fit_gamma_gamma(cdnow)


PUBLISHED = clv.BGNBDModel(
    r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n_customers=2357, unit="weeks"
)


def tiny_transactions() -> pd.DataFrame:
    rows = [
        # A: two rows on 01-01 are one occasion (15); a return-only day (01-20) is no occasion
        ("A", "2024-01-01", 10.0),
        ("A", "2024-01-01", 5.0),
        ("A", "2024-01-08", 20.0),
        ("A", "2024-01-15", 30.0),
        ("A", "2024-01-20", -5.0),
        ("A", "2024-02-05", 7.0),
        ("A", "2024-02-05", 3.0),
        ("A", "2024-02-10", 8.0),
        # B: one purchase two days before the calibration end
        ("B", "2024-01-29", 40.0),
        # C: first purchase after the calibration end, so not in the cohort
        ("C", "2024-02-02", 50.0),
        # D: days with a return next to a purchase count, with their net revenue
        ("D", "2024-01-10", 12.0),
        ("D", "2024-01-10", -2.0),
        ("D", "2024-01-24", 9.0),
        ("D", "2024-01-24", -4.0),
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    return df


def synthetic_summary(n: int, n_repeat: int) -> pd.DataFrame:
    x = np.zeros(n)
    x[:n_repeat] = np.arange(1, n_repeat + 1) % 5 + 1
    T = np.full(n, 30.0)
    recency = np.where(x > 0, 20.0, 0.0)
    df = pd.DataFrame(
        {"frequency": x.astype(int), "recency": recency, "T": T, "monetary_value": np.where(x > 0, 20.0, 0)}
    )
    df.attrs["unit"] = "weeks"
    return df


# --------------------------------------------------------------------------------------------------
# acceptance: published CDNOW estimates
# --------------------------------------------------------------------------------------------------


def test_cdnow_summary_matches_paper_sample(cdnow):
    assert len(cdnow) == 2357
    assert (cdnow["frequency"] > 0).sum() == 946
    assert cdnow["frequency"].sum() == 2457
    assert cdnow["holdout_frequency"].sum() == 1882
    assert cdnow["holdout_duration"].unique().tolist() == [39.0]
    # T runs from the first purchase to the calibration end, end day not counted: 1997-01-01 -> 272 days
    first_day = cdnow[cdnow["first_purchase"] == pd.Timestamp("1997-01-01")]
    assert np.allclose(first_day["T"], 272 / 7)


def test_bgnbd_reproduces_published_estimates(bgnbd):
    for name in ("r", "alpha", "a", "b"):
        assert getattr(bgnbd, name) == pytest.approx(getattr(PUBLISHED, name), rel=0.01), name
    assert bgnbd.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert bgnbd.n_customers == 2357 and bgnbd.unit == "weeks"


def test_gamma_gamma_reproduces_published_estimates(gamma_gamma):
    assert gamma_gamma.n_customers == 946
    assert gamma_gamma.p == pytest.approx(6.25, rel=0.01)
    assert gamma_gamma.q == pytest.approx(3.74, rel=0.01)
    assert gamma_gamma.v == pytest.approx(15.44, rel=0.01)
    assert abs(gamma_gamma.frequency_spend_correlation) < 0.3


def test_log_likelihood_at_published_parameters(cdnow):
    ll = clv.bgnbd_log_likelihood(0.243, 4.414, 0.793, 2.426, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert ll.sum() == pytest.approx(-9582.4, abs=0.1)


def test_pandas_summary_equals_duckdb_summary(cdnow):
    df = pd.read_csv(CDNOW, dtype={"customer_id": str}, parse_dates=["order_date"])
    other = clv.summary_from_transactions(df, dt.date(1997, 9, 30), unit="weeks")
    pd.testing.assert_frame_equal(other, cdnow)


# --------------------------------------------------------------------------------------------------
# RFM summary by hand
# --------------------------------------------------------------------------------------------------


def test_tiny_summary_by_hand():
    s = clv.summary_from_transactions(tiny_transactions(), "2024-01-31", unit="days", observation_end="2024-02-29")
    assert s["customer_id"].tolist() == ["A", "B", "D"]
    s = s.set_index("customer_id")
    assert s.loc["A", "frequency"] == 2  # 01-08 and 01-15; the two 01-01 rows are the first occasion
    assert s.loc["A", "recency"] == 14
    assert s.loc["A", "T"] == 30
    assert s.loc["A", "monetary_value"] == 25  # (20 + 30) / 2, first purchase excluded
    assert s.loc["A", "holdout_frequency"] == 2  # 02-05 (two rows, one occasion) and 02-10
    assert (s.loc["B", "frequency"], s.loc["B", "recency"], s.loc["B", "T"]) == (0, 0, 2)
    assert s.loc["B", "monetary_value"] == 0 and s.loc["B", "holdout_frequency"] == 0
    assert (s.loc["D", "frequency"], s.loc["D", "recency"], s.loc["D", "T"]) == (1, 14, 21)
    assert s.loc["D", "monetary_value"] == 5  # 9 - 4 on 01-24
    assert (s["holdout_duration"] == 29).all()
    assert s.attrs["unit"] == "days"


def test_tiny_summary_in_weeks_and_default_observation_end():
    tx = tiny_transactions()
    s = clv.summary_from_transactions(tx, "2024-01-31", unit="weeks").set_index("customer_id")
    assert s.loc["A", "T"] == pytest.approx(30 / 7)
    assert s.loc["A", "recency"] == pytest.approx(2.0)
    assert s.attrs["observation_end"] == dt.date(2024, 2, 10)  # the last order date
    assert s.loc["A", "holdout_duration"] == pytest.approx(10 / 7)


def test_summary_from_duckdb_view():
    con = duckdb.connect()
    con.register("tx_frame", tiny_transactions())
    con.execute("create view transactions as select * from tx_frame")
    s = clv.summary_from_duckdb(con, dt.date(2024, 1, 31), unit="days", observation_end=dt.date(2024, 2, 29))
    assert s["frequency"].tolist() == [2, 0, 1]


def test_summary_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unit"):
        clv.summary_from_transactions(tiny_transactions(), "2024-01-31", unit="months")
    with pytest.raises(ValueError, match="before calibration_end"):
        clv.summary_from_transactions(tiny_transactions(), "2024-01-31", observation_end="2024-01-01")
    with pytest.raises(ValueError, match="revenue"):
        clv.summary_from_transactions(tiny_transactions().drop(columns="revenue"), "2024-01-31")


# --------------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------------


def test_too_few_repeat_customers():
    with pytest.raises(clv.ModelError, match="3 customers bought more than once; at least 20 are needed"):
        clv.fit_bgnbd(synthetic_summary(100, 3))
    with pytest.raises(clv.ModelError, match="Gamma-Gamma"):
        clv.fit_gamma_gamma(synthetic_summary(100, 3))


def test_too_few_customers():
    with pytest.raises(clv.ModelError, match="12 customers; at least 50 are needed"):
        clv.fit_bgnbd(synthetic_summary(12, 12))


def test_model_error_is_value_error():
    assert issubclass(clv.ModelError, ValueError)


def test_non_convergence_is_reported(monkeypatch, cdnow):
    def failing(fun, x0, *args, **kwargs):
        return OptimizeResult(x=np.asarray(x0), fun=np.nan, success=False, message="simulated failure")

    monkeypatch.setattr(clv.optimize, "minimize", failing)
    with pytest.raises(clv.ModelError, match="did not converge"):
        clv.fit_bgnbd(cdnow)


def test_degenerate_spend_is_reported():
    # identical spend everywhere: no heterogeneity, q and v run off to infinity
    rng = np.random.default_rng(0)
    s = pd.DataFrame({"frequency": rng.integers(1, 10, 100), "monetary_value": 20.0})
    with pytest.raises(clv.ModelError, match="ran to an extreme value"):
        clv.fit_gamma_gamma(s)


def test_invalid_summary_values():
    s = synthetic_summary(100, 40)
    s.loc[0, "recency"] = 40.0  # beyond T
    with pytest.raises(ValueError, match="recency"):
        clv.fit_bgnbd(s)
    s = synthetic_summary(100, 40)
    s.attrs.clear()
    with pytest.raises(ValueError, match="unit"):
        clv.fit_bgnbd(s)


# --------------------------------------------------------------------------------------------------
# BG/NBD formulas
# --------------------------------------------------------------------------------------------------


def test_p_alive_is_one_without_repeat_purchases():
    assert np.all(PUBLISHED.p_alive([0, 0, 0], [0, 0, 0], [1.0, 39.0, 500.0]) == 1.0)


def test_p_alive_falls_with_time_since_last_purchase():
    p = PUBLISHED.p_alive(3, [38.0, 30.0, 20.0, 5.0], 39.0)
    assert np.all((p > 0) & (p < 1))
    assert np.all(np.diff(p) < 0)


def literal_eq10(m: clv.BGNBDModel, t, x, t_x, T):
    """Eq. (10) exactly as printed, for moderate arguments."""
    r, alpha, a, b = m.r, m.alpha, m.a, m.b
    head = (a + b + x - 1) / (a - 1)
    hyp = ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    odds = (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return head * (1 - hyp) / (1 + odds)


def test_conditional_expectation_matches_printed_eq10():
    x = np.array([0, 1, 2, 5, 10, 20])
    t_x = np.array([0, 10, 30, 35, 38, 38.5])
    for t in (1.0, 39.0, 52.0):
        expected = literal_eq10(PUBLISHED, t, x, t_x, 39.0)
        assert PUBLISHED.conditional_expected_purchases(t, x, t_x, 39.0) == pytest.approx(expected, rel=1e-9)


def test_conditional_expectation_stays_finite_for_heavy_buyers():
    # the printed form returns nan here (Fader & Hardie note 027); the transformed one must not
    values = PUBLISHED.conditional_expected_purchases([520.0, 100.0], [500, 2000], [9.0, 100.0], [10.0, 100.0])
    assert np.all(np.isfinite(values)) and np.all(values > 0)


def test_expected_purchases_matches_eq9():
    r, alpha, a, b = PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b
    t = np.array([1.0, 39.0, 78.0])
    eq9 = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    assert PUBLISHED.expected_purchases(t) == pytest.approx(eq9, rel=1e-9)
    assert np.all(np.diff(PUBLISHED.expected_purchases(np.arange(0, 100.0))) > 0)


def test_analytic_gradients(cdnow):
    x, t_x, T = (cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    w = np.ones_like(x)
    theta = np.log([0.3, 5.0, 0.9, 2.0])
    err = check_grad(
        lambda p: clv._bgnbd_neg_ll(p, x, t_x, T, w)[0], lambda p: clv._bgnbd_neg_ll(p, x, t_x, T, w)[1], theta
    )
    assert err < 1e-5
    rep = cdnow[cdnow["frequency"] > 0]
    xr, m = rep["frequency"].to_numpy(float), rep["monetary_value"].to_numpy(float)
    err = check_grad(
        lambda p: clv._gamma_gamma_neg_ll(p, xr, m)[0],
        lambda p: clv._gamma_gamma_neg_ll(p, xr, m)[1],
        np.log([5, 3, 10]),
    )
    assert err < 1e-5


def test_standard_errors_match_independent_hessian(cdnow, bgnbd):
    """Numerical Hessian of the total log-likelihood in natural parameters gives the same errors."""
    x, t_x, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    theta = np.array([bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b])

    def ll(th):
        return clv.bgnbd_log_likelihood(*th, x, t_x, T).sum()

    h = 1e-4 * theta
    hess = np.empty((4, 4))
    for i in range(4):
        for j in range(4):
            ei, ej = np.eye(4)[i] * h[i], np.eye(4)[j] * h[j]
            hess[i, j] = (ll(theta + ei + ej) - ll(theta + ei - ej) - ll(theta - ei + ej) + ll(theta - ei - ej)) / (
                4 * h[i] * h[j]
            )
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    table = bgnbd.parameters()
    assert table["std_error"].to_numpy() == pytest.approx(se, rel=0.02)
    assert np.all((table["ci_low"] < table["estimate"]) & (table["estimate"] < table["ci_high"]))


# --------------------------------------------------------------------------------------------------
# Gamma-Gamma and CLV
# --------------------------------------------------------------------------------------------------


def test_expected_spend_shrinks_to_population_mean(gamma_gamma):
    g = gamma_gamma
    assert g.conditional_expected_spend(0, 0.0) == pytest.approx(g.p * g.v / (g.q - 1))
    assert g.conditional_expected_spend(0, 999.0) == pytest.approx(g.mean_spend)  # no repeats: own mean ignored
    spend = g.conditional_expected_spend([1, 5, 50, 5000], 100.0)
    assert np.all(np.diff(spend) > 0) and spend[-1] == pytest.approx(100.0, rel=0.01)


def test_clv_increases_with_frequency(bgnbd, gamma_gamma):
    x = np.arange(1, 21)
    s = pd.DataFrame({"frequency": x, "recency": 30.0, "T": 30.0, "monetary_value": gamma_gamma.mean_spend})
    value = clv.customer_lifetime_value(s, bgnbd, gamma_gamma)
    assert np.all(np.diff(value["clv"]) > 0)
    assert np.all(np.diff(value["expected_purchases"]) > 0)


def test_clv_discounting_and_margin(cdnow, bgnbd, gamma_gamma):
    plain = clv.customer_lifetime_value(cdnow, bgnbd, gamma_gamma, annual_discount_rate=0.0)
    # without discounting, value = expected purchases * expected spend
    assert plain["clv"].to_numpy() == pytest.approx((plain["expected_purchases"] * plain["expected_spend"]).to_numpy())
    discounted = clv.customer_lifetime_value(cdnow, bgnbd, gamma_gamma, annual_discount_rate=0.15, margin_rate=0.3)
    assert np.all(discounted["clv"] < 0.3 * plain["clv"])
    assert np.all(discounted["clv"] > 0.3 * plain["clv"] / 1.15)
    assert discounted["customer_id"].tolist() == cdnow["customer_id"].tolist()
    # expected purchases cover 12 months after the calibration end
    months12 = 365.25 / 7
    expected = bgnbd.conditional_expected_purchases(months12, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert plain["expected_purchases"].to_numpy() == pytest.approx(expected)
    assert (plain.loc[cdnow["frequency"] == 0, "p_alive"] == 1).all()


def test_clv_rejects_bad_horizon(cdnow, bgnbd, gamma_gamma):
    with pytest.raises(ValueError, match="horizon_months"):
        clv.customer_lifetime_value(cdnow, bgnbd, gamma_gamma, horizon_months=0)


# --------------------------------------------------------------------------------------------------
# holdout tracking
# --------------------------------------------------------------------------------------------------


def test_conditional_expectations_by_frequency(cdnow, bgnbd):
    table = clv.conditional_expectations_by_frequency(cdnow, bgnbd)
    assert table["label"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    assert table.loc[0, "actual"] == pytest.approx(334 / 1411)
    assert np.all(np.diff(table["predicted"]) > 0)
    # FHL (2005), Figure 4: the model tracks the holdout well for every group
    assert np.all(np.abs(table["predicted"] - table["actual"]) < 0.5)


def test_cumulative_tracking(cdnow_con, cdnow, bgnbd):
    track = clv.cumulative_tracking_from_duckdb(cdnow_con, bgnbd, CAL_END)
    assert len(track) == 78
    assert track["period_end"].iloc[38] == pd.Timestamp("1997-09-30")
    assert track["in_calibration"].sum() == 39
    assert track["actual_cumulative"].iloc[38] == 2457
    assert track["actual_cumulative"].iloc[-1] == 2457 + 1882
    # at the calibration end the expectation is the sum of E[X(T_i)] over the cohort
    assert track["expected_cumulative"].iloc[38] == pytest.approx(bgnbd.expected_purchases(cdnow["T"]).sum())
    assert track["expected_cumulative"].iloc[-1] == pytest.approx(4339, rel=0.1)
