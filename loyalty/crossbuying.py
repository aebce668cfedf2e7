"""Cross-buying figures from the breadth profile (queries/crossbuying_breadth.sql).

The query returns a few dozen rows (customers per number of counted categories, overall and per customer
attribute) in one pass over the period's lines; the rate, categories per customer, the distribution, the
breadth groups and the rate per customer attribute are sums over those rows. Computing them here instead of
in one query each saves a pass over millions of rows per figure. Definitions: docs/metrics.md#cross-buying.
"""

from __future__ import annotations

import math

import pandas as pd

CUSTOMER_DIMENSIONS = ("segment", "region", "loyalty_member")  # the profile's dimensions besides 'all'
BREADTH_CAP = 3  # the breadth groups are 1, 2 and "3 or more" categories


def _rows(profile: pd.DataFrame, dimension: str = "all") -> pd.DataFrame:
    return profile[profile["dimension"] == dimension]


def _buyers(profile: pd.DataFrame, dimension: str = "all") -> pd.DataFrame:
    """The category buyers' rows (>= 1 counted category) of one dimension."""
    rows = _rows(profile, dimension)
    return rows[rows["categories"] >= 1]


def _weighted_median(values: pd.Series, weights: pd.Series) -> float:
    """Median of `values` repeated `weights` times (the mean of the two middle values for an even count)."""
    total = int(weights.sum())
    if total == 0:
        return math.nan
    order = values.sort_values().index
    cumulative = weights.loc[order].cumsum()
    sorted_values = values.loc[order]

    def at(position: int) -> float:  # 0-based position in the expanded list
        return float(sorted_values[cumulative > position].iloc[0])

    return (at((total - 1) // 2) + at(total // 2)) / 2


def summary(profile: pd.DataFrame) -> pd.Series:
    """The cross-buying KPIs of the period: active customers, category buyers (>= 1 counted category), cross
    buyers (>= 2), cross_buying_rate = cross buyers / category buyers, categories_per_customer (mean over
    category buyers) and its median, lines and lines_without_category. Rate, mean and median are NaN when
    there is no category buyer."""
    rows = _rows(profile)
    buyers = _buyers(profile)
    category_buyers = int(buyers["customers"].sum())
    cross_buyers = int(buyers.loc[buyers["categories"] >= 2, "customers"].sum())
    return pd.Series({
        "active_customers": int(rows["customers"].sum()),
        "category_buyers": category_buyers,
        "cross_buyers": cross_buyers,
        "cross_buying_rate": cross_buyers / category_buyers if category_buyers else math.nan,
        "categories_per_customer": (buyers["categories"] * buyers["customers"]).sum() / category_buyers
        if category_buyers else math.nan,
        "median_categories_per_customer": _weighted_median(buyers["categories"], buyers["customers"]),
        "lines": int(rows["lines"].sum()),
        "lines_without_category": int(rows["lines_without_category"].sum()),
    })


def distribution(profile: pd.DataFrame) -> pd.DataFrame:
    """Category buyers per number of counted categories (1, 2, 3, ...) and their share of all category
    buyers."""
    rows = _buyers(profile)
    result = pd.DataFrame({"categories": rows["categories"].astype("int64"),
                           "customers": rows["customers"].astype("int64")})
    result["share"] = result["customers"] / result["customers"].sum()
    return result.sort_values("categories").reset_index(drop=True)


def breadth(profile: pd.DataFrame, cap: int = BREADTH_CAP) -> pd.DataFrame:
    """Category buyers grouped by 1, 2, ..., `cap` or more counted categories, with each group's share,
    repeat purchase rate (>= 2 orders), orders per customer and revenue per customer."""
    rows = _buyers(profile)
    grouped = (rows.assign(breadth=rows["categories"].clip(upper=cap).astype("int64"))
               .groupby("breadth", as_index=False)[["customers", "repeat_customers", "orders", "revenue"]].sum())
    return pd.DataFrame({
        "breadth": grouped["breadth"],
        "customers": grouped["customers"].astype("int64"),
        "share": grouped["customers"] / grouped["customers"].sum(),
        "repeat_purchase_rate": grouped["repeat_customers"] / grouped["customers"],
        "orders_per_customer": grouped["orders"] / grouped["customers"],
        "revenue_per_customer": grouped["revenue"] / grouped["customers"],
    })


def by_customer_group(profile: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """The rate per value of a customer attribute (each customer in one group): category buyers, cross
    buyers, cross_buying_rate and mean categories per group, highest rate first. group_value is None where
    the attribute is empty. Channel and store are order attributes: queries/crossbuying_by_group.sql."""
    if dimension not in CUSTOMER_DIMENSIONS:
        raise ValueError(f"not a customer attribute: {dimension}")
    rows = _buyers(profile, dimension)
    weighted = rows.assign(cross=rows["customers"].where(rows["categories"] >= 2, 0),
                           category_sum=rows["categories"] * rows["customers"])
    grouped = weighted.groupby("group_value", dropna=False, as_index=False)[
        ["customers", "cross", "category_sum"]].sum()
    result = pd.DataFrame({
        "group_value": grouped["group_value"].astype(object).where(grouped["group_value"].notna(), None),
        "category_buyers": grouped["customers"].astype("int64"),
        "cross_buyers": grouped["cross"].astype("int64"),
        "cross_buying_rate": grouped["cross"] / grouped["customers"],
        "categories_per_customer": grouped["category_sum"] / grouped["customers"],
    })
    return result.sort_values(["cross_buying_rate", "group_value"], ascending=[False, True],
                              na_position="last").reset_index(drop=True)
