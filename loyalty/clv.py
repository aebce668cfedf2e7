"""Customer lifetime value: BG/NBD purchase model, Gamma-Gamma spend model, CLV and holdout tracking.

Models and their sources
------------------------
- BG/NBD: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to the
  Pareto/NBD Model", Marketing Science 24(2), hereafter FHL: the individual likelihood
  L(r, alpha, a, b | x, t_x, T), the expected purchases E[X(t)] of a new customer, and the conditional
  expectation E[Y(t) | x, t_x, T] of eq. (10). P(alive) from Fader, Hardie & Lee (2008), "Computing
  P(alive) Using the BG/NBD Model" (Hardie's note 021). The Gaussian hypergeometric terms are evaluated
  after Euler's transformation, as in Fader & Hardie (2013), "Overcoming the BG/NBD Model's #NUM! Error
  Problem" (note 027).
- Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
  Analysis", Journal of Marketing Research 42(4), and Fader & Hardie (2013), "The Gamma-Gamma Model of
  Monetary Value" (note 025): the likelihood of a customer's mean repeat spend and its conditional
  expectation.

Both are fitted by exact maximum likelihood with scipy (L-BFGS-B on log-parameters with analytic
gradients; Nelder-Mead as a fallback). Standard errors come from a numerical Hessian of the negative
log-likelihood (delta method; 95 % intervals are symmetric on the log scale, so they stay positive).

Why a scipy implementation and not pymc-marketing (or lifetimes)
----------------------------------------------------------------
pymc-marketing (0.19.2, a ~0.5 MB wheel) requires pymc, pytensor, arviz < 1.0, xarray, xarray-einstats,
preliz, scikit-learn, matplotlib, seaborn, pydantic and more: a heavy install for two closed-form
likelihoods, and pytensor compiles C code at import/first use, so it needs a C compiler on every machine
and makes the first fit slow. Its default fit is Bayesian (MCMC, minutes); its point estimates are close
to, but not by construction identical with, the published maximum-likelihood estimates this project is
validated against. lifetimes, the classic MLE package, has had no release since 2020. The published
likelihoods are short closed forms: in scipy they are exact, fast (100,000 customers in about a second)
and add no dependency.

Data convention (verified on the CDNOW sample, see tests/test_clv.py)
---------------------------------------------------------------------
One purchase occasion per customer and day. `frequency` x = occasions in the calibration period - 1;
recency t_x = (last occasion - first occasion) in days / unit; T = (calibration_end - first occasion)
in days / unit, *without* counting the end day inclusively. With unit='weeks' (days / 7) this
reproduces the published BG/NBD and Gamma-Gamma estimates (an inclusive +1 day gives a = 0.815,
b = 2.477 instead of 0.793, 2.426). Days with only returns (negative revenue) are no purchase
occasion; a day's value is the net revenue of all its rows, and zero-revenue purchases are occasions
(the CDNOW sample has eight such first purchases and the published fit includes them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

UNIT_DAYS = {"days": 1.0, "weeks": 7.0}
DAYS_PER_MONTH = 365.25 / 12
MIN_CUSTOMERS = 50
MIN_REPEAT_CUSTOMERS = 20
# Optimiser box on log-parameters: a parameter that runs into it (below 3e-7 or above 3e6) means the
# data do not identify the model, and we report that instead of returning a degenerate fit.
LOG_BOUND = 15.0
Z95 = 1.959963984540054

ArrayLike = float | Sequence[float] | np.ndarray | pd.Series


class ModelError(ValueError):
    """The data cannot support the model (too few customers, no convergence, degenerate estimates)."""


# --------------------------------------------------------------------------------------------------
# RFM summary (calibration / holdout) from transactions
# --------------------------------------------------------------------------------------------------

# One row per customer and purchase day; the day's value is the net revenue of all rows that day.
_OCCASIONS_SQL = """
    select customer_id, cast(order_date as date) as day, sum(revenue) as revenue
    from transactions
    where cast(order_date as date) <= $observation_end and customer_id is not null
    group by customer_id, cast(order_date as date)
    having bool_or(revenue >= 0)  -- a day with only returns is not a purchase occasion
