"""Plotly figures of the cross-buying page: DataFrame in (a query result), Figure out (no Streamlit).

Texts come from loyalty/locales/crossbuying.toml; every figure labels both axes through base_layout.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import PALETTE, base_layout
from loyalty import i18n

# value columns of the pair tables, shown in the heatmap (percent = shown as a share)
HEATMAP_METRICS = {"lift": False, "confidence": True, "support": True}


def _t(key: str, lang: str, **values) -> str:
    return i18n.t(f"crossbuying.{key}", lang, **values)


def money(placeholder: str, lang: str) -> str:
    """A Plotly template piece for an amount in euro: '1.234 €' in German, '€1,234' in English."""
    return f"{placeholder} €" if lang == "de" else f"€{placeholder}"


def breadth_label(breadth: int) -> str:
    """1, 2, 3 (= 3 or more) as the axis label of a breadth group."""
    return "3+" if breadth >= 3 else str(breadth)


def distribution_chart(df: pd.DataFrame, lang: str) -> go.Figure:
    """Share of category buyers by their number of categories (loyalty.crossbuying.distribution)."""
    customers = i18n.t("kpi.customers", lang)
    fig = go.Figure(go.Bar(
        x=df["categories"], y=df["share"], marker_color=PALETTE[1], customdata=df[["customers"]],
        text=df["share"], texttemplate="%{text:.0%}", textposition="outside",
        hovertemplate="%{x}: %{y:.1%} (%{customdata[0]:,} " + customers + ")<extra></extra>",
    ))
    base_layout(fig, lang, _t("axis_categories_bought", lang), _t("axis_share_buyers", lang))
    fig.update_xaxes(tickmode="linear", dtick=1)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def breadth_chart(df: pd.DataFrame, lang: str) -> go.Figure:
    """Repeat purchase rate and revenue per customer for 1, 2 and 3+ categories (loyalty.crossbuying.breadth)."""
    labels = [breadth_label(int(b)) for b in df["breadth"]]
    repeat, revenue = i18n.t("kpi.repeat_purchase_rate", lang), _t("revenue_per_customer", lang)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(repeat, f"{revenue} (€)"), horizontal_spacing=0.22)
    fig.add_bar(x=labels, y=df["repeat_purchase_rate"], marker_color=PALETTE[0], name=repeat,
                text=df["repeat_purchase_rate"], texttemplate="%{text:.0%}", textposition="outside",
                customdata=df[["customers"]],
                hovertemplate="%{x}: %{y:.1%}<br>" + i18n.t("kpi.customers", lang) + ": %{customdata[0]:,}"
                              "<extra></extra>", row=1, col=1)
    fig.add_bar(x=labels, y=df["revenue_per_customer"], marker_color=PALETTE[2], name=revenue,
                text=df["revenue_per_customer"], texttemplate=money("%{text:,.0f}", lang), textposition="outside",
                hovertemplate="%{x}: " + money("%{y:,.2f}", lang) + "<extra></extra>", row=1, col=2)
    base_layout(fig, lang, _t("axis_breadth", lang), repeat, height=360)
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(t=40))
    fig.update_yaxes(title_text=repeat, tickformat=".0%", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=f"{revenue} (€)", rangemode="tozero", row=1, col=2)
    fig.update_xaxes(title_text=_t("axis_breadth", lang))
    return fig


def period_label(period, grain: str) -> str:
    """A bucket start as its label: 'Q3 2026' for quarters, '2026-07' for months."""
    day = pd.Timestamp(period)
    return f"Q{day.quarter} {day.year}" if grain == "quarter" else day.strftime("%Y-%m")


def trend_chart(df: pd.DataFrame, lang: str, grain: str) -> go.Figure:
    """Cross-buying rate (left panel) and categories per customer (right panel) per bucket."""
    rate, mean = i18n.t("kpi.cross_buying_rate", lang), i18n.t("kpi.categories_per_customer", lang)
    labels = [period_label(p, grain) for p in df["period"]]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(rate, mean), horizontal_spacing=0.12)
    fig.add_scatter(x=labels, y=df["cross_buying_rate"], name=rate, mode="lines+markers",
                    line=dict(color=PALETTE[0], width=3), customdata=df[["category_buyers"]],
                    hovertemplate="%{x}: %{y:.1%}<br>" + _t("col.customers_with_category", lang)
                                  + ": %{customdata[0]:,}<extra></extra>", row=1, col=1)
    fig.add_scatter(x=labels, y=df["categories_per_customer"], name=mean, mode="lines+markers",
                    line=dict(color=PALETTE[2], width=3), hovertemplate="%{x}: %{y:.2f}<extra></extra>",
                    row=1, col=2)
    base_layout(fig, lang, i18n.t(f"kpi.{grain}", lang), rate)
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(t=40))
    fig.update_xaxes(title_text=i18n.t(f"kpi.{grain}", lang), type="category")
    fig.update_yaxes(title_text=rate, tickformat=".0%", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=mean, tickformat=".1f", rangemode="tozero", row=1, col=2)
    return fig


def group_chart(df: pd.DataFrame, lang: str, dimension_label: str) -> go.Figure:
    """Cross-buying rate per group as horizontal bars; df has a translated `label` column."""
    ordered = df.sort_values("cross_buying_rate")
    customers = i18n.t("kpi.customers", lang)
    mean = i18n.t("kpi.categories_per_customer", lang)
    fig = go.Figure(go.Bar(
        y=ordered["label"], x=ordered["cross_buying_rate"], orientation="h", marker_color=PALETTE[1],
        text=ordered["cross_buying_rate"], texttemplate="%{text:.1%}", textposition="outside",
        customdata=ordered[["category_buyers", "categories_per_customer"]],
        hovertemplate="%{y}: %{x:.1%}<br>" + customers + ": %{customdata[0]:,}<br>" + mean
                      + ": %{customdata[1]:.2f}<extra></extra>",
    ))
    base_layout(fig, lang, i18n.t("kpi.cross_buying_rate", lang), dimension_label,
                height=max(220, 60 + 36 * len(ordered)))
    # room right of the longest bar for its label (a rate near 100 % would otherwise lose it)
    fig.update_xaxes(tickformat=".0%", rangemode="tozero", range=[0, ordered["cross_buying_rate"].max() * 1.15 + 0.01])
    fig.update_traces(cliponaxis=False)
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def affinity_heatmap(pairs: pd.DataFrame, lang: str, metric: str, min_support: float = 0.0) -> go.Figure:
    """Matrix of `metric` (lift, confidence or support) for A (rows: bought) -> B (columns: also bought).
    Cells below min_support stay empty; categories are ordered by their number of buyers."""
    unit = "customers" if "customers_both" in pairs.columns else "orders"  # crossbuying_pairs / _basket_pairs
    order = (pairs.drop_duplicates("category_a").sort_values([f"{unit}_a", "category_a"], ascending=[False, True])
             ["category_a"].tolist())
    shown = pairs.assign(value=pairs[metric].where(pairs["support"] >= min_support))
    matrix = shown.pivot(index="category_a", columns="category_b", values="value").reindex(index=order, columns=order)
    both = pairs.pivot(index="category_a", columns="category_b", values=f"{unit}_both").reindex(
        index=order, columns=order)
    is_share = HEATMAP_METRICS[metric]
    value_format = ".1%" if is_share else ".2f"
    heatmap = dict(colorscale="RdBu", zmid=1.0, reversescale=True) if metric == "lift" else \
        dict(colorscale="Blues", zmin=0)
    fig = go.Figure(go.Heatmap(
        z=matrix.values, x=order, y=order, customdata=both.values, hoverongaps=False,
        colorbar=dict(title=dict(text=_t(f"metric_{metric}", lang)), tickformat=".0%" if is_share else None),
        texttemplate="%{z:" + value_format + "}" if len(order) <= 15 else None,
        hovertemplate=_t("heatmap_hover", lang) + ": %{z:" + value_format + "}<br>"
                      + _t(f"both_hover_{unit}", lang) + ": %{customdata:,}<extra></extra>",
        **heatmap,
    ))
    base_layout(fig, lang, _t("axis_then_bought", lang), _t("axis_bought", lang),
                height=max(360, 140 + 28 * len(order)))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="bottom", tickangle=-45 if len(order) > 8 else 0)
    fig.update_layout(hovermode="closest")
    return fig


def migration_chart(df: pd.DataFrame, lang: str) -> go.Figure:
    """For one entry category: share of its new customers who later bought each category, with the
    median days until then (rows of crossbuying_migration with a next_category)."""
    ordered = df.sort_values(["share", "next_category"], ascending=[True, False])
    days = _t("median_days", lang)
    fig = go.Figure(go.Bar(
        y=ordered["next_category"], x=ordered["share"], orientation="h", marker_color=PALETTE[3],
        customdata=ordered[["customers", "median_days"]],
        text=[_t("bar_share_days", lang, share=i18n.fmt_percent(s, lang, 0), days=i18n.fmt_number(m, lang))
              for s, m in zip(ordered["share"], ordered["median_days"])],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.1%}<br>" + i18n.t("kpi.customers", lang) + ": %{customdata[0]:,}<br>" + days
                      + ": %{customdata[1]:.0f}<extra></extra>",
    ))
    base_layout(fig, lang, _t("axis_share_entry", lang), _t("axis_next_category", lang),
                height=max(240, 80 + 34 * len(ordered)))
    fig.update_xaxes(tickformat=".0%", rangemode="tozero", range=[0, min(1.0, ordered["share"].max() * 1.35 + 0.02)])
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def offer_summary_chart(offers: pd.DataFrame, lang: str) -> go.Figure:
    """Customers per recommended category and their summed expected value (the shown offer list)."""
    summary = (offers.groupby("next_category", as_index=False)
               .agg(customers=("customer_id", "size"), expected_value=("expected_value", "sum"))
               .sort_values(["customers", "next_category"], ascending=[True, False]))
    value = _t("expected_value_total", lang)
    fig = go.Figure(go.Bar(
        y=summary["next_category"], x=summary["customers"], orientation="h", marker_color=PALETTE[5],
        customdata=summary[["expected_value"]], text=summary["customers"], texttemplate="%{text:,}",
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,}<br>" + value + ": " + money("%{customdata[0]:,.0f}", lang) + "<extra></extra>",
    ))
    base_layout(fig, lang, _t("axis_offer_customers", lang), _t("axis_next_category", lang),
                height=max(240, 80 + 34 * len(summary)))
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig
