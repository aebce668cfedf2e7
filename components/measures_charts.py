"""Pure Plotly figure builders for the measures page: DataFrame in, Figure out (no Streamlit).

Texts come in as arguments (already translated) so the builders stay free of the page's keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import GREY, PALETTE, base_layout

TREATMENT_COLOR = PALETTE[1]
CONTROL_COLOR = GREY
COMPARISON_COLOR = PALETTE[2]
EXPECTED_COLOR = "#d5d8dc"
ROI_MARGIN = 2.0  # ROI chart: room beyond the outermost point estimates (200 percentage points)


def _error(low: pd.Series, high: pd.Series, centre: pd.Series) -> dict:
    return dict(type="data", symmetric=False, array=(high - centre).to_numpy(), arrayminus=(centre - low).to_numpy(),
                thickness=1.5, width=4)


def roi_chart(portfolio: pd.DataFrame, lang: str, x_title: str, y_title: str, instrument_labels: dict[str, str],
              weaker_label: str) -> go.Figure:
    """ROI per measure as a dot with its 95 % interval, one colour per instrument; measures evaluated
    pre/post (weaker evidence) as open dots, measures whose interval reaches below 0 paler. `portfolio` is sorted top to bottom as it should appear and
    has label, instrument, evidence, roi, roi_low, roi_high."""
    df = portfolio.dropna(subset=["roi"]).iloc[::-1].copy()
    df["proven"] = df["roi_low"] > 0
    fig = go.Figure()
    instruments = list(dict.fromkeys(df["instrument"]))
    for i, instrument in enumerate(instruments):
        for weaker in (False, True):
            part = df[(df["instrument"] == instrument) & ((df["evidence"] == "pre_post") == weaker)]
            if part.empty:
                continue
            name = instrument_labels.get(instrument, instrument) + (f" ({weaker_label})" if weaker else "")
            fig.add_scatter(
                x=part["roi"], y=part["label"], mode="markers", name=name,
                marker=dict(size=12, color="white" if weaker else PALETTE[i % len(PALETTE)],
                            line=dict(width=2, color=PALETTE[i % len(PALETTE)]), symbol="circle",
                            opacity=np.where(part["proven"], 1.0, 0.55)),
                error_x=_error(part["roi_low"], part["roi_high"], part["roi"]) | {"color": PALETTE[i % len(PALETTE)]},
                hovertemplate="%{y}: %{x:,.0%}<extra>" + name + "</extra>",
            )
    fig.add_vline(x=0, line=dict(color="#7f8c8d", dash="dash", width=1))
    base_layout(fig, lang, x_title, y_title, height=max(260, 60 * len(df) + 120))
    fig.update_layout(hovermode="closest")
    # a measure with a tiny cost has a huge ROI interval; show the points readably and let such intervals
    # run off the edge (at most ROI_MARGIN beyond the outermost point estimates)
    low = max(min(df["roi_low"].min(), -1.0), min(df["roi"].min(), 0.0) - ROI_MARGIN)
    high = min(max(df["roi_high"].max(), 1.0), max(df["roi"].max(), 0.0) + ROI_MARGIN)
    pad = 0.05 * (high - low)
    fig.update_xaxes(tickformat=",.0%", zeroline=False, range=[low - pad, high + pad])
    fig.update_yaxes(categoryorder="array", categoryarray=list(df["label"]))
    return fig


def group_means_chart(rows: pd.DataFrame, lang: str, titles: dict[str, str], units: dict[str, str],
                      group_names: tuple[str, str], x_title: str, tickformats: dict[str, str]) -> go.Figure:
    """One small bar chart per KPI: control vs treatment mean. `rows`: kpi, treatment_mean, control_mean
    in the order to show."""
    kpis = list(rows["kpi"])
    fig = make_subplots(rows=1, cols=len(kpis), subplot_titles=[titles[k] for k in kpis], horizontal_spacing=0.08)
    for col, row in enumerate(rows.itertuples(index=False), start=1):
        fmt = tickformats.get(row.kpi, ",.2f")
        fig.add_bar(x=[group_names[1], group_names[0]], y=[row.control_mean, row.treatment_mean],
                    marker_color=[CONTROL_COLOR, TREATMENT_COLOR], showlegend=False, row=1, col=col,
                    texttemplate="%{y:" + fmt + "}", textposition="outside", cliponaxis=False,
                    hovertemplate="%{x}: %{y:" + fmt + "}<extra>" + titles[row.kpi] + "</extra>")
        fig.update_yaxes(title_text=units[row.kpi], tickformat=fmt, rangemode="tozero", row=1, col=col)
        fig.update_xaxes(title_text=x_title, row=1, col=col)
    base_layout(fig, lang, x_title, "", height=360)
    for col, kpi in enumerate(kpis, start=1):
        fig.update_yaxes(title_text=units[kpi], row=1, col=col)
    fig.update_layout(hovermode="closest", margin=dict(l=10, r=10, t=40, b=10))
    return fig


def cumulative_chart(cumulative: pd.DataFrame, cost: float, payback_week: float | None, lang: str,
                     x_title: str, y_title: str, margin_name: str, cost_name: str) -> go.Figure:
    """Cumulative incremental margin by week since the start, against the measure's cost."""
    weeks = cumulative["week"] + 1
    fig = go.Figure()
    fig.add_scatter(x=weeks, y=cumulative["incremental_margin"], mode="lines+markers", name=margin_name,
                    line=dict(color=TREATMENT_COLOR, width=3), hovertemplate="%{y:,.0f} €<extra>%{x}</extra>")
    fig.add_scatter(x=[weeks.min(), weeks.max()], y=[cost, cost], mode="lines", name=cost_name,
                    line=dict(color=PALETTE[4], dash="dash"), hovertemplate="%{y:,.0f} €<extra></extra>")
    if payback_week is not None and not np.isnan(payback_week):
        reached = cumulative.loc[cumulative["week"] + 1 == payback_week, "incremental_margin"]
        fig.add_scatter(x=[payback_week], y=reached, mode="markers", showlegend=False,
                        marker=dict(size=14, color=PALETTE[3], symbol="star"), hoverinfo="skip")
    base_layout(fig, lang, x_title, y_title)
    fig.add_hline(y=0, line=dict(color="#7f8c8d", width=1))
    return fig


