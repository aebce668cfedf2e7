"""Plotly figure builders of the customer value page (ABC/Pareto, RFM, CLV): DataFrame in, Figure out.

Texts come from loyalty/locales/value.toml; every figure labels both axes and uses the language's
number separators (components.charts.base_layout).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import GREY, PALETTE, base_layout, date_axis
from loyalty import i18n
from loyalty.customer_value import ABC_CLASSES, NO_PURCHASE, RFM_SEGMENTS, rfm_segment_of

CLASS_COLORS = {"A": PALETTE[0], "B": PALETTE[1], "C": GREY}
# segment colours from good (green/blue) to bad (red/grey), in the order of RFM_SEGMENTS
SEGMENT_COLORS = dict(zip(RFM_SEGMENTS, ["#1e8449", "#27ae60", "#2e86c1", "#7d3c98", "#af7ac5", "#f5b041",
                                         "#e67e22", "#922b21", "#e74c3c", "#95a5a6"]))


def rfm_segment_name(code: str, lang: str) -> str:
    if code == NO_PURCHASE:
        return i18n.t("value.rfm_no_purchase", lang)
    return i18n.t(f"value.rfm_{code}", lang)


def pareto_chart(curve: pd.DataFrame, lang: str, measure: str, a_bound: float, b_bound: float) -> go.Figure:
    """Cumulative share of `measure` (y) against the share of customers ranked highest first (x), one filled
    area per ABC class, with dotted lines at the class bounds."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    measure_label = t(f"value.measure_text_{measure}")
    fig = go.Figure()
    for abc_class in ABC_CLASSES:
        # each class's part of the curve starts where the previous class ended, so the areas touch
        part = curve[curve["abc_class"] == abc_class]
        if part.empty:
            continue
        before = curve[curve["value_rank"] < part["value_rank"].min()].tail(1)
        part = pd.concat([before, part])
        fig.add_scatter(
            x=part["customer_share"], y=part["value_share"], mode="lines", fill="tozeroy",
            name=t("value.abc_class_name", abc_class=abc_class), line=dict(color=CLASS_COLORS[abc_class], width=2),
            hovertemplate=t("value.pareto_hover", measure=measure_label) + "<extra>" + abc_class + "</extra>",
        )
    for bound in (a_bound, b_bound):
        fig.add_hline(y=bound, line=dict(color="#555", dash="dot", width=1))
    base_layout(fig, lang, t("value.pareto_x"), t("value.pareto_y", measure=measure_label))
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    fig.update_layout(hovermode="closest")
    return fig


