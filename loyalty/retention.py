"""Core rules of the repeat purchase / cohort / churn area that are not SQL: the option lists, the churn
thresholds derived from the inter-purchase distribution, and the parameters the churn queries take.

Definitions: docs/metrics.md, section "Repeat purchase, cohorts and churn".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from loyalty.filters import Filters

COHORT_GRAINS = ("month", "quarter", "week")
TREND_GRAINS = ("month", "quarter")
RETENTION_MODES = ("bracketed", "unbounded")
SPLIT_DIMENSIONS = ("segment", "region", "channel", "loyalty_member")

# The churn thresholds are percentiles of the inter-purchase time (days between consecutive orders):
# inactive after the 90th percentile, at risk after the 75th.
INACTIVE_PERCENTILE_COLUMN = "p90_gap_days"
AT_RISK_PERCENTILE_COLUMN = "p75_gap_days"
THRESHOLD_BASIS_MONTHS = 12


class ThresholdUnavailable(ValueError):
    """There are no repeat purchases to derive a churn threshold from, and none was given."""


@dataclass(frozen=True)
class ChurnThresholds:
    at_risk_after_days: int  # more days since the last order than this: at risk
    inactive_after_days: int  # more days since the last order than this: inactive
    basis_gaps: int  # number of inter-purchase gaps the defaults were derived from (0 = none)
    derived_at_risk_days: int | None  # the data-derived defaults, shown next to manual values
    derived_inactive_days: int | None

    def params(self) -> dict:
        return {"at_risk_after_days": self.at_risk_after_days, "inactive_after_days": self.inactive_after_days}


def shift_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day (31 Mar - 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def threshold_basis(filters: Filters, as_of: date) -> Filters:
    """The filters whose inter-purchase gaps define the default thresholds: the same dimensions, over the
    12 months up to and including the as-of date (so the page and the CLI agree for one as-of date)."""
    start = shift_months(as_of, -THRESHOLD_BASIS_MONTHS) + timedelta(days=1)
    return replace(filters, start=start, end=as_of, comparison="no_comparison")


def _whole_days(value) -> int | None:
    """A percentile in days as the whole-day threshold with the same meaning: for whole days d,
    d > floor(p) is the same as d > p."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return int(math.floor(float(value)))


def total_row(stats: pd.DataFrame) -> pd.Series | None:
    """The is_total row of queries/inter_purchase_stats.sql (None when the frame is empty)."""
    rows = stats[stats["is_total"]] if not stats.empty else stats
    return None if rows.empty else rows.iloc[0]


def derive_thresholds(stats: pd.DataFrame, at_risk_after_days: int | None = None,
                      inactive_after_days: int | None = None) -> ChurnThresholds:
    """Thresholds from inter_purchase_stats (its total row), overridden by explicit values.

    at risk after = floor(75th percentile), inactive after = floor(90th percentile) of the gaps. The at-risk
    bound never exceeds the inactive bound (a manual threshold below it leaves no at-risk window).
    """
    row = total_row(stats)
    gaps = int(row["gaps"]) if row is not None else 0
    derived_at_risk = _whole_days(row[AT_RISK_PERCENTILE_COLUMN]) if row is not None and gaps else None
    derived_inactive = _whole_days(row[INACTIVE_PERCENTILE_COLUMN]) if row is not None and gaps else None
    inactive = inactive_after_days if inactive_after_days is not None else derived_inactive
    at_risk = at_risk_after_days if at_risk_after_days is not None else derived_at_risk
    if inactive is None or at_risk is None:
        raise ThresholdUnavailable("no customer ordered twice in the 12 months before the as-of date, so the "
                                   "churn thresholds cannot be derived; set them explicitly")
    if inactive < 0 or at_risk < 0:
        raise ValueError("churn thresholds must be zero or more days")
    return ChurnThresholds(at_risk_after_days=min(at_risk, inactive), inactive_after_days=inactive,
                           basis_gaps=gaps, derived_at_risk_days=derived_at_risk,
                           derived_inactive_days=derived_inactive)


def churn_params(filters: Filters, as_of: date, thresholds: ChurnThresholds) -> dict:
    """Parameters of churn_status.sql and churn_at_risk_customers.sql."""
    return {**filters.params(), "as_of": as_of, **thresholds.params()}


def buckets_between(first: date, second: date, grain: str) -> int:
    """How many `grain` buckets (month/quarter) the bucket of `second` lies after the bucket of `first`."""
    months = (second.year - first.year) * 12 + second.month - first.month
    if grain == "quarter":
        return ((second.month - 1) // 3 - (first.month - 1) // 3) + (second.year - first.year) * 4
    return months


def months_per_bucket(grain: str) -> int:
    return 3 if grain == "quarter" else 1


def bucket_start(day: date, grain: str) -> date:
    """First day of the month / quarter / ISO week (Monday) that contains `day` (as DuckDB's date_trunc)."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def cut_cohorts(start: date, end: date, grain: str) -> list[date]:
    """Cohort buckets that the period [start, end] covers only partly (their first day is before `start` or
    their last day after `end`): they hold only the customers whose first order lies in the period."""
    cut = []
    if bucket_start(start, grain) != start:
        cut.append(bucket_start(start, grain))
    if bucket_start(end + timedelta(days=1), grain) != end + timedelta(days=1):
        last = bucket_start(end, grain)
        if last not in cut:
            cut.append(last)
    return cut
