"""Confidence intervals and significance tests for shares and scores (pure functions, no I/O).

Every function takes scalars or array-likes (numpy arrays, pandas Series) of equal length and works
element-wise, so a whole table of groups is handled in one call. Scalar inputs give Python floats.
Undefined results (no answers, n = 0) are NaN, never an exception.

Definitions (docs/metrics.md, "Satisfaction"):
- NPS = 100 * (p_P - p_D) with p_P = promoters / n, p_D = detractors / n. Its standard error follows
  from the variance of the difference of two shares of one multinomial sample:
  Var(p_P - p_D) = (p_P + p_D - (p_P - p_D)^2) / n, so se = 100 * sqrt(that) in NPS points.
  The interval nps +- z * se is clipped to the possible range -100..100.
- Wilson score interval for a share (e.g. CSAT top-2-box), which stays inside 0..1 and behaves at small
  n and shares near 0 or 1.
- A change between two independent samples (two periods) is significant when the two-sided z-test of the
  difference with both variances, z = (b - a) / sqrt(se_a^2 + se_b^2), gives p < 1 - confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

CONFIDENCE = 0.95


def z_value(confidence: float = CONFIDENCE) -> float:
    """Two-sided standard normal quantile: 1.95996... for 95 %."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _arrays(*values):
    return [np.asarray(v, dtype=float) for v in values]


def _out(value):
    """0-d arrays back to Python floats, arrays stay arrays."""
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def _share(count, n):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, count / np.where(n > 0, n, 1), np.nan)


# --- NPS -------------------------------------------------------------------------------------------

def nps_score(promoters, detractors, n):
    """Net Promoter Score in points (-100..100); NaN without answers."""
    promoters, detractors, n = _arrays(promoters, detractors, n)
    return _out(100 * (_share(promoters, n) - _share(detractors, n)))


def nps_standard_error(promoters, detractors, n):
    """Standard error of the NPS in points: 100 * sqrt((p_P + p_D - (p_P - p_D)^2) / n)."""
    promoters, detractors, n = _arrays(promoters, detractors, n)
    p_p, p_d = _share(promoters, n), _share(detractors, n)
    variance = np.maximum(p_p + p_d - (p_p - p_d) ** 2, 0.0)  # >= 0 in exact arithmetic
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(100 * np.sqrt(variance / np.where(n > 0, n, np.nan)))


def nps_interval(promoters, detractors, n, confidence: float = CONFIDENCE):
    """(nps, low, high) in points; the interval is nps +- z * se, clipped to -100..100."""
    nps = np.asarray(nps_score(promoters, detractors, n), dtype=float)
    half = z_value(confidence) * np.asarray(nps_standard_error(promoters, detractors, n), dtype=float)
    return _out(nps), _out(np.clip(nps - half, -100, 100)), _out(np.clip(nps + half, -100, 100))


# --- shares ----------------------------------------------------------------------------------------

def proportion_standard_error(successes, n):
    """sqrt(p * (1 - p) / n), the (unpooled) standard error of a share."""
    successes, n = _arrays(successes, n)
    p = _share(successes, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(np.sqrt(p * (1 - p) / np.where(n > 0, n, np.nan)))


def wilson_interval(successes, n, confidence: float = CONFIDENCE):
    """(share, low, high) with the Wilson score interval:
    centre = (p + z^2 / 2n) / (1 + z^2 / n), half width = z * sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2 / n)."""
    successes, n = _arrays(successes, n)
    z = z_value(confidence)
    p = _share(successes, n)
    safe_n = np.where(n > 0, n, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = 1 + z**2 / safe_n
        centre = (p + z**2 / (2 * safe_n)) / denominator
        half = z * np.sqrt(p * (1 - p) / safe_n + z**2 / (4 * safe_n**2)) / denominator
    low = np.where(p == 0, 0.0, np.clip(centre - half, 0, 1))  # exact bounds at 0 % and 100 %
    high = np.where(p == 1, 1.0, np.clip(centre + half, 0, 1))
    return _out(p), _out(np.where(np.isnan(p), np.nan, low)), _out(np.where(np.isnan(p), np.nan, high))


# --- change between two independent samples -----------------------------------------------------

@dataclass(frozen=True)
class DifferenceTest:
    """Two-sided z-test of `after - before` for two independent estimates."""

    difference: object  # after - before
    standard_error: object  # sqrt(se_before^2 + se_after^2)
    z: object
    p_value: object
    significant: object  # bool or bool array: p_value < 1 - confidence


def difference_test(before, se_before, after, se_after, confidence: float = CONFIDENCE) -> DifferenceTest:
    """z-test of the difference of two independent estimates with their own standard errors.

    Both standard errors zero and a difference: |z| is infinite and the change counts as significant
    (both samples are without any spread); no difference is never significant. NaN inputs give NaN and
    not significant.
    """
    before, se_before, after, se_after = _arrays(before, se_before, after, se_after)
    difference = after - before
    se = np.sqrt(se_before**2 + se_after**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, difference / np.where(se > 0, se, 1.0),
                     np.where(difference == 0, 0.0, np.sign(difference) * np.inf))
    z = np.where(np.isnan(difference) | np.isnan(se), np.nan, z)
    p_value = 2 * (1 - _normal_cdf(np.abs(z)))
    significant = ~np.isnan(p_value) & (p_value < 1 - confidence)
    bool_out = bool(significant) if np.ndim(significant) == 0 else significant
    return DifferenceTest(_out(difference), _out(se), _out(z), _out(p_value), bool_out)


def _normal_cdf(x):
    from scipy.special import ndtr  # vectorised standard normal CDF; inf -> 1, nan -> nan

    return ndtr(x)


def nps_change_test(before: tuple, after: tuple, confidence: float = CONFIDENCE) -> DifferenceTest:
    """Change of the NPS (in points) between two periods; `before`/`after` = (promoters, detractors, n)."""
    return difference_test(nps_score(*before), nps_standard_error(*before),
                           nps_score(*after), nps_standard_error(*after), confidence)


def share_change_test(before: tuple, after: tuple, confidence: float = CONFIDENCE) -> DifferenceTest:
    """Change of a share between two periods with unpooled variances; `before`/`after` = (successes, n)."""
    s_before, n_before = _arrays(*before)
    s_after, n_after = _arrays(*after)
    return difference_test(_share(s_before, n_before), proportion_standard_error(s_before, n_before),
                           _share(s_after, n_after), proportion_standard_error(s_after, n_after), confidence)
