"""Targets: actual vs target with traffic lights and the linear projection to the period end.

Pure part (no Streamlit): `target_status`, `project`, `target_overview` turn the rows of
queries/targets_progress.sql into one row per target. Streamlit part: `targets_table` (the status table
used on the cockpit and the measures page) and `cockpit_targets` (the cockpit section below the KPI cards).

Traffic light (docs/metrics.md#targets): green when the actual (for a running period: the projection)
reaches the target, amber when it misses it by at most `tolerance` x |target|, red otherwise. For KPIs
where lower is better (churn_rate) the comparison is reversed.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from components.context import PageContext
from loyalty import i18n

LOWER_IS_BETTER = frozenset({"churn_rate"})
PERCENT_KPIS = frozenset({"repeat_purchase_rate", "cross_buying_rate", "churn_rate"})
MONEY_KPIS = frozenset({"revenue", "avg_order_value"})
DEFAULT_TOLERANCE = 0.05
TREND_POINTS = 4  # projection: the last three month ends and the last data day
TOLERANCE_KEY = "targets_tolerance"  # shared by the cockpit and the measures page
LIGHTS = {"green": "#27ae60", "amber": "#f39c12", "red": "#c0392b", "none": "#b3b6b7"}  # traffic light colours


def target_status(actual, target, kpi, tolerance: float):
    """'green', 'amber', 'red' or 'none' (no actual) per row; arrays or scalars."""
    actual, target = np.asarray(actual, dtype=float), np.asarray(target, dtype=float)
    lower = np.isin(np.asarray(kpi, dtype=object), list(LOWER_IS_BETTER))
    gap = np.where(lower, target - actual, actual - target)
    allowed = tolerance * np.abs(target)
    status = np.where(gap >= 0, "green", np.where(gap >= -allowed, "amber", "red"))
    return np.where(np.isnan(actual) | np.isnan(target), "none", status)


def project(progress: pd.DataFrame, points: int | None = None) -> pd.Series:
    """Linear projection of running targets to their period end, per target_id.

    Least squares of the KPI to date on the days elapsed (cutoff - period_start + 1), over the last
    `points` cutoffs of the target (default TREND_POINTS: the recent trend, since rates to date bend over
    a period), evaluated at the period length. Needs >= 2 cutoffs; otherwise NaN.
    """
    points = points or TREND_POINTS
    df = progress.dropna(subset=["actual"]).sort_values("cutoff").groupby("target_id").tail(points).copy()
    if df.empty:
        return pd.Series(dtype=float)
    df["x"] = (pd.to_datetime(df["cutoff"]) - pd.to_datetime(df["period_start"])).dt.days + 1
    df["y"] = df["actual"].astype(float)
    grouped = df.groupby("target_id")
    n = grouped["x"].transform("count")
    df["dx"] = df["x"] - grouped["x"].transform("mean")
    df["dy"] = df["y"] - grouped["y"].transform("mean")
    df["sxy"], df["sxx"] = df["dx"] * df["dy"], df["dx"] ** 2
    fit = df[n >= 2].groupby("target_id").agg(sxy=("sxy", "sum"), sxx=("sxx", "sum"), x=("x", "mean"),
                                               y=("y", "mean"), start=("period_start", "first"),
                                               end=("period_end", "first"))
    length = (pd.to_datetime(fit["end"]) - pd.to_datetime(fit["start"])).dt.days + 1
    slope = fit["sxy"] / fit["sxx"].where(fit["sxx"] > 0)
    return fit["y"] + slope * (length - fit["x"])


def target_overview(progress: pd.DataFrame, as_of: date, tolerance: float) -> pd.DataFrame:
    """One row per target with actual (to date), projection, state and status.

    state: 'finished' (period_end <= as_of) or 'running'. For running targets the status uses the
    projection (when there is one). deviation = compared value - target (in the KPI's unit).
    """
    columns = ["target_id", "kpi", "segment", "period_start", "period_end", "target", "actual", "cutoff",
               "projection", "state", "compared", "deviation", "status"]
    if progress.empty:
        return pd.DataFrame(columns=columns)
    latest = progress.sort_values("cutoff").groupby("target_id").tail(1).set_index("target_id")
    as_of_ts = pd.Timestamp(as_of)
    latest["state"] = np.where(pd.to_datetime(latest["period_end"]) <= as_of_ts, "finished", "running")
    projection = project(progress[progress["target_id"].isin(latest.index[latest["state"] == "running"])])
    latest["projection"] = projection.reindex(latest.index)
    latest["compared"] = np.where(latest["state"] == "running", latest["projection"], latest["actual"])
    latest["deviation"] = latest["compared"] - latest["target"]
    latest["status"] = target_status(latest["compared"], latest["target"], latest["kpi"], tolerance)
    return latest.reset_index()[columns].sort_values(["period_start", "period_end", "kpi", "segment"],
                                                     na_position="first")


def format_deviation(value, kpi: str, lang: str) -> str:
    """A deviation from the target with its sign (percentage points for rates)."""
    if value is None or pd.isna(value):
        return "–"
    if kpi in PERCENT_KPIS:
        return i18n.fmt_points(value, lang)
    text = format_kpi_value(value, kpi, lang)
    return f"+{text}" if value > 0 else text


def format_kpi_value(value, kpi: str, lang: str) -> str:
    if kpi in PERCENT_KPIS:
        return i18n.fmt_percent(value, lang, 1)
    if kpi in MONEY_KPIS:
        return i18n.fmt_money(value, lang, 2 if kpi == "avg_order_value" else 0)
    if kpi in ("nps",):
        return i18n.fmt_number(value, lang, 1)
    if kpi in ("csat", "orders_per_customer"):
        return i18n.fmt_number(value, lang, 2)
    return i18n.fmt_number(value, lang, 0)


# ----------------------------------------------------------------------------- Streamlit
def tolerance_input(ctx: PageContext, key: str) -> float:
    """The amber band in percent of the target; the value is shared by every page in the session."""
    current = st.session_state.get(TOLERANCE_KEY, DEFAULT_TOLERANCE)
    percent = st.slider(ctx.t("targets.tolerance"), min_value=0, max_value=25, value=int(round(current * 100)),
                        step=1, format="%d %%", key=key, help=ctx.t("targets.tolerance_help"))
    st.session_state[TOLERANCE_KEY] = percent / 100
    return percent / 100


def display_frame(overview: pd.DataFrame, ctx: PageContext) -> pd.DataFrame:
    """The overview with formatted, translated cells (values of different KPIs share a column)."""
    lang, t = ctx.lang, ctx.t
    rows = overview.copy()
    status_text = {s: t(f"targets.status_{s}") for s in LIGHTS}
    out = pd.DataFrame({
        t("targets.col_status"): rows["status"].map(status_text),
        t("targets.col_kpi"): rows["kpi"].map(lambda k: t(f"kpi.{k}")),
        t("targets.col_segment"): rows["segment"].fillna(t("targets.all_customers")),
        t("targets.col_period"): [f"{i18n.fmt_date(a, lang)} – {i18n.fmt_date(b, lang)}"
                                  for a, b in zip(rows["period_start"], rows["period_end"])],
        t("targets.col_target"): [format_kpi_value(v, k, lang) for v, k in zip(rows["target"], rows["kpi"])],
        t("targets.col_actual"): [format_kpi_value(v, k, lang) for v, k in zip(rows["actual"], rows["kpi"])],
        t("targets.col_projection"): [format_kpi_value(v, k, lang) if s == "running" else "–"
                                      for v, k, s in zip(rows["projection"], rows["kpi"], rows["state"])],
        t("targets.col_deviation"): [format_deviation(v, k, lang) for v, k in zip(rows["deviation"], rows["kpi"])],
        t("targets.col_state"): rows["state"].map(lambda s: t(f"targets.state_{s}")),
    })
    return out


def targets_table(overview: pd.DataFrame, ctx: PageContext, name: str, key: str) -> None:
    """The status table, newest periods first, the status cell coloured as a traffic light, with downloads."""
    from components.downloads import download_buttons
    from components.ui import safe_filename

    ordered = overview.sort_values(["period_end", "period_start", "kpi"], ascending=[False, False, True])
    shown = display_frame(ordered, ctx)
    if not (ordered["state"] == "running").any():  # projections exist only for running periods
        shown = shown.drop(columns=[ctx.t("targets.col_projection")])
    colours = dict(zip(shown[ctx.t("targets.col_status")], ordered["status"].map(LIGHTS)))
    styled = shown.style.map(lambda v: f"background-color: {colours.get(v, LIGHTS['none'])}; color: white",
                             subset=[ctx.t("targets.col_status")])
    st.dataframe(styled, width="stretch", hide_index=True, key=key)
    download_buttons(shown, ctx, safe_filename(name), key=key)


def load_overview(tolerance: float, containing: date | None = None) -> tuple[pd.DataFrame, date | None]:
    """The targets (all, or those whose period contains `containing`) with their status, as of the last day
    with data."""
    from components import data  # late: importing components.data fixes the workspace settings
    rng = data.query("data_range").iloc[0]
    if rng["rows"] == 0:
        return pd.DataFrame(), None
    as_of = pd.Timestamp(rng["last_date"]).date()
    progress = data.query("targets_progress", as_of=as_of, containing=containing)
    return target_overview(progress, as_of, tolerance), as_of


def cockpit_targets(ctx: PageContext) -> None:
    """Cockpit section: the targets whose period contains the selected period's end, for all customers and
    the segments selected in the sidebar, with traffic lights."""
    st.subheader(ctx.t("targets.cockpit_title"))
    if not ctx.snapshot.has("targets"):
        st.info(ctx.t("targets.none_defined"))
        return
    with st.popover(ctx.t("targets.tolerance"), icon=":material/traffic:"):
        tolerance = tolerance_input(ctx, "cockpit_targets_tolerance")
    overview, as_of = load_overview(tolerance, containing=ctx.filters.end)
    end = pd.Timestamp(ctx.filters.end)
    shown = overview[(pd.to_datetime(overview["period_start"]) <= end) & (pd.to_datetime(overview["period_end"]) >= end)]
    segments = set(ctx.filters.segments)
    shown = shown[shown["segment"].isna() | shown["segment"].isin(segments)]
    if shown.empty:
        st.info(ctx.t("targets.none_for_period", date=i18n.fmt_date(ctx.filters.end, ctx.lang)))
        return
    targets_table(shown, ctx, "targets", key="cockpit_targets_table")
    st.caption(ctx.t("targets.caption", tolerance=i18n.fmt_percent(tolerance, ctx.lang, 0),
                     as_of=i18n.fmt_date(as_of, ctx.lang)))