"""

_SUMMARY_SQL = f"""
with occasions as ({_OCCASIONS_SQL}),
cohort as (
    select customer_id, min(day) as first_purchase
    from occasions
    where day <= $calibration_end
    group by customer_id
),
calibration as (
    select o.customer_id,
           any_value(c.first_purchase) as first_purchase,
           count(*) - 1 as frequency,
           max(o.day) as last_purchase,
           coalesce(sum(o.revenue) filter (where o.day > c.first_purchase), 0) as repeat_revenue
    from occasions o
    join cohort c using (customer_id)
    where o.day <= $calibration_end
    group by o.customer_id
),
holdout as (
    select customer_id, count(*) as holdout_frequency
    from occasions
    where day > $calibration_end
    group by customer_id
)
select c.customer_id,
       c.first_purchase,
       c.frequency,
       date_diff('day', c.first_purchase, c.last_purchase) / $unit_days as recency,
       date_diff('day', c.first_purchase, $calibration_end) / $unit_days as T,
       case when c.frequency > 0 then c.repeat_revenue / c.frequency else 0.0 end as monetary_value,
       coalesce(h.holdout_frequency, 0) as holdout_frequency,
       date_diff('day', $calibration_end, $observation_end) / $unit_days as holdout_duration
from calibration c
left join holdout h using (customer_id)
order by c.customer_id
"""


def _as_date(value: dt.date | str | pd.Timestamp) -> dt.date:
    return pd.Timestamp(value).date()


def _unit_days(unit: str) -> float:
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_DAYS)}, not {unit!r}")
    return UNIT_DAYS[unit]


def _period_bounds(
    con: duckdb.DuckDBPyConnection, calibration_end: dt.date | str, observation_end: dt.date | str | None
) -> tuple[dt.date, dt.date]:
    """Calibration end and observation end; the latter defaults to the last order date (or cal. end)."""
    cal_end = _as_date(calibration_end)
    if observation_end is None:
        last = con.execute("select max(cast(order_date as date)) from transactions").fetchone()[0]
        obs_end = max(last, cal_end) if last is not None else cal_end
    else:
        obs_end = _as_date(observation_end)
    if obs_end < cal_end:
        raise ValueError(f"observation_end {obs_end} is before calibration_end {cal_end}")
    return cal_end, obs_end


def summary_from_duckdb(
    con: duckdb.DuckDBPyConnection,
    calibration_end: dt.date | str,
    unit: str = "weeks",
    observation_end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Per-customer RFM summary from the view `transactions(customer_id, order_date, revenue)`.

    Customers whose first purchase is on or before `calibration_end` form the cohort. Columns:
    customer_id, first_purchase, frequency (repeat occasions in calibration), recency (t_x), T,
    monetary_value (mean net revenue of the repeat occasions, 0 without repeats), holdout_frequency
    (occasions in (calibration_end, observation_end]) and holdout_duration, times in `unit`.
    `observation_end` defaults to the last order date. The unit and dates are kept in `df.attrs`.
    """
    unit_days = _unit_days(unit)
    cal_end, obs_end = _period_bounds(con, calibration_end, observation_end)
    params = {"calibration_end": cal_end, "observation_end": obs_end, "unit_days": unit_days}
    df = con.execute(_SUMMARY_SQL, params).df()
    df["frequency"] = df["frequency"].astype("int64")
    df["holdout_frequency"] = df["holdout_frequency"].astype("int64")
    df.attrs.update(unit=unit, calibration_end=cal_end, observation_end=obs_end)
    return df


def summary_from_transactions(
    transactions: pd.DataFrame,
    calibration_end: dt.date | str,
    unit: str = "weeks",
    observation_end: dt.date | str | None = None,
) -> pd.DataFrame:
    """The same summary for a DataFrame with columns customer_id, order_date, revenue.

    Runs the SQL of `summary_from_duckdb` on an in-memory DuckDB connection, so both paths share
    one definition of a purchase occasion.
    """
    missing = {"customer_id", "order_date", "revenue"} - set(transactions.columns)
    if missing:
        raise ValueError(f"transactions lacks column(s): {', '.join(sorted(missing))}")
    con = duckdb.connect()
    try:
        con.register("transactions", transactions[["customer_id", "order_date", "revenue"]])
        return summary_from_duckdb(con, calibration_end, unit, observation_end)
    finally:
        con.close()


# --------------------------------------------------------------------------------------------------
# Maximum likelihood machinery shared by both models
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MLFit:
    params: np.ndarray
    log_likelihood: float
    std_errors: np.ndarray


