"""Statistics of loyalty measures: uplift against a control group with 95 % intervals, ROI, break-even,
what-if rollout. Pure functions (numpy/scipy/pandas, no Streamlit, no database).

The SQL files (queries/measure_*.sql, member_*.sql) aggregate customers to per-group statistics
(n, mean, sample variance); everything here works on those few rows, vectorised.

- Means (orders, revenue, margin per customer): Welch's interval for the difference of two means,
  diff ± t(df) · sqrt(s1²/n1 + s2²/n2) with the Welch-Satterthwaite df.
- Rates (share of customers with ≥ 2 orders, complaints, churn): Newcombe's hybrid score interval
  (method 10 of Newcombe 1998) from two Wilson score intervals.
- Paired before/after differences: one-sample t interval of the mean difference.
- Stratified differences (pre/post against matched non-participants): weighted sum of per-stratum
  differences, variance Σ w² (s1²/n1 + s2²/n2), Satterthwaite df.
Definitions and formulas: docs/metrics.md, section "Measures".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95
# outcome KPIs of a measure, per customer of a group, over the measure window (docs/metrics.md)
OUTCOME_KPIS = ("repeat_purchase_rate", "orders_per_customer", "revenue_per_customer", "margin_per_customer")
RATE_KPIS = frozenset({"repeat_purchase_rate"})
MONEY_KPIS = frozenset({"revenue_per_customer", "margin_per_customer"})
DEFAULT_FOLLOW_UP_DAYS = 90
DEFAULT_MARGIN_RATE = 0.30
ABC_BOUNDS = (0.80, 0.95)  # A: customers before whom the cumulative revenue share is < 80 %, B: < 95 %
MIN_STRATUM_MATCHES = 10  # pre/post: non-participants a stratum needs to be matched within its segment


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _arr(value) -> np.ndarray:
    return np.asarray(value, dtype=float)


# ----------------------------------------------------------------------------- intervals
def welch_ci(mean1, var1, n1, mean2, var2, n2, level: float = LEVEL):
    """Difference mean1 - mean2 with Welch's interval. Arrays or scalars; returns (diff, low, high, df).

    n < 2 in a group gives NaN bounds (no variance); two groups without any spread give a zero-width
    interval at the difference.
    """
    mean1, var1, n1, mean2, var2, n2 = map(_arr, (mean1, var1, n1, mean2, var2, n2))
    diff = mean1 - mean2
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = var1 / n1, var2 / n2
        se2 = a + b
        df = se2**2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
        valid = (n1 >= 2) & (n2 >= 2)
        df = np.where(valid & (se2 == 0), np.inf, df)
        t = stats.t.ppf(0.5 + level / 2, np.where(valid, df, np.nan))
        half = np.where(se2 == 0, 0.0, t * np.sqrt(se2))
    half = np.where(valid, half, np.nan)
    return diff, diff - half, diff + half, np.where(valid, df, np.nan)


def wilson_ci(successes, n, level: float = LEVEL):
    """Wilson score interval of a proportion x/n (no continuity correction); returns (low, high)."""
    x, n = _arr(successes), _arr(n)
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    ok = n > 0
    return np.where(ok, centre - half, np.nan), np.where(ok, centre + half, np.nan)


def newcombe_ci(x1, n1, x2, n2, level: float = LEVEL):
    """Difference of proportions x1/n1 - x2/n2 with Newcombe's hybrid score interval (method 10).

    low = d - sqrt((p1 - l1)² + (u2 - p2)²), high = d + sqrt((u1 - p1)² + (p2 - l2)²), where (l, u) are
    the Wilson intervals of the two proportions. Returns (diff, low, high).
    """
    x1, n1, x2, n2 = map(_arr, (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_ci(x1, n1, level)
    l2, u2 = wilson_ci(x2, n2, level)
    diff = p1 - p2
    low = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, low, high


def paired_ci(mean_diff, var_diff, n, level: float = LEVEL):
    """Mean of paired differences with the one-sample t interval; returns (low, high)."""
    mean_diff, var_diff, n = map(_arr, (mean_diff, var_diff, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.where(n >= 2, n - 1, np.nan))
        half = t * np.sqrt(var_diff / n)
    return mean_diff - half, mean_diff + half


# ----------------------------------------------------------------------------- tables
def _wide(stats_long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Long per-group rows (keys, assigned_group, kpi, n, mean, variance) -> one row per (keys, kpi)."""
    wide = (stats_long.set_index(keys + ["kpi", "assigned_group"])[["n", "mean", "variance"]]
            .unstack("assigned_group"))
    wide.columns = [f"{group}_{stat}" for stat, group in wide.columns]
    for group in ("treatment", "control"):
        for stat in ("n", "mean", "variance"):
            if f"{group}_{stat}" not in wide:
                wide[f"{group}_{stat}"] = np.nan
    wide = wide.reset_index()
    wide[["treatment_n", "control_n"]] = wide[["treatment_n", "control_n"]].fillna(0)
    return wide