def forest_chart(rows: pd.DataFrame, lang: str, x_title: str, y_title: str, tickformat: str,
                 reference: float | None = None, reference_name: str | None = None,
                 muted: pd.Series | None = None) -> go.Figure:
    """Differences with their 95 % interval, one row per category (`label`, `uplift`, `ci_low`,
    `ci_high`); a dashed line at 0 and optionally at `reference` (e.g. the break-even uplift). Rows in
    `muted` (bool) are drawn grey (too few customers for an interval)."""
    df = rows.iloc[::-1].reset_index(drop=True)
    muted = (muted.iloc[::-1].reset_index(drop=True) if muted is not None
             else pd.Series(False, index=df.index))
    colors = np.where(muted, GREY, np.where(df["ci_low"] > 0, PALETTE[3], np.where(df["ci_high"] < 0, PALETTE[4],
                                                                                   TREATMENT_COLOR)))
    fig = go.Figure()
    fig.add_scatter(x=df["uplift"], y=df["label"], mode="markers", showlegend=False,
                    marker=dict(size=11, color=colors),
                    error_x=_error(df["ci_low"].fillna(df["uplift"]), df["ci_high"].fillna(df["uplift"]), df["uplift"])
                    | {"color": "#5d6d7e"},
                    hovertemplate="%{y}: %{x:" + tickformat + "}<extra></extra>")
    fig.add_vline(x=0, line=dict(color="#7f8c8d", dash="dash", width=1))
    has_reference = reference is not None and np.isfinite(reference)
    if has_reference:
        fig.add_vline(x=reference, line=dict(color=PALETTE[4], dash="dot", width=2),
                      annotation_text=reference_name, annotation_position="top right",
                      annotation_font=dict(color=PALETTE[4]))
    base_layout(fig, lang, x_title, y_title, height=max(260, 48 * len(df) + 130))
    if has_reference:
        fig.update_layout(margin=dict(t=36))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(tickformat=tickformat, zeroline=False)
    fig.update_yaxes(categoryorder="array", categoryarray=list(df["label"]))
    return fig