def _maximise(
    neg_ll: Callable[[np.ndarray], tuple[float, np.ndarray]],
    names: Sequence[str],
    n_obs: int,
    model: str,
    degenerate_hint: str,
) -> _MLFit:
    """Maximise a log-likelihood over log-parameters; raise ModelError on failure.

    `neg_ll` returns the *mean* negative log-likelihood over `n_obs` customers and its gradient: the
    mean keeps the optimiser's tolerances independent of the number of customers.
    """
    n_params = len(names)
    x0 = np.zeros(n_params)
    bounds = [(-LOG_BOUND, LOG_BOUND)] * n_params
    res = optimize.minimize(
        neg_ll, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000, "ftol": 1e-13}
    )
    if not (res.success and np.isfinite(res.fun)):
        # L-BFGS-B can stop in a line search close to the optimum; a derivative-free polish often finishes.
        start = res.x if np.isfinite(res.fun) else x0
        res = optimize.minimize(
            lambda p: neg_ll(p)[0],
            start,
            method="Nelder-Mead",
            options={"maxiter": 20000, "xatol": 1e-9, "fatol": 1e-9},
        )
    if not (res.success and np.isfinite(res.fun)):
        raise ModelError(f"The {model} fit did not converge ({res.message}). Check the data or use more customers.")
    at_bound = [n for n, v in zip(names, res.x, strict=True) if abs(v) > LOG_BOUND - 1e-3]
    if at_bound:
        raise ModelError(
            f"The {model} fit did not converge to a usable optimum: parameter(s) {', '.join(at_bound)} "
            f"ran to an extreme value, so the data do not identify the model ({degenerate_hint})."
        )
    log_se = _log_param_std_errors(neg_ll, res.x) / np.sqrt(n_obs)  # Hessian of the total is n_obs times larger
    return _MLFit(np.exp(res.x), -float(res.fun) * n_obs, log_se)


def _log_param_std_errors(neg_ll: Callable[[np.ndarray], tuple[float, np.ndarray]], x: np.ndarray) -> np.ndarray:
    """Standard errors of the log-parameters from a central-difference Hessian of the analytic gradient."""
    h = 1e-5
    k = len(x)
    hess = np.empty((k, k))
    for j in range(k):
        step = np.zeros(k)
        step[j] = h
        hess[:, j] = (neg_ll(x + step)[1] - neg_ll(x - step)[1]) / (2 * h)
    hess = (hess + hess.T) / 2
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    diag = np.diag(cov)
    return np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)


def _parameter_table(names: Sequence[str], values: Sequence[float], log_se: Sequence[float]) -> pd.DataFrame:
    values = np.asarray(values, dtype=float)
    log_se = np.asarray(log_se, dtype=float)
    return pd.DataFrame(
        {
            "parameter": list(names),
            "estimate": values,
            "std_error": values * log_se,  # delta method: se(theta) = theta * se(log theta)
            "ci_low": values * np.exp(-Z95 * log_se),
            "ci_high": values * np.exp(Z95 * log_se),
        }
    )


def _column(summary: pd.DataFrame, name: str) -> np.ndarray:
    if name not in summary.columns:
        raise ValueError(f"summary lacks column {name!r}")
    values = summary[name].to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"summary column {name!r} has missing or infinite values")
    return values


# --------------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------------


def bgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Per-customer log of the BG/NBD likelihood, FHL (2005), evaluated in log space:

    L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    return _bgnbd_terms(np.array([r, alpha, a, b]), x, t_x, T)[0]