def window_rows(stats_long: pd.DataFrame) -> pd.DataFrame:
    """The statistics over the whole window (queries/measure_group_stats.sql also has weekly rows)."""
    return stats_long[stats_long["week"].isna()] if "week" in stats_long else stats_long


def weekly_margins(group_stats: pd.DataFrame) -> pd.DataFrame:
    """measure_id, assigned_group, week, margin (the group's margin in that week of the window): the weekly
    rows of queries/measure_group_stats.sql, in the shape cumulative_incremental_margin takes."""
    if "week" not in group_stats:
        return pd.DataFrame(columns=["measure_id", "assigned_group", "week", "margin"])
    weekly = group_stats[group_stats["week"].notna() & (group_stats["kpi"] == "margin_per_customer")]
    return pd.DataFrame({"measure_id": weekly["measure_id"], "assigned_group": weekly["assigned_group"],
                         "week": weekly["week"].astype("int64"), "margin": weekly["total"]}).reset_index(drop=True)


def uplift_table(stats_long: pd.DataFrame, keys: list[str] | tuple[str, ...] = ("measure_id",),
                 level: float = LEVEL, rate_kpis=RATE_KPIS) -> pd.DataFrame:
    """Uplift = treatment - control per (keys, kpi) with its interval.

    `stats_long` has one row per (keys, assigned_group, kpi) with n, mean and variance (the shape of
    queries/measure_group_stats.sql). Rates (`rate_kpis`, mean = share) use Newcombe, means Welch.
    Columns: keys, kpi, treatment_n, control_n, treatment_mean, control_mean, uplift, ci_low, ci_high,
    relative_uplift (uplift / control mean), method. Without a control group the uplift is NaN.
    """
    keys = list(keys)
    columns = keys + ["kpi", "treatment_n", "control_n", "treatment_mean", "control_mean", "uplift", "ci_low",
                      "ci_high", "relative_uplift", "method"]
    stats_long = window_rows(stats_long)
    if stats_long.empty:
        return pd.DataFrame(columns=columns)
    wide = _wide(stats_long, keys)
    rate = wide["kpi"].isin(rate_kpis).to_numpy()
    w_diff, w_low, w_high, _ = welch_ci(wide["treatment_mean"], wide["treatment_variance"], wide["treatment_n"],
                                        wide["control_mean"], wide["control_variance"], wide["control_n"], level)
    x1 = np.round(wide["treatment_mean"].fillna(0) * wide["treatment_n"])
    x2 = np.round(wide["control_mean"].fillna(0) * wide["control_n"])
    n_diff, n_low, n_high = newcombe_ci(x1, wide["treatment_n"], x2, wide["control_n"], level)
    wide["uplift"] = np.where(rate, n_diff, w_diff)
    wide["ci_low"] = np.where(rate, n_low, w_low)
    wide["ci_high"] = np.where(rate, n_high, w_high)
    empty = (wide["control_n"].to_numpy() == 0) | (wide["treatment_n"].to_numpy() == 0)
    wide.loc[empty, ["uplift", "ci_low", "ci_high"]] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        wide["relative_uplift"] = np.where(wide["control_mean"] > 0, wide["uplift"] / wide["control_mean"], np.nan)
    wide["method"] = np.where(rate, "newcombe", "welch")
    return wide[columns]


