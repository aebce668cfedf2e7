"""Customer value: the parameters of the ABC and RFM queries, the RFM segment naming rules and the CLV
pipeline on a DuckDB connection (built on loyalty.clv's public API).

Definitions: docs/metrics.md, section "Customer value". No Streamlit here: the page and the CLI share it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from loyalty import clv, queries
from loyalty.filters import Filters

# --------------------------------------------------------------------------------------------------
# ABC / Pareto
# --------------------------------------------------------------------------------------------------

ABC_CLASSES = ("A", "B", "C")
ABC_MEASURES = ("revenue", "margin")
DEFAULT_A_BOUND = 0.80
DEFAULT_B_BOUND = 0.95


@dataclass(frozen=True)
class AbcSettings:
    """Rank customers by `by`; A = cumulative share before the customer < a_bound, B < b_bound, C the rest."""

    by: str = "revenue"
    a_bound: float = DEFAULT_A_BOUND
    b_bound: float = DEFAULT_B_BOUND

    def __post_init__(self):
        if self.by not in ABC_MEASURES:
            raise ValueError(f"ABC measure must be one of {', '.join(ABC_MEASURES)}, not {self.by!r}")
        if not 0 < self.a_bound < self.b_bound <= 1:
            raise ValueError(f"ABC bounds must satisfy 0 < A bound < B bound <= 1 (got {self.a_bound}, {self.b_bound})")

    def params(self, filters: Filters, abc_class: str = "") -> dict:
        """Parameters of queries/abc_*.sql; `abc_class` ('' = all) selects a class in abc_customers."""
        return {**filters.params(), "by": self.by, "a_bound": self.a_bound, "b_bound": self.b_bound,
                "abc_class": abc_class}


# --------------------------------------------------------------------------------------------------
# RFM
# --------------------------------------------------------------------------------------------------

RFM_SCORES = 5
SCORE_METHODS = ("quantiles", "cut_points")
NO_PURCHASE = "no_purchase"  # migration state of a customer without an order in one of the two periods


@dataclass(frozen=True)
class RfmSegmentRule:
    code: str  # key value.rfm_<code> in loyalty/locales/value.toml
    recency: tuple[int, int]  # inclusive R score range
    frequency: tuple[int, int]  # inclusive F score range


# The R x F segment map (docs/metrics.md has it as a table). Every cell of the 5 x 5 grid belongs to
# exactly one rule (tests/queries/test_rfm_segments.py checks it). Ordered from best to worst.
RFM_SEGMENT_RULES = (
    RfmSegmentRule("champions", (5, 5), (4, 5)),
    RfmSegmentRule("loyal", (3, 4), (4, 5)),
    RfmSegmentRule("potential_loyalists", (4, 5), (2, 3)),
    RfmSegmentRule("new", (5, 5), (1, 1)),
    RfmSegmentRule("promising", (4, 4), (1, 1)),
    RfmSegmentRule("need_attention", (3, 3), (3, 3)),
    RfmSegmentRule("about_to_sleep", (3, 3), (1, 2)),
    RfmSegmentRule("cannot_lose", (1, 2), (5, 5)),
    RfmSegmentRule("at_risk", (1, 2), (3, 4)),
    RfmSegmentRule("hibernating", (1, 2), (1, 2)),
)
RFM_SEGMENTS = tuple(rule.code for rule in RFM_SEGMENT_RULES)


def rfm_segment_of(r_score: int, f_score: int) -> str:
    """The segment of one (R, F) cell; raises if the rules leave it uncovered or cover it twice."""
    matches = [rule.code for rule in RFM_SEGMENT_RULES
               if rule.recency[0] <= r_score <= rule.recency[1] and rule.frequency[0] <= f_score <= rule.frequency[1]]
    if len(matches) != 1:
        raise ValueError(f"RFM cell R={r_score}, F={f_score} matches {len(matches)} segment rules: {matches}")
    return matches[0]


def rfm_segment_grid() -> list[str]:
    """The segment of each (R, F) cell as a list of 25, index (R - 1) * 5 + F (1-based in SQL)."""
    return [rfm_segment_of(r, f) for r in range(1, RFM_SCORES + 1) for f in range(1, RFM_SCORES + 1)]


# Cut points used when the user switches from quantiles to fixed cut points (each editable in the app).
# Recency in days: <= 30 -> R5, <= 90 -> R4, <= 180 -> R3, <= 365 -> R2, else R1.
# Frequency in orders and monetary in currency: >= first value -> score 2, ..., >= fourth -> score 5.
DEFAULT_RECENCY_CUTS = (30, 90, 180, 365)
DEFAULT_FREQUENCY_CUTS = (2, 3, 5, 10)
DEFAULT_MONETARY_CUTS = (50.0, 100.0, 250.0, 500.0)


@dataclass(frozen=True)
class RfmScoring:
    """How R, F and M become scores 1-5: quantiles of the active customers (ties share the lower score)
    or fixed cut points (four ascending values per dimension)."""

    method: str = "quantiles"
    recency_cuts: tuple[float, ...] = DEFAULT_RECENCY_CUTS
    frequency_cuts: tuple[float, ...] = DEFAULT_FREQUENCY_CUTS
    monetary_cuts: tuple[float, ...] = DEFAULT_MONETARY_CUTS

    def __post_init__(self):
        if self.method not in SCORE_METHODS:
            raise ValueError(f"score method must be one of {', '.join(SCORE_METHODS)}, not {self.method!r}")
        for name in ("recency_cuts", "frequency_cuts", "monetary_cuts"):
            cuts = tuple(float(c) for c in getattr(self, name))
            if len(cuts) != RFM_SCORES - 1 or any(b <= a for a, b in zip(cuts, cuts[1:])):
                raise ValueError(f"{name} must be {RFM_SCORES - 1} strictly increasing values, got {cuts}")
            object.__setattr__(self, name, cuts)

    def params(self) -> dict:
        return {"score_method": self.method, "recency_cuts": list(self.recency_cuts),
                "frequency_cuts": list(self.frequency_cuts), "monetary_cuts": list(self.monetary_cuts),
                "segment_grid": rfm_segment_grid()}


def rfm_params(filters: Filters, scoring: RfmScoring, rfm_segment: str = "") -> dict:
    """Parameters of rfm_customers / rfm_segments / rfm_grid / rfm_score_ranges for the filter period."""
    return {**filters.params(), **scoring.params(), "rfm_segment": rfm_segment}


def rfm_migration_params(filters: Filters, scoring: RfmScoring) -> dict | None:
    """Parameters of rfm_migration: the comparison period ('previous') against the filter period
    ('current'); $start/$end span both so the shared filter CTE reads every order once. None without
    a comparison period."""
    previous = filters.compared()
    if previous is None:
        return None
    return {**filters.params(), **scoring.params(),
            "start": min(previous.start, filters.start), "end": max(previous.end, filters.end),
            "previous_start": previous.start, "previous_end": previous.end,
            "current_start": filters.start, "current_end": filters.end}


# --------------------------------------------------------------------------------------------------
# CLV (BG/NBD + Gamma-Gamma from loyalty.clv)
# --------------------------------------------------------------------------------------------------

UNITS = tuple(clv.UNIT_DAYS)
DEFAULT_UNIT = "weeks"
DEFAULT_HORIZON_MONTHS = 12
DEFAULT_DISCOUNT_RATE = 0.10
DEFAULT_HOLDOUT_MONTHS = 12
HIGH_VALUE_SHARE = 0.20  # "high value" = top 20 % of customers by value if alive
DEFAULT_P_ALIVE_THRESHOLD = 0.5


def default_calibration_end(first_date: dt.date, last_date: dt.date) -> dt.date:
    """12 months before the data end, so a year of holdout exists; with less than two years of data,
    the middle of the data range (the model needs a calibration period and the check a holdout)."""
    candidate = (pd.Timestamp(last_date) - pd.DateOffset(months=DEFAULT_HOLDOUT_MONTHS)).date()
    if candidate <= first_date + (last_date - first_date) / 2:
        candidate = first_date + (last_date - first_date) / 2
    return candidate


class ClvDataError(clv.ModelError):
    """Too few (repeat) customers in the calibration period to fit the models; `reason` is
    'too_few_customers' or 'too_few_repeat_customers', `found` and `needed` the counts (for a translated
    message)."""

    def __init__(self, reason: str, found: int, needed: int, message: str):
        super().__init__(message)
        self.reason, self.found, self.needed = reason, found, needed


def check_calibration_data(calibration: pd.DataFrame) -> None:
    """Raise ClvDataError when the calibration summary cannot support BG/NBD and Gamma-Gamma (the limits
    of loyalty.clv): fewer than clv.MIN_CUSTOMERS customers, or fewer than clv.MIN_REPEAT_CUSTOMERS
    customers with a repeat purchase of positive value."""
    customers = len(calibration)
    if customers < clv.MIN_CUSTOMERS:
        raise ClvDataError("too_few_customers", customers, clv.MIN_CUSTOMERS,
                           f"Too few customers to fit the model: {customers} bought up to the calibration end; "
                           f"at least {clv.MIN_CUSTOMERS} are needed.")
    repeat = int(((calibration["frequency"] > 0) & (calibration["monetary_value"] > 0)).sum())
    if repeat < clv.MIN_REPEAT_CUSTOMERS:
        raise ClvDataError("too_few_repeat_customers", repeat, clv.MIN_REPEAT_CUSTOMERS,
                           f"Too few repeat customers to fit the model: {repeat} bought more than once up to the "
                           f"calibration end; at least {clv.MIN_REPEAT_CUSTOMERS} are needed.")


@dataclass(frozen=True)
class ClvSettings:
    calibration_end: dt.date
    unit: str = DEFAULT_UNIT
    horizon_months: int = DEFAULT_HORIZON_MONTHS
    annual_discount_rate: float = DEFAULT_DISCOUNT_RATE
    margin_rate: float = 1.0  # share of revenue that is contribution margin; 1 = value in revenue

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if int(self.horizon_months) != self.horizon_months or self.horizon_months < 1:
            raise ValueError("the horizon must be a whole number of months >= 1")
        if not -1 < self.annual_discount_rate:
            raise ValueError("the discount rate must be above -100 %")
        if not 0 < self.margin_rate <= 1:
            raise ValueError("the margin rate must be above 0 and at most 100 %")


@dataclass(frozen=True)
class ClvResult:
    """Everything the page and the CLI show about one CLV fit."""

    settings: ClvSettings
    data_end: dt.date
    bgnbd: clv.BGNBDModel
    gamma_gamma: clv.GammaGammaModel
    calibration_customers: int
    calibration_repeat_customers: int
    tracking: pd.DataFrame = field(repr=False)  # cumulative actual vs expected repeat purchases per period
    by_frequency: pd.DataFrame = field(repr=False)  # holdout purchases per calibration frequency
    customers: pd.DataFrame = field(repr=False)  # one row per customer: forecast from the data end

    @property
    def has_holdout(self) -> bool:
        return self.data_end > self.settings.calibration_end


def data_range(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date] | None:
    row = queries.run(con, "data_range").iloc[0]
    if row["rows"] == 0:
        return None
    return pd.Timestamp(row["first_date"]).date(), pd.Timestamp(row["last_date"]).date()


def fit_clv(con: duckdb.DuckDBPyConnection, settings: ClvSettings) -> ClvResult:
    """Fit BG/NBD and Gamma-Gamma on the purchases up to the calibration end, check them on the holdout
    (calibration end .. data end), and forecast every customer's next `horizon_months` from the data
    end: the calibration parameters applied to each customer's full history (x, t_x, T at the data end).

    Raises ClvDataError (a clv.ModelError) with too few (repeat) customers, clv.ModelError when the fit
    does not converge, and ValueError when the calibration end is outside the data.
    """
    bounds = data_range(con)
    if bounds is None:
        raise clv.ModelError("There are no transactions.")
    first, last = bounds
    if not first <= settings.calibration_end < last:
        raise ValueError(f"The calibration end must lie in the data, on or after {first} and before {last}.")
    calibration = clv.summary_from_duckdb(con, settings.calibration_end, unit=settings.unit, observation_end=last)
    check_calibration_data(calibration)
    bgnbd = clv.fit_bgnbd(calibration)
    gamma_gamma = clv.fit_gamma_gamma(calibration)
    tracking = clv.cumulative_tracking_from_duckdb(con, bgnbd, settings.calibration_end, last)
    by_frequency = clv.conditional_expectations_by_frequency(calibration, bgnbd)
    full_history = clv.summary_from_duckdb(con, last, unit=settings.unit, observation_end=last)
    values = clv.customer_lifetime_value(full_history, bgnbd, gamma_gamma, settings.horizon_months,
                                         settings.annual_discount_rate, settings.margin_rate)
    return ClvResult(
        settings=settings, data_end=last, bgnbd=bgnbd, gamma_gamma=gamma_gamma,
        calibration_customers=len(calibration),
        calibration_repeat_customers=int((calibration["frequency"] > 0).sum()),
        tracking=tracking, by_frequency=by_frequency,
        customers=_with_history(values, full_history),
    )


def _with_history(values: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Add first/last purchase, value if alive and value at risk to clv.customer_lifetime_value's output.

    value_if_alive = clv / P(alive): the discounted value the customer brings if still active (the
    BG/NBD forecast is P(alive) times the forecast for an active customer); value_at_risk =
    (1 - P(alive)) * value_if_alive.
    """
    out = values.copy()
    unit_days = clv.UNIT_DAYS[summary.attrs["unit"]]
    out["first_purchase"] = pd.to_datetime(summary["first_purchase"]).dt.date
    recency_days = np.rint(summary["recency"].to_numpy(dtype=float) * unit_days).astype("int64")
    out["last_purchase"] = (pd.to_datetime(summary["first_purchase"]) + pd.to_timedelta(recency_days, unit="D")).dt.date
    out["purchases"] = out["frequency"] + 1
    p_alive = out["p_alive"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if_alive = np.where(p_alive > 0, out["clv"].to_numpy(dtype=float) / p_alive, np.nan)
    out["value_if_alive"] = if_alive
    out["value_at_risk"] = (1 - p_alive) * if_alive
    return out


def customers_with_attributes(result: ClvResult, attributes: pd.DataFrame) -> pd.DataFrame:
    """The forecast per customer joined with segment/region (`attributes` from queries/value_customers.sql);
    customers not in `attributes` (filtered out by segment/region) are dropped."""
    return result.customers.merge(attributes, on="customer_id", how="inner")


def value_by_segment(customers: pd.DataFrame) -> pd.DataFrame:
    """Per customer segment: customers, predicted value (sum, mean, share), expected purchases and mean
    P(alive). Customers without a segment form the group '' (the page labels it)."""
    grouped = (customers.assign(segment=customers["segment"].fillna(""))
               .groupby("segment", as_index=False)
               .agg(customers=("customer_id", "size"), clv=("clv", "sum"), clv_mean=("clv", "mean"),
                    expected_purchases=("expected_purchases", "sum"), p_alive_mean=("p_alive", "mean")))
    total = grouped["clv"].sum()
    grouped["clv_share"] = grouped["clv"] / total if total else np.nan
    return grouped.sort_values("clv", ascending=False, ignore_index=True)


def high_value_low_alive(customers: pd.DataFrame, p_alive_below: float = DEFAULT_P_ALIVE_THRESHOLD,
                         high_value_share: float = HIGH_VALUE_SHARE) -> pd.DataFrame:
    """Customers among the top `high_value_share` by value if alive whose P(alive) is below the threshold,
    highest value at risk first."""
    if customers.empty:
        return customers
    threshold = customers["value_if_alive"].quantile(1 - high_value_share)
    chosen = customers[(customers["value_if_alive"] >= threshold) & (customers["p_alive"] < p_alive_below)]
    return chosen.sort_values("value_at_risk", ascending=False, ignore_index=True)


def holdout_summary(result: ClvResult) -> dict:
    """Purchases of the calibration customers in the holdout (calibration end, data end]: actual, as the
    model predicted them from each customer's calibration history, and the relative deviation."""
    groups = result.by_frequency
    actual = float((groups["customers"] * groups["actual"]).sum())
    predicted = float((groups["customers"] * groups["predicted"]).sum())
    return {"start": result.settings.calibration_end + dt.timedelta(days=1), "end": result.data_end,
            "actual": actual, "predicted": predicted,
            "deviation": (predicted - actual) / actual if actual else float("nan")}


def clv_totals(customers: pd.DataFrame) -> dict:
    """Headline numbers of the forecast for the shown customers."""
    return {
        "customers": int(len(customers)),
        "clv": float(customers["clv"].sum()),
        "expected_purchases": float(customers["expected_purchases"].sum()),
        "p_alive_mean": float(customers["p_alive"].mean()) if len(customers) else float("nan"),
        "value_at_risk": float(customers["value_at_risk"].sum(skipna=True)),
    }