def _bgnbd_terms(theta: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-customer log-likelihood and its parts: L = exp(A1) * (exp(A2) + [x > 0] exp(A3))."""
    r, alpha, a, b = theta
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    # For x = 0 the second term is absent; b + x - 1 = b - 1 may be negative there, so guard it.
    b_rep = np.where(repeat, b + x - 1, 1.0)
    a3 = np.where(repeat, betaln(a + 1, b_rep) - betaln(a, b) - (r + x) * np.log(alpha + t_x), -np.inf)
    return a1 + np.logaddexp(a2, a3), a2, a3, b_rep


def _bgnbd_neg_ll(log_theta: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray):
    """Weighted negative log-likelihood per customer and its gradient in log-parameters."""
    theta = np.exp(log_theta)
    r, alpha, a, b = theta
    ll, a2, a3, b_rep = _bgnbd_terms(theta, x, t_x, T)
    # share of the "dropped out after last purchase" term in each customer's likelihood
    s = np.exp(a3 - np.logaddexp(a2, a3))
    psi_ab = digamma(a + b)
    psi_abx = digamma(a + b + x)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - (1 - s) * np.log(alpha + T) - s * np.log(alpha + t_x)
    d_alpha = r / alpha - (r + x) * ((1 - s) / (alpha + T) + s / (alpha + t_x))
    d_a = (1 - s) * (psi_ab - psi_abx) + s * (digamma(a + 1) - digamma(a) + psi_ab - psi_abx)
    d_b = (1 - s) * (digamma(b + x) - psi_abx) + s * (digamma(b_rep) - psi_abx) - digamma(b) + psi_ab
    grad = np.array([w @ d_r, w @ d_alpha, w @ d_a, w @ d_b]) * theta  # chain rule for log-parameters
    total = w.sum()
    return -float(w @ ll) / total, -grad / total


def _hyp2f1_term(r: float, alpha: float, a: float, b: float, x: np.ndarray, T: np.ndarray, t: np.ndarray):
    """((alpha+T)/(alpha+T+t))^(r+x) * 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t)), the core of eq. (10).

    Euler's transformation 2F1(p, q; c; z) = (1-z)^(c-p-q) 2F1(c-p, c-q; c; z) turns it into
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), which stays finite for large x and t where the
    literal form overflows (Fader & Hardie note 027).
    """
    one_minus_z = (alpha + T) / (alpha + T + t)
    z = t / (alpha + T + t)
    return one_minus_z ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)


@dataclass(frozen=True)
class BGNBDModel:
    """Fitted BG/NBD model; times are in `unit` (the unit of the summary it was fitted on)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int
    unit: str
    log_std_errors: tuple[float, ...] = field(default=(np.nan,) * 4, repr=False)

    def parameters(self) -> pd.DataFrame:
        """Estimates with standard errors and 95 % intervals (from the Hessian of the log-likelihood)."""
        return _parameter_table(("r", "alpha", "a", "b"), (self.r, self.alpha, self.a, self.b), self.log_std_errors)

    def expected_purchases(self, t: ArrayLike) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t], FHL (2005):

        E[X(t)] = (a+b-1)/(a-1) * (1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))).
        """
        t = np.asarray(t, dtype=float)
        zero = np.zeros_like(t)
        return self.conditional_expected_purchases(t, zero, zero, zero)

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in (T, T+t] given the history, FHL (2005) eq. (10).

        With x = t_x = T = 0 this is E[X(t)]. (The expression has a removable singularity at
        a = 1, which a fitted value never hits exactly.)
        """
        t, x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, frequency, recency, T)))
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        # eq. (10) = E[Y(t) | alive at T] * P(alive at T)
        if_alive = (a + b + x - 1) / (a - 1) * (1 - _hyp2f1_term(r, alpha, a, b, x, T, t))
        return if_alive * self.p_alive(x, t_x, T)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
        """P(alive at T | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)); 1 for x = 0.

        Customers without a repeat purchase have P(alive) = 1: in the BG/NBD a customer can only drop
        out right after a purchase.
        """
        x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (frequency, recency, T)))
        repeat = x > 0
        b_rep = np.where(repeat, self.b + x - 1, 1.0)
        # log of the odds of having dropped out, computed in logs so large x cannot overflow
        log_odds = np.log(self.a) - np.log(b_rep) + (self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + t_x))
        return np.where(repeat, 1 / (1 + np.exp(np.minimum(log_odds, 700.0))), 1.0)