def difference_table(stats_long: pd.DataFrame, keys: list[str], group_col: str, first: str, second: str,
                     rate_kpis=RATE_KPIS, level: float = LEVEL) -> pd.DataFrame:
    """uplift_table for any two groups (e.g. members vs non-members): `first` - `second` per (keys, kpi);
    the treatment/control columns are named after the groups and the uplift is called difference."""
    two = stats_long[stats_long[group_col].isin([first, second])].copy()
    two["assigned_group"] = two[group_col].map({first: "treatment", second: "control"})
    if group_col != "assigned_group":
        two = two.drop(columns=[group_col])
    table = uplift_table(two, keys, level, rate_kpis)
    return table.rename(columns={"treatment_n": f"{first}_n", "control_n": f"{second}_n",
                                 "treatment_mean": f"{first}_mean", "control_mean": f"{second}_mean",
                                 "uplift": "difference", "relative_uplift": "relative_difference"})


def measure_cost(fixed_cost, cost_per_participant, participants):
    """Total cost = fixed cost + cost per participant x participants (missing costs count as 0)."""
    fixed = np.nan_to_num(_arr(fixed_cost))
    variable = np.nan_to_num(_arr(cost_per_participant))
    return fixed + variable * _arr(participants)


def roi(incremental_margin, cost):
    """(incremental margin - cost) / cost; NaN where there is no cost."""
    incremental_margin, cost = _arr(incremental_margin), _arr(cost)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cost > 0, (incremental_margin - cost) / cost, np.nan)


def break_even_uplift(cost, participants):
    """Margin uplift per participant at which the measure pays for itself: cost / participants."""
    cost, participants = _arr(cost), _arr(participants)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(participants > 0, cost / participants, np.nan)


