"""Pure Plotly figure builders shared by pages: DataFrame in, Figure out (no Streamlit)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from loyalty import i18n

PALETTE = ["#1f4e79", "#2e86c1", "#f39c12", "#27ae60", "#c0392b", "#8e44ad", "#16a085", "#7f8c8d"]
GREY = "#b3b6b7"


def base_layout(fig: go.Figure, lang: str, x_title: str, y_title: str, title: str | None = None,
                height: int = 380) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        separators=",." if lang == "de" else ".,",
        template="plotly_white",
        colorway=PALETTE,
        hovermode="x unified",
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def date_axis(fig: go.Figure, lang: str, grain: str = "month") -> go.Figure:
    """Month labels that read right in both languages (Plotly's month names are English only)."""
    formats = {"month": ("%m.%Y", "%b %Y"), "quarter": ("%m.%Y", "%b %Y"), "week": ("%d.%m.%Y", "%Y-%m-%d"),
               "day": ("%d.%m.%Y", "%Y-%m-%d")}
    german, english = formats.get(grain, formats["month"])
    fig.update_xaxes(tickformat=german if lang == "de" else english,
                     hoverformat=german if lang == "de" else english)
    return fig


def trend_chart(df: pd.DataFrame, lang: str) -> go.Figure:
    """Revenue per period as bars (left axis) and active customers as a line (right axis)."""
    revenue, customers = i18n.t("kpi.revenue", lang), i18n.t("kpi.active_customers", lang)
    fig = go.Figure()
    fig.add_bar(x=df["period"], y=df["revenue"], name=f"{revenue} (€)", marker_color=PALETTE[1],
                hovertemplate="%{y:,.0f} €<extra>" + revenue + "</extra>")
    fig.add_scatter(x=df["period"], y=df["active_customers"], name=customers, yaxis="y2", mode="lines+markers",
                    line=dict(color=PALETTE[2], width=3), hovertemplate="%{y:,.0f}<extra>" + customers + "</extra>")
    base_layout(fig, lang, i18n.t("kpi.month", lang), f"{revenue} (€)")
    fig.update_layout(yaxis2=dict(title=dict(text=customers), overlaying="y", side="right", showgrid=False,
                                  rangemode="tozero", tickmode="auto", nticks=6))
    fig.update_yaxes(rangemode="tozero")
    return date_axis(fig, lang)