def _unique_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows and their counts: customers with identical histories share one likelihood term."""
    rows, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float)


def _resolve_unit(summary: pd.DataFrame, unit: str | None) -> str:
    unit = unit or summary.attrs.get("unit")
    if unit is None:
        raise ValueError("The time unit of the summary is unknown: pass unit='weeks' or unit='days'.")
    _unit_days(unit)
    return unit


def _check_counts(n_customers: int, n_repeat: int, model: str) -> None:
    if n_customers < MIN_CUSTOMERS:
        raise ModelError(
            f"Too few customers to fit the {model} model: {n_customers} customers; at least {MIN_CUSTOMERS} are needed."
        )
    if n_repeat < MIN_REPEAT_CUSTOMERS:
        raise ModelError(
            f"Too few repeat customers to fit the {model} model: {n_repeat} customers bought more than once; "
            f"at least {MIN_REPEAT_CUSTOMERS} are needed."
        )


_BGNBD_HINT = "e.g. hardly anybody seems to drop out, or purchase rates hardly differ between customers"


def fit_bgnbd(summary: pd.DataFrame, unit: str | None = None) -> BGNBDModel:
    """Fit the BG/NBD model by maximum likelihood to columns frequency, recency, T of `summary`.

    `unit` defaults to `summary.attrs['unit']` (set by the summary functions). Raises ModelError with
    fewer than MIN_CUSTOMERS customers or MIN_REPEAT_CUSTOMERS repeat customers, or without convergence.
    """
    unit = _resolve_unit(summary, unit)
    x, t_x, T = (_column(summary, c) for c in ("frequency", "recency", "T"))
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be a non-negative whole number")
    if np.any(t_x < 0) or np.any(t_x > T + 1e-9):
        raise ValueError("recency must lie between 0 and T")
    _check_counts(len(x), int(np.count_nonzero(x > 0)), "BG/NBD")
    (ux, ut_x, uT), weights = _unique_rows(x, t_x, T)
    fit = _maximise(
        lambda p: _bgnbd_neg_ll(p, ux, ut_x, uT, weights), ("r", "alpha", "a", "b"), len(x), "BG/NBD", _BGNBD_HINT
    )
    r, alpha, a, b = (float(v) for v in fit.params)
    return BGNBDModel(r, alpha, a, b, fit.log_likelihood, len(x), unit, tuple(float(s) for s in fit.std_errors))


# --------------------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------------------


def gamma_gamma_log_likelihood(
    p: float, q: float, v: float, frequency: ArrayLike, monetary_value: ArrayLike
) -> np.ndarray:
    """Per-customer log-density of the mean repeat spend m_x over x repeat occasions (Hardie 2013):

    f(m_x | p, q, v, x) = Gamma(px+q) / (Gamma(px) Gamma(q)) * v^q m_x^(px-1) x^(px) / (v + x m_x)^(px+q).
    """
    x, m = (np.asarray(val, dtype=float) for val in (frequency, monetary_value))
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + x * m)
    )


def _gamma_gamma_neg_ll(log_theta: np.ndarray, x: np.ndarray, m: np.ndarray):
    """Mean negative log-likelihood and its gradient in log-parameters."""
    theta = np.exp(log_theta)
    p, q, v = theta
    ll = gamma_gamma_log_likelihood(p, q, v, x, m)
    psi_pxq = digamma(p * x + q)
    log_vxm = np.log(v + x * m)
    d_p = x * (psi_pxq - digamma(p * x) + np.log(m) + np.log(x) - log_vxm)
    d_q = psi_pxq - digamma(q) + np.log(v) - log_vxm
    d_v = q / v - (p * x + q) / (v + x * m)
    grad = np.array([d_p.sum(), d_q.sum(), d_v.sum()]) * theta
    n = len(x)
    return -float(ll.sum()) / n, -grad / n


@dataclass(frozen=True)
class GammaGammaModel:
    """Fitted Gamma-Gamma spend model (spend per purchase occasion)."""

    p: float
    q: float
    v: float
    log_likelihood: float
    n_customers: int
    # The model assumes spend is independent of purchase frequency; a clearly non-zero value
    # (|corr| > ~0.3) is a warning sign (Fader, Hardie & Lee 2005).
    frequency_spend_correlation: float
    log_std_errors: tuple[float, ...] = field(default=(np.nan,) * 3, repr=False)

    def parameters(self) -> pd.DataFrame:
        """Estimates with standard errors and 95 % intervals (from the Hessian of the log-likelihood)."""
        return _parameter_table(("p", "q", "v"), (self.p, self.q, self.v), self.log_std_errors)

    @property
    def mean_spend(self) -> float:
        """Population mean spend per occasion, p v / (q - 1): the expectation for a customer without repeats."""
        return self.p * self.v / (self.q - 1)

    def conditional_expected_spend(self, frequency: ArrayLike, monetary_value: ArrayLike) -> np.ndarray:
        """E[M | p, q, v, m_x, x] = p (v + x m_x) / (p x + q - 1): a weighted mean of the population
        mean spend and the customer's own mean m_x, the weight on m_x growing with x."""
        x, m = np.broadcast_arrays(*(np.asarray(val, dtype=float) for val in (frequency, monetary_value)))
        m = np.where(x > 0, m, 0.0)  # without repeats the customer's own mean carries no information
        return self.p * (self.v + x * m) / (self.p * x + self.q - 1)


