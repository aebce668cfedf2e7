"""Measures page, tab Portfolio: all measures side by side (cost, incremental margin, ROI with interval,
payback), sorted, by instrument type."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.context import PageContext
from components.measures_charts import roi_chart
from components.measures_common import Evaluation, instrument_label, measure_label, number_columns, portfolio
from components.ui import chart, explain, table
from loyalty import i18n, uplift

SORTS = ("roi", "incremental_margin", "cost", "start_date")


def render_portfolio(ctx: PageContext, ev: Evaluation) -> None:
    if ev.register.empty:
        st.info(ctx.t("measures.no_measures"))
        return
    lang = ctx.lang
    df = portfolio(ev).merge(ev.register[["measure_id", "start_date"]], on="measure_id", how="left")
    sort = st.segmented_control(ctx.t("measures.sort_by"), SORTS, default="roi", key="measures_portfolio_sort",
                                format_func=lambda s: ctx.t(f"measures.sort.{s}")) or "roi"
    df = df.sort_values(sort, ascending=sort == "start_date", na_position="last")
    df["label"] = [measure_label(r) for _, r in df.iterrows()]
    rated = df.dropna(subset=["roi"])
    if rated.empty:
        st.info(ctx.t("measures.portfolio_empty"))
    else:
        labels = {i: instrument_label(ctx, i) for i in df["instrument"].unique()}
        chart(roi_chart(rated, lang, ctx.t("measures.axis_roi"), ctx.t("measures.axis_measure"), labels,
                        ctx.t("measures.evidence.pre_post")), key="measures_roi_chart")
        explain(ctx, "measures.portfolio_explain")
    shown = pd.DataFrame({
        "name": df["label"],
        "instrument": df["instrument"].map(lambda i: instrument_label(ctx, i)),
        "evidence": df["evidence"].map(lambda e: ctx.t(f"measures.evidence.{e}")),
        "participants": df["participants"].astype("Int64"),
        "control_n": df["control"].astype("Int64"),
        "cost": df["cost"].round(0),
        "incremental_margin": df["incremental_margin"].round(0),
        "interval": [_money_interval(lo, hi, lang) for lo, hi in zip(df["incremental_margin_low"],
                                                                     df["incremental_margin_high"])],
        "roi": (df["roi"] * 100).round(0),
        "roi_interval": [_percent_interval(lo, hi, lang) for lo, hi in zip(df["roi_low"], df["roi_high"])],
        "payback_weeks": df["payback_weeks"],
        "proven": [_proven(ctx, lo, e) for lo, e in zip(df["incremental_margin_low"], df["evidence"])],
    })
    labels = {c: ctx.t(f"measures.col.{c}") for c in shown.columns}
    table(shown, ctx, "measures_portfolio", labels,
          column_config=number_columns(labels, ("participants", "control_n", "cost", "incremental_margin", "roi",
                                                "payback_weeks")), key="measures_portfolio_table")
    st.caption(ctx.t("measures.portfolio_table_explain"))
    _instrument_summary(ctx, df)


def _proven(ctx: PageContext, low, evidence: str) -> str:
    if evidence == "none" or low is None or pd.isna(low):
        return "–"
    return ctx.t("measures.yes") if low > 0 else ctx.t("measures.no")


def _money_interval(low, high, lang: str) -> str:
    if low is None or pd.isna(low):
        return "–"
    return f"{i18n.fmt_money(low, lang)} … {i18n.fmt_money(high, lang)}"


def _percent_interval(low, high, lang: str) -> str:
    if low is None or pd.isna(low):
        return "–"
    return f"{i18n.fmt_percent(low, lang, 0)} … {i18n.fmt_percent(high, lang, 0)}"


def _instrument_summary(ctx: PageContext, df: pd.DataFrame) -> None:
    """Cost and incremental margin summed per instrument (measures with an estimate only)."""
    rated = df.dropna(subset=["incremental_margin"])
    if rated.empty:
        return
    st.subheader(ctx.t("measures.by_instrument"))
    summary = rated.groupby("instrument", as_index=False).agg(
        measures=("measure_id", "count"), cost=("cost", "sum"), incremental_margin=("incremental_margin", "sum"))
    summary["roi"] = (uplift.roi(summary["incremental_margin"], summary["cost"]) * 100).round(0)
    summary[["cost", "incremental_margin"]] = summary[["cost", "incremental_margin"]].round(0)
    summary = summary.sort_values("roi", ascending=False, na_position="last")
    summary["instrument"] = summary["instrument"].map(lambda i: instrument_label(ctx, i))
    labels = {c: ctx.t(f"measures.col.{c}") for c in summary.columns}
    table(summary, ctx, "measures_by_instrument", labels,
          column_config=number_columns(labels, ("cost", "incremental_margin", "roi")), key="measures_instrument_table")
    explain(ctx, "measures.by_instrument_explain")
