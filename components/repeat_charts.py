"""Pure Plotly figure builders of the repeat purchase / cohort / churn page: DataFrame in, Figure out
(no Streamlit). Inputs are the results of the queries named in each docstring."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from components.charts import GREY, PALETTE, base_layout
from loyalty import i18n
from loyalty.retention import buckets_between, months_per_bucket

STATUS_COLORS = {"active": PALETTE[3], "at_risk": PALETTE[2], "inactive": PALETTE[4]}
PERCENT_METRICS = {"repeat_purchase_rate", "one_time_buyer_share"}


def _metric_format(metric: str) -> tuple[str, str]:
    """(axis tickformat, hover format) of a repeat metric."""
    return (".0%", ".1%") if metric in PERCENT_METRICS else (".2f", ".2f")


def align_comparison(current: pd.DataFrame, compared: pd.DataFrame | None, grain: str,
                     current_start, compared_start) -> pd.DataFrame:
    """The comparison rows moved onto the current buckets (repeat_trend rows, `period` = bucket start).

    The comparison period starts `n` buckets before the current one, so its bucket i + n lies over the
    current bucket i. Returns the compared rows with `current_label` (the current bucket they are drawn
    at); compared buckets without a current bucket are dropped.
    """
    if compared is None or compared.empty or current.empty:
        return pd.DataFrame(columns=[*(compared.columns if compared is not None else []), "current_label"])
    offset = buckets_between(compared_start, current_start, grain) * months_per_bucket(grain)
    shifted = compared.copy()
    shifted["shifted_period"] = [p + pd.DateOffset(months=offset) for p in pd.to_datetime(shifted["period"])]
    labels = dict(zip(pd.to_datetime(current["period"]), current["period_label"], strict=True))
    shifted["current_label"] = shifted["shifted_period"].map(labels)
    return shifted.dropna(subset=["current_label"])


def repeat_trend_figure(current: pd.DataFrame, compared: pd.DataFrame, metric: str, grain: str,
                        lang: str) -> go.Figure:
    """repeat_trend: one metric per bucket, the comparison period dashed (from align_comparison)."""
    name = _metric_name(metric, lang)
    axis_format, hover_format = _metric_format(metric)
    fig = go.Figure()
    fig.add_scatter(x=current["period_label"], y=current[metric], mode="lines+markers",
                    name=i18n.t("repeat.current", lang), line=dict(color=PALETTE[0], width=3),
                    customdata=current[["customers"]].to_numpy(),
                    hovertemplate=f"%{{y:{hover_format}}} (n = %{{customdata[0]:,}})<extra>%{{x}}</extra>")
    if not compared.empty:
        fig.add_scatter(x=compared["current_label"], y=compared[metric], mode="lines+markers",
                        name=i18n.t("repeat.compared", lang), line=dict(color=GREY, width=2, dash="dash"),
                        customdata=compared[["period_label", "customers"]].to_numpy(),
                        hovertemplate=f"%{{y:{hover_format}}} (n = %{{customdata[1]:,}})"
                                      "<extra>%{customdata[0]}</extra>")
    base_layout(fig, lang, i18n.t(f"repeat.grain_{grain}", lang), name)
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=axis_format, rangemode="tozero")
    return fig


def _metric_name(metric: str, lang: str) -> str:
    return i18n.t(f"repeat.col.{metric}", lang)


def split_figure(current: pd.DataFrame, compared: pd.DataFrame | None, metric: str, dimension: str,
                 lang: str) -> go.Figure:
    """repeat_by_dimension with a `label` column (translated group): bars for the period, diamonds for the
    comparison period."""
    name = _metric_name(metric, lang)
    axis_format, hover_format = _metric_format(metric)
    rows = current.sort_values(metric)
    fig = go.Figure()
    fig.add_bar(y=rows["label"], x=rows[metric], orientation="h", name=i18n.t("repeat.current", lang),
                marker_color=PALETTE[1], customdata=rows[["customers"]].to_numpy(),
                hovertemplate=f"%{{x:{hover_format}}} (n = %{{customdata[0]:,}})<extra>%{{y}}</extra>")
    if compared is not None and not compared.empty:
        matched = compared[compared["label"].isin(rows["label"])]
        fig.add_scatter(y=matched["label"], x=matched[metric], mode="markers", name=i18n.t("repeat.compared", lang),
                        marker=dict(symbol="diamond", size=12, color=PALETTE[2], line=dict(color="white", width=1)),
                        customdata=matched[["customers"]].to_numpy(),
                        hovertemplate=f"%{{x:{hover_format}}} (n = %{{customdata[0]:,}})<extra>%{{y}}</extra>")
    base_layout(fig, lang, name, i18n.t(f"repeat.dim_{dimension}", lang), height=max(260, 60 + 46 * len(rows)))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(tickformat=axis_format, rangemode="tozero")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(rows["label"]))
    return fig


def axis_end_at_share(bins: pd.DataFrame, share: float = 0.99) -> float | None:
    """The bin end up to which `share` of all gaps lie (inter_purchase_distribution rows)."""
    if bins.empty:
        return None
    total = bins["gaps"].sum()
    cumulative = bins.sort_values("bin_start")["gaps"].cumsum() / total
    position = int((cumulative < share).sum())
    ordered = bins.sort_values("bin_start")["bin_start"].tolist()
    return float(ordered[min(position, len(ordered) - 1)])


def gap_histogram(bins: pd.DataFrame, bin_days: int, median_days: float | None, p90_days: float | None,
                  lang: str) -> go.Figure:
    """inter_purchase_distribution as bars (one per bin), with the median and the 90th percentile."""
    ends = bins["bin_start"] + bin_days - 1
    hover = [i18n.t("repeat.bin_hover", lang, start=int(s), end=int(e)) for s, e in zip(bins["bin_start"], ends,
                                                                                         strict=True)]
    fig = go.Figure()
    fig.add_bar(x=bins["bin_start"] + bin_days / 2, y=bins["gaps"], width=bin_days * 0.92, marker_color=PALETTE[1],
                customdata=hover, name=i18n.t("repeat.gaps", lang),
                hovertemplate="%{customdata}: %{y:,}<extra></extra>")
    base_layout(fig, lang, i18n.t("repeat.days_axis", lang), i18n.t("repeat.gaps_axis", lang))
    fig.update_layout(hovermode="closest", showlegend=False)
    for value, key, color in ((median_days, "repeat.median_marker", PALETTE[0]),
                              (p90_days, "repeat.p90_marker", PALETTE[4])):
        if value is not None and not math.isnan(value):
            fig.add_vline(x=value, line=dict(color=color, width=2, dash="dash"),
                          annotation=dict(text=i18n.t(key, lang, days=i18n.fmt_number(value, lang)),
                                          font=dict(color=color)), annotation_position="top right")
    end = axis_end_at_share(bins)
    if end is not None:
        right = max(end + bin_days, (p90_days or 0) * 1.1, bin_days * 4)
        fig.update_xaxes(range=[0, right])
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    return fig


def segment_gap_figure(by_segment: pd.DataFrame, lang: str) -> go.Figure:
    """inter_purchase_stats rows with a `label` column: median gap (with quartile range) and median days
    to the second order per segment, as grouped horizontal bars."""
    rows = by_segment.iloc[::-1]
    fig = go.Figure()
    fig.add_bar(y=rows["label"], x=rows["median_gap_days"], orientation="h", name=i18n.t("repeat.median_gap", lang),
                marker_color=PALETTE[1],
                error_x=dict(type="data", symmetric=False, color=PALETTE[0],
                             array=(rows["p75_gap_days"] - rows["median_gap_days"]).tolist(),
                             arrayminus=(rows["median_gap_days"] - rows["p25_gap_days"]).tolist()),
                customdata=rows[["p25_gap_days", "p75_gap_days", "gaps"]].to_numpy(),
                hovertemplate="%{x:.1f} (%{customdata[0]:.0f}–%{customdata[1]:.0f}, n = %{customdata[2]:,})"
                              "<extra>%{y}</extra>")
    fig.add_bar(y=rows["label"], x=rows["median_days_to_second"], orientation="h",
                name=i18n.t("repeat.median_days_to_second", lang), marker_color=PALETTE[2],
                customdata=rows[["second_order_customers"]].to_numpy(),
                hovertemplate="%{x:.1f} (n = %{customdata[0]:,})<extra>%{y}</extra>")
    base_layout(fig, lang, i18n.t("repeat.segment_axis", lang), i18n.t("repeat.segment_label", lang),
                height=max(280, 80 + 56 * len(rows)))
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_yaxes(type="category")
    fig.update_xaxes(rangemode="tozero")
    return fig


COHORT_VALUE_COLUMNS = {"share": "share", "customers": "customers", "revenue": "revenue_share"}


def cohort_heatmap(cells: pd.DataFrame, value: str, grain: str, lang: str) -> go.Figure:
    """cohort_retention as a heatmap: one row per cohort (oldest on top), one column per period k; cells
    that are not in the result (period not ended yet) stay empty. An invisible marker on every cell
    carries the hover (with n) and makes the cell clickable (customdata = [cohort ISO date, k])."""
    column = COHORT_VALUE_COLUMNS[value]
    grid = cells.pivot(index="cohort_label", columns="period", values=column)
    labels = list(dict.fromkeys(cells.sort_values("cohort")["cohort_label"]))
    grid = grid.reindex(index=labels, columns=range(int(cells["period"].max()) + 1))
    later = cells.loc[cells["period"] > 0, column].dropna()
    top = float(later.max()) if not later.empty and later.max() > 0 else float(cells[column].max() or 1)
    percent = value != "customers"
    text_format = ".0%" if percent else ",.0f"
    fig = go.Figure()
    show_text = grid.size <= 400
    fig.add_heatmap(
        z=grid.to_numpy(dtype=float), x=list(grid.columns), y=labels, zmin=0, zmax=top,
        colorscale="Blues", hoverinfo="skip", xgap=1, ygap=1,
        texttemplate=f"%{{z:{text_format}}}" if show_text else None, textfont=dict(size=10),
        colorbar=dict(title=dict(text=i18n.t(f"repeat.colorbar_{value}", lang)),
                      tickformat=".0%" if percent else ",.0f"),
    )
    hover = "<br>".join([
        i18n.t("repeat.cell_cohort", lang) + ": %{y} · k = %{x}",
        i18n.t("repeat.cell_hover_share", lang) + ": %{customdata[2]:.1%}",
        i18n.t("repeat.cell_hover_customers", lang) + ": %{customdata[3]:,} / %{customdata[4]:,}",
        i18n.t("repeat.cell_hover_revenue_share", lang) + ": %{customdata[5]:.1%}",
    ])
    custom = cells[["cohort", "period", "share", "customers", "cohort_customers", "revenue_share"]].copy()
    custom["cohort"] = pd.to_datetime(custom["cohort"]).dt.strftime("%Y-%m-%d")
    fig.add_scatter(
        x=cells["period"], y=cells["cohort_label"], mode="markers", showlegend=False,
        customdata=custom.to_numpy(dtype=object), hovertemplate=hover + "<extra></extra>",
        marker=dict(symbol="square", size=max(8, min(28, 600 // max(len(labels), 1))), color="rgba(0,0,0,0)"),
        selected=dict(marker=dict(color="rgba(192,57,43,0.55)")), unselected=dict(marker=dict(opacity=1)),
    )
    height = min(1400, max(320, 90 + 24 * len(labels)))
    base_layout(fig, lang, i18n.t("repeat.period_axis", lang, grains=i18n.t(f"repeat.grains_{grain}", lang)),
                i18n.t("repeat.cohort_axis", lang), height=height)
    fig.update_layout(hovermode="closest", clickmode="event+select", dragmode=False)
    sizes = cells.drop_duplicates("cohort_label").set_index("cohort_label")["cohort_customers"]
    fig.update_yaxes(type="category", autorange="reversed", categoryorder="array", categoryarray=labels,
                     tickmode="array", tickvals=labels,
                     ticktext=[f"{label} (n = {i18n.fmt_number(sizes[label], lang)})" for label in labels])
    fig.update_xaxes(dtick=1 if grid.shape[1] <= 30 else None, showgrid=False, zeroline=False)
    return fig


def cohort_period_line(cells: pd.DataFrame, period: int, value: str, lang: str) -> go.Figure:
    """One period k of cohort_retention across the cohorts (cohort on x)."""
    column = COHORT_VALUE_COLUMNS[value]
    rows = cells[cells["period"] == period].sort_values("cohort")
    percent = value != "customers"
    fig = go.Figure()
    fig.add_scatter(x=rows["cohort_label"], y=rows[column], mode="lines+markers", line=dict(color=PALETTE[0], width=3),
                    customdata=rows[["customers", "cohort_customers"]].to_numpy(),
                    hovertemplate=("%{y:.1%}" if percent else "%{y:,}")
                    + " (%{customdata[0]:,} / %{customdata[1]:,})<extra>%{x}</extra>")
    base_layout(fig, lang, i18n.t("repeat.cohort_axis", lang), i18n.t(f"repeat.line_axis_{value}", lang, k=period),
                height=320)
    fig.update_layout(showlegend=False)
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=".0%" if percent else ",.0f", rangemode="tozero")
    return fig


def churn_status_figure(trend: pd.DataFrame, grain: str, lang: str) -> go.Figure:
    """churn_trend: active / at risk / inactive customers at the end of each bucket, stacked."""
    fig = go.Figure()
    for status in ("active", "at_risk", "inactive"):
        fig.add_bar(x=trend["period_label"], y=trend[status], name=i18n.t(f"repeat.status_{status}", lang),
                    marker_color=STATUS_COLORS[status], hovertemplate="%{y:,}")
    base_layout(fig, lang, i18n.t(f"repeat.grain_{grain}", lang), i18n.t("repeat.customers_axis", lang))
    fig.update_layout(barmode="stack", legend=dict(traceorder="normal"))
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=",d")
    return fig


def churn_rate_figure(trend: pd.DataFrame, grain: str, lang: str) -> go.Figure:
    """churn_trend: churn rate per bucket (line) with the number of churned customers in the hover."""
    fig = go.Figure()
    fig.add_scatter(x=trend["period_label"], y=trend["churn_rate"], mode="lines+markers",
                    name=i18n.t("repeat.churn_rate", lang), line=dict(color=PALETTE[4], width=3),
                    customdata=trend[["churned", "alive_at_start"]].to_numpy(),
                    hovertemplate="%{y:.1%} (%{customdata[0]:,} / %{customdata[1]:,})<extra></extra>")
    base_layout(fig, lang, i18n.t(f"repeat.grain_{grain}", lang), i18n.t("repeat.churn_rate", lang), height=300)
    fig.update_layout(showlegend=False)
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=".1%", rangemode="tozero")
    return fig