_GG_HINT = "e.g. every customer spends about the same per purchase, so there is no spread to model"


def fit_gamma_gamma(summary: pd.DataFrame) -> GammaGammaModel:
    """Fit the Gamma-Gamma model by maximum likelihood on customers with frequency >= 1 and a positive
    monetary_value (mean net revenue of their repeat occasions, excluding the first purchase).

    Raises ModelError with fewer than MIN_REPEAT_CUSTOMERS such customers, without convergence, or
    when q <= 1 (then the mean spend is infinite and no CLV can be computed).
    """
    x, m = _column(summary, "frequency"), _column(summary, "monetary_value")
    use = (x > 0) & (m > 0)
    n = int(np.count_nonzero(use))
    if n < MIN_REPEAT_CUSTOMERS:
        raise ModelError(
            f"Too few repeat customers to fit the Gamma-Gamma spend model: {n} customers bought more than "
            f"once with a positive spend; at least {MIN_REPEAT_CUSTOMERS} are needed."
        )
    x, m = x[use], m[use]
    fit = _maximise(lambda p: _gamma_gamma_neg_ll(p, x, m), ("p", "q", "v"), n, "Gamma-Gamma", _GG_HINT)
    p, q, v = (float(val) for val in fit.params)
    if q <= 1:
        raise ModelError(
            f"The Gamma-Gamma fit gives q = {q:.3f} <= 1: spend is so heavy-tailed that its mean is infinite. "
            "Check the data for extreme order values."
        )
    corr = float(np.corrcoef(x, m)[0, 1]) if np.ptp(x) > 0 and np.ptp(m) > 0 else float("nan")
    return GammaGammaModel(p, q, v, fit.log_likelihood, n, corr, tuple(float(s) for s in fit.std_errors))


# --------------------------------------------------------------------------------------------------
# Customer lifetime value
# --------------------------------------------------------------------------------------------------


def customer_lifetime_value(
    summary: pd.DataFrame,
    bgnbd: BGNBDModel,
    spend: GammaGammaModel,
    horizon_months: int = 12,
    annual_discount_rate: float = 0.10,
    margin_rate: float = 1.0,
) -> pd.DataFrame:
    """Per-customer P(alive), expected purchases, expected spend and discounted value over a horizon.

    clv = margin_rate * E[M] * sum_{k=1..H} (E[Y(t_k)] - E[Y(t_{k-1})]) / (1 + annual_discount_rate)^(k/12)
    with t_k = k months (in the model's unit) after the summary's calibration end: each month's
    expected purchases are discounted to the end of that month. With margin_rate = 1 the value is revenue.
    """
    if int(horizon_months) != horizon_months or horizon_months < 1:
        raise ValueError("horizon_months must be a whole number >= 1")
    if annual_discount_rate <= -1 or margin_rate <= 0:
        raise ValueError("annual_discount_rate must be > -1 and margin_rate > 0")
    x, t_x, T = (_column(summary, c) for c in ("frequency", "recency", "T"))
    m = _column(summary, "monetary_value")
    months = np.arange(1, int(horizon_months) + 1)
    t = months * DAYS_PER_MONTH / UNIT_DAYS[bgnbd.unit]
    cumulative = bgnbd.conditional_expected_purchases(t[None, :], x[:, None], t_x[:, None], T[:, None])
    monthly = np.diff(cumulative, axis=1, prepend=0.0)
    discount = (1 + annual_discount_rate) ** (-months / 12)
    expected_spend = spend.conditional_expected_spend(x, m)
    out = pd.DataFrame(
        {
            "frequency": x.astype(int),
            "recency": t_x,
            "T": T,
            "monetary_value": m,
            "p_alive": bgnbd.p_alive(x, t_x, T),
            "expected_purchases": cumulative[:, -1],
            "expected_spend": expected_spend,
            "clv": margin_rate * expected_spend * (monthly @ discount),
        },
        index=summary.index,
    )
    if "customer_id" in summary.columns:
        out.insert(0, "customer_id", summary["customer_id"])
    return out