def abc_segment_chart(by_segment: pd.DataFrame, lang: str, measure: str) -> go.Figure:
    """Per customer segment, the share of its customers in class A, B and C (stacked horizontal bars)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    fig = go.Figure()
    for abc_class in ABC_CLASSES:
        part = by_segment[by_segment["abc_class"] == abc_class]
        fig.add_bar(
            y=part["segment_label"], x=part["customer_share"], orientation="h",
            name=t("value.abc_class_name", abc_class=abc_class), marker_color=CLASS_COLORS[abc_class],
            customdata=part[["customers", "value_share"]],
            hovertemplate=t("value.abc_segment_hover", measure=t(f"value.measure_text_{measure}")) + "<extra>"
            + abc_class + "</extra>",
        )
    base_layout(fig, lang, t("value.share_of_customers"), t("kpi.segment"),
                height=max(220, 70 + 45 * by_segment["segment_label"].nunique()))
    fig.update_layout(barmode="stack", hovermode="closest", legend=dict(traceorder="normal"))
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return fig


def rfm_map_chart(grid: pd.DataFrame, lang: str) -> go.Figure:
    """The R x F segment map: one square per score pair, filled with its segment's colour and labelled with
    the number of customers in it; the legend names the segments."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    cells = {(int(r), int(f)): (int(n), float(m)) for r, f, n, m in
             grid[["r_score", "f_score", "customers", "avg_monetary"]].itertuples(index=False)}
    scores = range(1, 6)
    fig = go.Figure()
    for r in scores:
        for f in scores:
            fig.add_shape(type="rect", x0=f - 0.5, x1=f + 0.5, y0=r - 0.5, y1=r + 0.5, layer="below",
                          fillcolor=SEGMENT_COLORS[rfm_segment_of(r, f)], line=dict(color="white", width=2))
    for code in RFM_SEGMENTS:  # legend entries
        fig.add_scatter(x=[None], y=[None], mode="markers", name=rfm_segment_name(code, lang),
                        marker=dict(symbol="square", size=12, color=SEGMENT_COLORS[code]))
    centers = [(r, f) for r in scores for f in scores]
    fig.add_scatter(
        x=[f for _, f in centers], y=[r for r, _ in centers], mode="text", showlegend=False,
        text=[i18n.fmt_number(cells.get(c, (0, 0))[0], lang) for c in centers], textfont=dict(color="white", size=13),
        customdata=[[rfm_segment_name(rfm_segment_of(*c), lang), cells.get(c, (0, float("nan")))[1]] for c in centers],
        hovertemplate=t("value.rfm_map_hover") + "<extra></extra>",
    )
    base_layout(fig, lang, t("value.f_score_axis"), t("value.r_score_axis"), height=430)
    fig.update_xaxes(tickvals=list(scores), range=[0.5, 5.5], showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(tickvals=list(scores), range=[0.5, 5.5], showgrid=False, zeroline=False, scaleanchor="x",
                     constrain="domain")
    fig.update_layout(hovermode="closest", legend=dict(orientation="v", x=1.02, y=1, yanchor="top"))
    return fig


def rfm_segment_chart(segments: pd.DataFrame, lang: str) -> go.Figure:
    """Share of customers and share of revenue per RFM segment (horizontal grouped bars)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    order = [code for code in RFM_SEGMENTS if code in set(segments["rfm_segment"])]
    df = segments.set_index("rfm_segment").loc[order]
    names = [rfm_segment_name(code, lang) for code in order]
    details = df[["customers", "avg_recency_days", "avg_frequency", "avg_monetary"]].to_numpy()
    hover = "%{y}: %{x:.1%}<br>" + t("value.rfm_segment_hover") + "<extra>%{fullData.name}</extra>"
    fig = go.Figure()
    fig.add_bar(y=names, x=df["customer_share"], orientation="h", name=t("value.share_of_customers"),
                marker_color=PALETTE[1], customdata=details, hovertemplate=hover)
    fig.add_bar(y=names, x=df["revenue_share"], orientation="h", name=t("value.share_of_revenue"),
                marker_color=PALETTE[2], customdata=details, hovertemplate=hover)
    base_layout(fig, lang, t("value.share_axis"), t("value.rfm_segment_axis"), height=80 + 38 * len(order))
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    return fig


def migration_chart(migration: pd.DataFrame, lang: str) -> go.Figure:
    """Heatmap of customers moving from the previous period's segment (rows) to the current one (columns);
    colour = share of the row, text = number of customers."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    order = [*RFM_SEGMENTS, NO_PURCHASE]
    matrix = (migration.pivot_table(index="previous_segment", columns="current_segment", values="customers",
                                    aggfunc="sum", fill_value=0)
              .reindex(index=order, columns=order, fill_value=0))
    matrix = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
    row_share = matrix.div(matrix.sum(axis=1), axis=0)
    rows = [rfm_segment_name(c, lang) for c in matrix.index]
    cols = [rfm_segment_name(c, lang) for c in matrix.columns]
    text = [[i18n.fmt_number(v, lang) if v else "" for v in row] for row in matrix.to_numpy()]
    fig = go.Figure(go.Heatmap(
        z=row_share.to_numpy(), x=cols, y=rows, text=text, texttemplate="%{text}", customdata=matrix.to_numpy(),
        colorscale="Blues", zmin=0, zmax=1, colorbar=dict(title=dict(text=t("value.migration_colorbar")), tickformat=".0%"),
        hovertemplate=t("value.migration_hover") + "<extra></extra>",
    ))
    base_layout(fig, lang, t("value.migration_x"), t("value.migration_y"), height=140 + 34 * len(rows))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(tickangle=-35, side="bottom")
    fig.update_yaxes(autorange="reversed")
    return fig


def tracking_chart(tracking: pd.DataFrame, lang: str, calibration_end) -> go.Figure:
    """Cumulative repeat purchases of the calibration customers: actual against the BG/NBD expectation, with
    the end of the calibration period marked; to its right the model was not fitted (holdout)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    fig = go.Figure()
    fig.add_scatter(x=tracking["period_end"], y=tracking["actual_cumulative"], mode="lines", name=t("value.actual"),
                    line=dict(color=PALETTE[0], width=3), hovertemplate="%{y:,.0f}<extra>" + t("value.actual") + "</extra>")
    fig.add_scatter(x=tracking["period_end"], y=tracking["expected_cumulative"], mode="lines", name=t("value.model"),
                    line=dict(color=PALETTE[2], width=3, dash="dash"),
                    hovertemplate="%{y:,.0f}<extra>" + t("value.model") + "</extra>")
    end = pd.Timestamp(calibration_end)
    fig.add_shape(type="line", x0=end, x1=end, y0=0, y1=1, yref="paper", line=dict(color="#555", dash="dot"))
    fig.add_annotation(x=end, y=1, yref="paper", text=t("value.calibration_end_marker"), showarrow=False,
                       xanchor="right", yanchor="top", font=dict(size=11, color="#555"))
    base_layout(fig, lang, t("value.tracking_x"), t("value.tracking_y"))
    fig.update_yaxes(rangemode="tozero")
    return date_axis(fig, lang, "day")


def holdout_frequency_chart(by_frequency: pd.DataFrame, lang: str) -> go.Figure:
    """Mean purchases per customer in the holdout period, actual vs predicted, by purchases in calibration."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    fig = go.Figure()
    fig.add_bar(x=by_frequency["label"], y=by_frequency["actual"], name=t("value.actual"), marker_color=PALETTE[0],
                customdata=by_frequency[["customers"]],
                hovertemplate=t("value.holdout_hover") + "<extra>" + t("value.actual") + "</extra>")
    fig.add_scatter(x=by_frequency["label"], y=by_frequency["predicted"], name=t("value.model"), mode="lines+markers",
                    line=dict(color=PALETTE[2], width=3), customdata=by_frequency[["customers"]],
                    hovertemplate=t("value.holdout_hover") + "<extra>" + t("value.model") + "</extra>")
    base_layout(fig, lang, t("value.holdout_x"), t("value.holdout_y"))
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="x unified")
    return fig


def value_by_segment_chart(by_segment: pd.DataFrame, lang: str) -> go.Figure:
    """Predicted value per customer segment (bars) and mean P(alive) (diamonds, right axis)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    fig = go.Figure()
    fig.add_bar(x=by_segment["segment_label"], y=by_segment["clv"], name=t("value.predicted_value") + " (€)",
                marker_color=PALETTE[0], customdata=by_segment[["customers", "clv_mean"]],
                hovertemplate=t("value.value_segment_hover") + "<extra></extra>")
    fig.add_scatter(x=by_segment["segment_label"], y=by_segment["p_alive_mean"], name=t("value.p_alive_mean"),
                    mode="markers", yaxis="y2", marker=dict(symbol="diamond", size=13, color=PALETTE[2]),
                    hovertemplate="%{y:.1%}<extra>" + t("value.p_alive_mean") + "</extra>")
    base_layout(fig, lang, t("kpi.segment"), t("value.predicted_value") + " (€)")
    fig.update_layout(hovermode="closest", yaxis2=dict(title=dict(text=t("value.p_alive_mean")), overlaying="y",
                                                     side="right", range=[0, 1], dtick=0.25, tickformat=".0%",
                                                     showgrid=False))
    return fig
