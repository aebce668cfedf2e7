"""Complaint management page: Plotly figure builders (DataFrame in, Figure out; no Streamlit) and the
translation of contact channels, reasons and recovery groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.charts import GREY, PALETTE, base_layout
from loyalty import i18n

COMPLAINT, INQUIRY = "#c0392b", "#aab7b8"
RECOVERY_ORDER = ("resolved", "unresolved", "no_complaint")
RECOVERY_COLOURS = {"resolved": "#27ae60", "unresolved": "#c0392b", "no_complaint": PALETTE[1]}


def tr(key: str, lang: str, **values) -> str:
    return i18n.t(key, lang, **values)


def value_label(value, lang: str, kind: str = "") -> str:
    """A channel / reason / group as shown: known codes translated (complaints.<kind>_<value>), other data
    values as they are, empty ones 'not given'."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return tr("complaints.not_given", lang)
    key = f"complaints.{kind}_{str(value).strip().lower()}" if kind else ""
    return tr(key, lang) if key and key in i18n.catalog() else str(value)


def period_labels(periods: pd.Series, grain: str) -> list[str]:
    stamps = pd.to_datetime(periods)
    if grain == "quarter":
        return [f"{s.year}-Q{s.quarter}" for s in stamps]
    return [s.strftime("%Y-%m") for s in stamps]


def trend_chart(df: pd.DataFrame, lang: str, grain: str) -> go.Figure:
    """Complaints and other contacts per period (stacked bars, left axis) and complaints per 1,000 active
    customers (line, right axis)."""
    labels = period_labels(df["period"], grain)
    complaints, others = tr("complaints.complaints", lang), tr("complaints.other_contacts", lang)
    rate = tr("complaints.complaints_per_1000", lang)
    fig = go.Figure()
    fig.add_bar(x=labels, y=df["complaints"], name=complaints, marker_color=COMPLAINT,
                hovertemplate="%{x}: %{y:,.0f}<extra>" + complaints + "</extra>")
    fig.add_bar(x=labels, y=df["contacts"] - df["complaints"], name=others, marker_color=INQUIRY,
                hovertemplate="%{x}: %{y:,.0f}<extra>" + others + "</extra>")
    fig.add_scatter(x=labels, y=df["complaints_per_1000"], name=rate, yaxis="y2", mode="lines+markers",
                    line=dict(color=PALETTE[0], width=3), hovertemplate="%{x}: %{y:,.1f}<extra>" + rate + "</extra>")
    base_layout(fig, lang, tr(f"complaints.grain_{grain}", lang), tr("complaints.axis_contacts", lang))
    fig.update_layout(barmode="stack", legend_traceorder="normal",
                      yaxis2=dict(title=dict(text=rate), overlaying="y", side="right", showgrid=False,
                                  rangemode="tozero", tickmode="auto", nticks=6))
    fig.update_xaxes(type="category")
    return fig


def group_chart(df: pd.DataFrame, lang: str, kind: str) -> go.Figure:
    """Complaints and other contacts per channel or reason, horizontal stacked bars, most complaints on top."""
    df = df.iloc[::-1]
    labels = [value_label(v, lang, kind) for v in df["grp"]]
    complaints, others = tr("complaints.complaints", lang), tr("complaints.other_contacts", lang)
    fig = go.Figure()
    fig.add_bar(y=labels, x=df["complaints"], name=complaints, orientation="h", marker_color=COMPLAINT,
                hovertemplate="%{y}: %{x:,.0f}<extra>" + complaints + "</extra>")
    fig.add_bar(y=labels, x=df["contacts"] - df["complaints"], name=others, orientation="h", marker_color=INQUIRY,
                hovertemplate="%{y}: %{x:,.0f}<extra>" + others + "</extra>")
    base_layout(fig, lang, tr("complaints.axis_contacts", lang), tr(f"complaints.by_{kind}", lang),
                height=max(280, 80 + 30 * len(df)))
    fig.update_layout(barmode="stack", hovermode="closest", legend_traceorder="normal")
    return fig


def resolution_chart(df: pd.DataFrame, lang: str, kind: str, target_days: int) -> go.Figure:
    """Median and 90th percentile of the days to resolution per group (complaints only), with the target."""
    df = df[df["complaints"] > 0].iloc[::-1]
    labels = [value_label(v, lang, kind) for v in df["grp"]]
    median, p90 = tr("complaints.median_days", lang), tr("complaints.p90_days", lang)
    fig = go.Figure()
    fig.add_bar(y=labels, x=df["median_days"], name=median, orientation="h", marker_color=PALETTE[1],
                hovertemplate="%{y}: %{x:.1f}<extra>" + median + "</extra>")
    fig.add_bar(y=labels, x=df["p90_days"], name=p90, orientation="h", marker_color=PALETTE[0],
                hovertemplate="%{y}: %{x:.1f}<extra>" + p90 + "</extra>")
    target = dict(color=PALETTE[2], width=2, dash="dash")
    fig.add_vline(x=target_days, line=target)
    fig.add_scatter(x=[None], y=[None], mode="lines", line=target, hoverinfo="skip",
                    name=tr("complaints.target_line", lang, days=target_days))  # legend entry of the line
    base_layout(fig, lang, tr("complaints.axis_days", lang), tr(f"complaints.by_{kind}", lang),
                height=max(300, 90 + 44 * len(df)))
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_xaxes(rangemode="tozero")
    return fig


def recovery_chart(df: pd.DataFrame, lang: str, value: str, axis_label: str, percent: bool) -> go.Figure:
    """Resolved vs unresolved complaints vs no complaint: one bar per group with the customer count."""
    order = [g for g in RECOVERY_ORDER if g in set(df["grp"])]
    df = df.set_index("grp").loc[order].reset_index()
    text = [(i18n.fmt_percent(v, lang, 1) if percent else i18n.fmt_money(v, lang, 0)) +
            f" (n={i18n.fmt_number(n, lang)})" for v, n in zip(df[value], df["customers"])]
    fig = go.Figure(go.Bar(x=[value_label(g, lang, "group") for g in df["grp"]], y=df[value],
                           marker_color=[RECOVERY_COLOURS.get(g, GREY) for g in df["grp"]], text=text,
                           textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{text}<extra></extra>"))
    base_layout(fig, lang, tr("complaints.axis_recovery_group", lang), axis_label, height=340)
    fig.update_yaxes(tickformat=".0%" if percent else ",.0f", rangemode="tozero")
    if percent:
        fig.update_yaxes(range=[0, min(1.0, max(0.1, float(df[value].max()) * 1.25))])
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(t=30))
    return fig