def before_after_chart(rows: pd.DataFrame, lang: str, titles: dict[str, str], units: dict[str, str],
                       bar_names: tuple[str, ...], x_title: str, tickformats: dict[str, str]) -> go.Figure:
    """Small bar charts per KPI with 2 or 3 bars each. `rows`: kpi plus one column per bar, named by
    `bar_names` (e.g. before, after, expected after)."""
    kpis = list(rows["kpi"])
    colors = [CONTROL_COLOR, TREATMENT_COLOR, EXPECTED_COLOR]
    fig = make_subplots(rows=1, cols=len(kpis), subplot_titles=[titles[k] for k in kpis], horizontal_spacing=0.08)
    for col, (_, row) in enumerate(rows.iterrows(), start=1):
        fmt = tickformats.get(row["kpi"], ",.2f")
        fig.add_bar(x=list(bar_names), y=[row[b] for b in bar_names], marker_color=colors[:len(bar_names)],
                    showlegend=False, row=1, col=col, texttemplate="%{y:" + fmt + "}", textposition="outside",
                    cliponaxis=False, hovertemplate="%{x}: %{y:" + fmt + "}<extra>" + titles[row["kpi"]] + "</extra>")
        fig.update_yaxes(tickformat=fmt, rangemode="tozero", row=1, col=col)
    base_layout(fig, lang, x_title, "", height=360)
    for col, kpi in enumerate(kpis, start=1):
        fig.update_yaxes(title_text=units[kpi], row=1, col=col)
        fig.update_xaxes(title_text=x_title, row=1, col=col)
    fig.update_layout(hovermode="closest", margin=dict(l=10, r=10, t=40, b=10))
    return fig


def points_chart(trend: pd.DataFrame, lang: str, names: dict[str, str], x_title: str, y_title: str,
                 y2_title: str) -> go.Figure:
    """Points issued, redeemed and expired per month (bars) and the open balance (line, right axis)."""
    fig = go.Figure()
    for column, color in (("issued", PALETTE[1]), ("redeemed", PALETTE[3]), ("expired", PALETTE[4])):
        fig.add_bar(x=trend["month"], y=trend[column], name=names[column], marker_color=color,
                    hovertemplate="%{y:,.0f}<extra>" + names[column] + "</extra>")
    fig.add_scatter(x=trend["month"], y=trend["balance"], name=names["balance"], yaxis="y2", mode="lines+markers",
                    line=dict(color=PALETTE[0], width=3), hovertemplate="%{y:,.0f}<extra>" + names["balance"] + "</extra>")
    base_layout(fig, lang, x_title, y_title)
    fig.update_layout(barmode="group", yaxis2=dict(title=dict(text=y2_title), overlaying="y", side="right",
                                                   showgrid=False, rangemode="tozero"))
    fig.update_yaxes(rangemode="tozero")
    return fig


def target_trend_chart(progress: pd.DataFrame, projection: float | None, target: float, lang: str,
                       x_title: str, y_title: str, names: dict[str, str], tickformat: str) -> go.Figure:
    """A running target: the KPI to date at each cutoff, the linear projection to the period end and the
    target line."""
    df = progress.sort_values("cutoff")
    end = pd.to_datetime(df["period_end"].iloc[0])
    fig = go.Figure()
    fig.add_scatter(x=df["cutoff"], y=df["actual"], mode="lines+markers", name=names["actual"],
                    line=dict(color=TREATMENT_COLOR, width=3), hovertemplate="%{y:" + tickformat + "}<extra></extra>")
    if projection is not None and np.isfinite(projection):
        fig.add_scatter(x=[df["cutoff"].iloc[-1], end], y=[df["actual"].iloc[-1], projection], mode="lines+markers",
                        name=names["projection"], line=dict(color=TREATMENT_COLOR, dash="dot"),
                        hovertemplate="%{y:" + tickformat + "}<extra></extra>")
    fig.add_scatter(x=[pd.to_datetime(df["period_start"].iloc[0]), end], y=[target, target], mode="lines",
                    name=names["target"], line=dict(color=PALETTE[4], dash="dash"),
                    hovertemplate="%{y:" + tickformat + "}<extra></extra>")
    base_layout(fig, lang, x_title, y_title)
    fig.update_yaxes(tickformat=tickformat)
    return fig