# --------------------------------------------------------------------------------------------------
# Holdout tracking
# --------------------------------------------------------------------------------------------------


def conditional_expectations_by_frequency(
    summary: pd.DataFrame, bgnbd: BGNBDModel, max_frequency: int = 7
) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases by calibration frequency 0..max_frequency+ (FHL 2005, Fig. 4).

    Needs the summary's holdout_frequency and holdout_duration columns. Columns: frequency (group's
    lowest x), label ("7+" for the open group), customers, actual, predicted.
    """
    x, t_x, T = (_column(summary, c) for c in ("frequency", "recency", "T"))
    actual = _column(summary, "holdout_frequency")
    duration = _column(summary, "holdout_duration")
    predicted = bgnbd.conditional_expected_purchases(duration, x, t_x, T)
    group = np.minimum(x, max_frequency).astype(int)
    table = (
        pd.DataFrame({"frequency": group, "actual": actual, "predicted": predicted})
        .groupby("frequency", as_index=False)
        .agg(customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"))
    )
    labels = table["frequency"].astype(str)
    table.insert(1, "label", labels.where(table["frequency"] < max_frequency, labels + "+"))
    return table


_TRACKING_SQL = f"""
with occasions as ({_OCCASIONS_SQL}),
cohort as (
    select customer_id, min(day) as first_purchase
    from occasions
    where day <= $calibration_end
    group by customer_id
)
select 'first' as kind, first_purchase as day, count(*) as n from cohort group by first_purchase
union all
select 'repeat', o.day, count(*) from occasions o join cohort c using (customer_id)
where o.day > c.first_purchase group by o.day
"""


def cumulative_tracking_from_duckdb(
    con: duckdb.DuckDBPyConnection,
    bgnbd: BGNBDModel,
    calibration_end: dt.date | str,
    observation_end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Cumulative actual vs expected repeat purchases of the calibration cohort per period (FHL 2005, Fig. 2).

    Periods are `bgnbd.unit` long and start on the cohort's first purchase day. The expectation sums
    E[X(t)] over customers, with t the time from each customer's first purchase to the end of
    the period (end day counted as in the summary's T). Columns: period, period_end, actual, expected,
    actual_cumulative, expected_cumulative, in_calibration.
    """
    unit_days = UNIT_DAYS[bgnbd.unit]
    cal_end, obs_end = _period_bounds(con, calibration_end, observation_end)
    counts = con.execute(_TRACKING_SQL, {"calibration_end": cal_end, "observation_end": obs_end}).df()
    firsts = counts[counts["kind"] == "first"]
    repeats = counts[counts["kind"] == "repeat"]
    if firsts.empty:
        raise ModelError(f"No customer made a first purchase on or before {cal_end}.")
    start = pd.Timestamp(firsts["day"].min())
    total_days = (pd.Timestamp(obs_end) - start).days + 1
    step = int(unit_days)
    n_periods = -(-total_days // step)
    # last day of each period (the final one is cut at observation_end), in days since start
    end_offsets = np.minimum(np.arange(1, n_periods + 1) * step, total_days) - 1
    first_offsets = (pd.to_datetime(firsts["day"]) - start).dt.days.to_numpy()
    elapsed = np.maximum(end_offsets[None, :] - first_offsets[:, None], 0) / unit_days
    expected_cum = firsts["n"].to_numpy(dtype=float) @ bgnbd.expected_purchases(elapsed)
    repeat_offsets = (pd.to_datetime(repeats["day"]) - start).dt.days.to_numpy()
    period_of_repeat = np.searchsorted(end_offsets, repeat_offsets)  # first period ending on/after the day
    actual = np.bincount(period_of_repeat, weights=repeats["n"].to_numpy(dtype=float), minlength=n_periods)
    period_end = start + pd.to_timedelta(end_offsets, unit="D")
    return pd.DataFrame(
        {
            "period": np.arange(1, n_periods + 1),
            "period_end": period_end,
            "actual": actual,
            "expected": np.diff(expected_cum, prepend=0.0),
            "actual_cumulative": np.cumsum(actual),
            "expected_cumulative": expected_cum,
            "in_calibration": period_end <= pd.Timestamp(cal_end),
        }
    )