def economics(uplifts: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Per measure: participants, control, cost, incremental revenue and margin with intervals, ROI with
    interval, break-even margin uplift per participant.

    `uplifts` comes from uplift_table (keys measure_id); `measures` has measure_id, fixed_cost,
    cost_per_participant. Incremental X = uplift of X per customer x treatment participants; the ROI
    interval is the margin interval mapped through (m - cost) / cost (a linear, increasing map).
    """
    columns = ["measure_id", "participants", "control", "cost", "incremental_revenue", "incremental_revenue_low",
               "incremental_revenue_high", "incremental_margin", "incremental_margin_low",
               "incremental_margin_high", "roi", "roi_low", "roi_high", "break_even_uplift", "margin_uplift",
               "margin_uplift_low", "margin_uplift_high"]
    if uplifts.empty:
        return pd.DataFrame(columns=columns)
    by_kpi = uplifts.set_index(["measure_id", "kpi"])
    margin = by_kpi.xs("margin_per_customer", level="kpi")
    revenue = by_kpi.xs("revenue_per_customer", level="kpi")
    out = pd.DataFrame({"measure_id": margin.index})
    out["participants"] = margin["treatment_n"].to_numpy()
    out["control"] = margin["control_n"].to_numpy()
    costs = out[["measure_id"]].merge(measures[["measure_id", "fixed_cost", "cost_per_participant"]]
                                      .drop_duplicates("measure_id"), on="measure_id", how="left")
    out["cost"] = measure_cost(costs["fixed_cost"], costs["cost_per_participant"], out["participants"])
    n = out["participants"].to_numpy()
    for name, frame in (("revenue", revenue.reindex(margin.index)), ("margin", margin)):
        out[f"incremental_{name}"] = frame["uplift"].to_numpy() * n
        out[f"incremental_{name}_low"] = frame["ci_low"].to_numpy() * n
        out[f"incremental_{name}_high"] = frame["ci_high"].to_numpy() * n
    out["margin_uplift"] = margin["uplift"].to_numpy()
    out["margin_uplift_low"] = margin["ci_low"].to_numpy()
    out["margin_uplift_high"] = margin["ci_high"].to_numpy()
    out["roi"] = roi(out["incremental_margin"], out["cost"])
    out["roi_low"] = roi(out["incremental_margin_low"], out["cost"])
    out["roi_high"] = roi(out["incremental_margin_high"], out["cost"])
    out["break_even_uplift"] = break_even_uplift(out["cost"], out["participants"])
    return out[columns]


def rollout(uplift: float, ci_low: float, ci_high: float, customers: float, fixed_cost: float,
            cost_per_participant: float) -> dict:
    """What-if: expected incremental margin and ROI of rolling a measure out to `customers` customers,
    from a measured margin uplift per customer (with its interval) and the cost structure."""
    cost = float(measure_cost(fixed_cost, cost_per_participant, customers))
    margins = [u * customers for u in (uplift, ci_low, ci_high)]
    rois = [float(roi(m, cost)) for m in margins]
    return {
        "customers": customers, "cost": cost,
        "incremental_margin": margins[0], "incremental_margin_low": margins[1],
        "incremental_margin_high": margins[2],
        "roi": rois[0], "roi_low": rois[1], "roi_high": rois[2],
        "break_even_uplift": float(break_even_uplift(cost, customers)),
    }


def cumulative_incremental_margin(weekly: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Cumulative incremental margin by week since the window start, per measure.

    `weekly`: measure_id, assigned_group, week, margin (sum over the group's customers in that week);
    `participants`: measure_id, treatment_n, control_n. Incremental margin up to week k =
    (cumulative margin of treatment / treatment_n - cumulative margin of control / control_n) x treatment_n.
    """
    if weekly.empty:
        return pd.DataFrame(columns=["measure_id", "week", "incremental_margin"])
    wide = weekly.pivot_table(index=["measure_id", "week"], columns="assigned_group", values="margin",
                              aggfunc="sum", fill_value=0.0)
    for group in ("treatment", "control"):
        if group not in wide:
            wide[group] = 0.0
    measures = wide.index.get_level_values("measure_id").unique()
    full = pd.MultiIndex.from_tuples(
        [(m, w) for m in measures for w in range(int(wide.loc[m].index.max()) + 1)], names=["measure_id", "week"])
    wide = wide.reindex(full, fill_value=0.0)[["treatment", "control"]].groupby(level="measure_id").cumsum()
    wide = wide.reset_index().merge(participants, on="measure_id", how="inner")
    wide = wide[(wide["treatment_n"] > 0) & (wide["control_n"] > 0)]
    wide["incremental_margin"] = (wide["treatment"] / wide["treatment_n"]
                                  - wide["control"] / wide["control_n"]) * wide["treatment_n"]
    return wide[["measure_id", "week", "incremental_margin"]].reset_index(drop=True)


def payback_weeks(cumulative: pd.DataFrame, costs: pd.Series) -> pd.Series:
    """First week (counting from 1) in which the cumulative incremental margin reaches the cost; NaN if
    it never does within the observed window. `costs` is indexed by measure_id."""
    merged = cumulative.merge(costs.rename("cost").rename_axis("measure_id").reset_index(), on="measure_id")
    reached = merged[merged["incremental_margin"] >= merged["cost"]]
    first = reached.groupby("measure_id")["week"].min() + 1
    return first.reindex(costs.index)


def stratified_did(strata: pd.DataFrame, keys: list[str] | tuple[str, ...] = ("measure_id", "kpi"),
                   level: float = LEVEL) -> pd.DataFrame:
    """Pre/post effect of participants against matched non-participants, weighted by the participants'
    strata (the shape of queries/measure_prepost.sql: per stratum p_/c_ n, mean_pre, mean_post, var_pre,
    var_post, cov).

    Per stratum the comparison customers' relative change r = c_post / c_pre is applied to the
    participants' level before: expected = p_pre x r, effect = p_post - expected (where c_pre = 0 the
    absolute change is used instead: expected = p_pre + c_post - c_pre). Variance by the delta method:
    (p_var_post + r² p_var_pre - 2 r p_cov) / p_n + p_pre² (c_var_post + r² c_var_pre - 2 r c_cov) /
    (c_n c_pre²). Strata are weighted by their share w of the matched participants; the interval uses
    t with Satterthwaite df. Columns: keys, participants, unmatched, comparison, matched_in_segment,
    p_pre, p_post, c_pre, c_post, expected, effect, ci_low, ci_high, relative_effect.
    """
    keys = list(keys)
    out_cols = keys + ["participants", "unmatched", "comparison", "matched_in_segment", "p_pre", "p_post", "c_pre",
                       "c_post", "expected", "effect", "ci_low", "ci_high", "relative_effect"]
    if strata.empty:
        return pd.DataFrame(columns=out_cols)
    data = strata.copy()
    data["is_matched"] = (data["c_n"] > 0) & (data["p_n"] > 0)
    data["unmatched_n"] = np.where(data["is_matched"], 0, data["p_n"])
    data["segment_n"] = np.where(data["match_level"] == "segment_and_activity", data["p_n"], 0)
    for prefix in ("p", "c"):
        for col in ("var_pre", "var_post", "cov"):
            data[f"{prefix}_{col}"] = data[f"{prefix}_{col}"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_ok = data["c_mean_pre"] > 0
        r = np.where(ratio_ok, data["c_mean_post"] / data["c_mean_pre"], 1.0)
        data["expected_s"] = np.where(ratio_ok, data["p_mean_pre"] * r,
                                      data["p_mean_pre"] + data["c_mean_post"] - data["c_mean_pre"])
        data["effect_s"] = data["p_mean_post"] - data["expected_s"]
        var_part = (data["p_var_post"] + r**2 * data["p_var_pre"] - 2 * r * data["p_cov"]) / data["p_n"]
        c_change_var = (data["c_var_post"] + r**2 * data["c_var_pre"] - 2 * r * data["c_cov"]) / data["c_n"]
        var_comp = np.where(ratio_ok, data["p_mean_pre"] ** 2 * c_change_var / data["c_mean_pre"] ** 2, c_change_var)
    data["var_part"] = np.clip(var_part, 0, None)
    data["var_comp"] = np.clip(var_comp, 0, None)
    totals = data.groupby(keys).agg(unmatched=("unmatched_n", "sum"), segment_n=("segment_n", "sum"))
    matched = data[data["is_matched"]].copy()
    matched["w"] = matched["p_n"] / matched.groupby(keys)["p_n"].transform("sum")
    a = matched["w"] ** 2 * matched["var_part"]
    b = matched["w"] ** 2 * matched["var_comp"]
    matched["se2"] = a + b
    with np.errstate(divide="ignore", invalid="ignore"):
        matched["dfden"] = np.where(a > 0, a**2 / (matched["p_n"] - 1), 0.0) + \
            np.where(b > 0, b**2 / (matched["c_n"] - 1), 0.0)
    for col, source in (("p_pre", "p_mean_pre"), ("p_post", "p_mean_post"), ("c_pre", "c_mean_pre"),
                        ("c_post", "c_mean_post"), ("expected", "expected_s"), ("effect", "effect_s")):
        matched[col] = matched["w"] * matched[source]
    agg = matched.groupby(keys).agg(
        participants=("p_n", "sum"), comparison=("c_n", "sum"), p_pre=("p_pre", "sum"), p_post=("p_post", "sum"),
        c_pre=("c_pre", "sum"), c_post=("c_post", "sum"), expected=("expected", "sum"), effect=("effect", "sum"),
        se2=("se2", "sum"), dfden=("dfden", "sum"),
    )
    agg = totals.join(agg, how="left").reset_index()
    agg["participants"] = agg["participants"].fillna(0)
    agg["comparison"] = agg["comparison"].fillna(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        agg["matched_in_segment"] = agg["segment_n"] / (agg["participants"] + agg["unmatched"])
        df = np.where(agg["dfden"] > 0, agg["se2"] ** 2 / agg["dfden"], np.inf)
        t = stats.t.ppf(0.5 + level / 2, df)
        half = np.where(agg["se2"] > 0, t * np.sqrt(agg["se2"]), 0.0)
        agg["relative_effect"] = np.where(agg["expected"] > 0, agg["effect"] / agg["expected"], np.nan)
    agg["ci_low"] = agg["effect"] - half
    agg["ci_high"] = agg["effect"] + half
    return agg[out_cols]


def portfolio_table(register: pd.DataFrame, group_stats: pd.DataFrame, prepost_strata: pd.DataFrame) -> pd.DataFrame:
    """All measures side by side: evidence, participants, cost, incremental margin and ROI with their
    intervals, payback (weeks), break-even margin uplift per participant.

    evidence: 'control_group' (treatment vs control, queries/measure_group_stats.sql), 'pre_post'
    (no control group: stratified_did on queries/measure_prepost.sql, weaker evidence) or 'none'
    (no participants in the data window). For pre/post measures the incremental margin is the margin
    effect per participant x treatment participants; payback needs a control group.
    """
    columns = ["measure_id", "name", "instrument", "evidence", "participants", "control", "cost",
               "incremental_margin", "incremental_margin_low", "incremental_margin_high", "roi", "roi_low",
               "roi_high", "payback_weeks", "break_even_uplift", "margin_uplift", "margin_uplift_low",
               "margin_uplift_high"]
    if register.empty:
        return pd.DataFrame(columns=columns)
    uplifts = uplift_table(group_stats)
    econ = economics(uplifts, register)
    controlled = econ[econ["control"] > 0].copy()
    controlled["evidence"] = "control_group"
    sizes = econ[["measure_id", "participants", "control"]]
    did = stratified_did(prepost_strata)
    did_margin = did[did["kpi"] == "margin_per_customer"][["measure_id", "effect", "ci_low", "ci_high"]]
    prepost = sizes[sizes["control"] == 0].merge(did_margin, on="measure_id", how="inner")
    prepost = prepost.merge(register[["measure_id", "fixed_cost", "cost_per_participant"]]
                            .drop_duplicates("measure_id"), on="measure_id", how="left")
    prepost["cost"] = measure_cost(prepost["fixed_cost"], prepost["cost_per_participant"], prepost["participants"])
    prepost["margin_uplift"] = prepost["effect"]
    prepost["margin_uplift_low"] = prepost["ci_low"]
    prepost["margin_uplift_high"] = prepost["ci_high"]
    for suffix, source in (("", "effect"), ("_low", "ci_low"), ("_high", "ci_high")):
        prepost[f"incremental_margin{suffix}"] = prepost[source] * prepost["participants"]
        prepost[f"roi{suffix}"] = roi(prepost[f"incremental_margin{suffix}"], prepost["cost"])
    prepost["break_even_uplift"] = break_even_uplift(prepost["cost"], prepost["participants"])
    prepost["evidence"] = "pre_post"
    participants = uplifts[uplifts["kpi"] == "margin_per_customer"][["measure_id", "treatment_n", "control_n"]]
    cumulative = cumulative_incremental_margin(weekly_margins(group_stats), participants)
    payback = payback_weeks(cumulative, controlled.set_index("measure_id")["cost"])
    controlled["payback_weeks"] = controlled["measure_id"].map(payback)
    frames = [f for f in (controlled, prepost) if not f.empty]
    evaluated = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["measure_id"])
    out = register[["measure_id", "name", "instrument", "participants", "control", "cost"]].merge(
        evaluated.drop(columns=[c for c in ("participants", "control", "cost") if c in evaluated]),
        on="measure_id", how="left")
    # cost and participants of evaluated measures as used in the evaluation (participants in the data window)
    used = evaluated.set_index("measure_id") if not evaluated.empty else None
    if used is not None:
        for col in ("participants", "control", "cost"):
            out[col] = out["measure_id"].map(used[col]).fillna(out[col])
    out["evidence"] = out["evidence"].fillna("none")
    for col in columns:
        if col not in out:
            out[col] = np.nan
    return out[columns]
