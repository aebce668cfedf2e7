"""Cross-buying: breadth of the customer relationship (categories per customer and what it is worth),
category affinity (pairs at customer or basket level), migration of new customers from their entry
category, and the next best category per customer as a downloadable offer list.

Four tabs; only the open tab runs its queries (st.tabs with on_change="rerun"). Definitions:
docs/metrics.md, section "Cross-buying".
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from components import data, widgets
from components.context import PageContext, get_context
from components.crossbuying_charts import (
    affinity_heatmap,
    breadth_chart,
    distribution_chart,
    group_chart,
    migration_chart,
    offer_summary_chart,
    trend_chart,
)
from components.kpi import KpiSpec, kpi_cards
from components.ui import chart, explain, page_header, require_transactions, table
from components.widgets import choice, keep_valid
from loyalty import crossbuying, i18n
from loyalty.export import to_csv
from loyalty.filters import Filters

headers = partial(widgets.headers, area="crossbuying")
column_formats = partial(widgets.column_formats, area="crossbuying")

TABS = ("breadth", "affinity", "migration", "next_best")
CARDS = (
    KpiSpec("cross_buying_rate", "percent", 1),
    KpiSpec("categories_per_customer", "ratio", 2),
    KpiSpec("category_buyers", "count"),
    KpiSpec("cross_buyers", "count"),
)
TREND_GRAINS = ("quarter", "month")
GROUP_DIMENSIONS = ("segment", "channel", "loyalty_member", "region")
LEVELS = ("customers", "orders")
HEATMAP_METRICS = ("lift", "confidence", "support")
OFFERS_SHOWN = 1000  # rows of the offer list shown on the page; the download has all


# ---------------------------------------------------------------- helpers


def group_label(ctx: PageContext, dimension: str, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ctx.t("crossbuying.not_set")
    if dimension == "loyalty_member":
        return ctx.t("crossbuying.member_yes" if value == "true" else "crossbuying.member_no")
    return str(value)


def require_categories(ctx: PageContext) -> None:
    """Stop with what to import when no transaction row has a category."""
    coverage = data.query("crossbuying_coverage").iloc[0]
    if coverage["lines_with_category"] > 0:
        return
    st.info(ctx.t("crossbuying.no_category"), icon=":material/category:")
    st.markdown(ctx.t("crossbuying.no_category_howto"))
    if coverage["lines_with_product"] > 0:
        st.markdown(ctx.t("crossbuying.no_category_products"))
    st.stop()


# ---------------------------------------------------------------- breadth


def breadth_profile(filters: Filters) -> pd.DataFrame:
    """Customers per number of counted categories, overall and per customer attribute: the KPI cards,
    distribution, breadth and customer-attribute split are sums over it (loyalty/crossbuying.py)."""
    return data.query("crossbuying_breadth", **filters.params())


def breadth_tab(ctx: PageContext, filters: Filters) -> None:
    profile = breadth_profile(filters)
    current = crossbuying.summary(profile)
    if current["category_buyers"] == 0:  # every category bought in the period was returned
        st.info(ctx.t("crossbuying.no_category_period"))
        return
    compared = filters.compared()
    previous = crossbuying.summary(breadth_profile(compared)) if compared else None
    if previous is not None and previous["category_buyers"] == 0:
        previous = None
    kpi_cards(ctx, current, previous, CARDS, per_row=len(CARDS))
    explain(ctx, "crossbuying.cards_explain")
    coverage_notes(ctx, current)

    left, right = st.columns(2)
    with left:
        st.subheader(ctx.t("crossbuying.distribution_title"))
        chart(distribution_chart(crossbuying.distribution(profile), ctx.lang))
        explain(ctx, "crossbuying.distribution_explain",
                mean=i18n.fmt_number(current["categories_per_customer"], ctx.lang, 2),
                median=i18n.fmt_number(current["median_categories_per_customer"], ctx.lang, 1))
    with right:
        st.subheader(ctx.t("crossbuying.breadth_title"))
        chart(breadth_chart(crossbuying.breadth(profile), ctx.lang))
        explain(ctx, "crossbuying.breadth_explain")

    st.subheader(ctx.t("crossbuying.trend_title"))
    grain = choice(ctx, "crossbuying.grain", TREND_GRAINS, "crossbuying_trend_grain", "kpi.")
    chart(trend_chart(data.query("crossbuying_trend", grain=grain, **filters.params()), ctx.lang, grain))
    explain(ctx, "crossbuying.trend_explain", grain=ctx.t(f"crossbuying.grain_word_{grain}"))

    st.subheader(ctx.t("crossbuying.group_title"))
    dimension = choice(ctx, "crossbuying.split_by", GROUP_DIMENSIONS, "crossbuying_group_dimension",
                       "crossbuying.dim_")
    if dimension in crossbuying.CUSTOMER_DIMENSIONS:  # each customer in one group: from the profile
        groups = crossbuying.by_customer_group(profile, dimension)
    else:  # channel: each channel's orders on their own
        groups = data.query("crossbuying_by_group", dimension=dimension, **filters.params())
    groups["label"] = [group_label(ctx, dimension, value) for value in groups["group_value"]]
    chart(group_chart(groups, ctx.lang, ctx.t(f"crossbuying.dim_{dimension}")))
    explain(ctx, "crossbuying.group_explain_channel" if dimension == "channel" else "crossbuying.group_explain")


def coverage_notes(ctx: PageContext, current: pd.Series) -> None:
    """Say which purchases are not in the cross-buying figures (rows without category, customers whose
    categories all net to zero)."""
    if current["lines_without_category"] > 0:
        st.caption(ctx.t("crossbuying.lines_without_category",
                         lines=i18n.fmt_number(current["lines_without_category"], ctx.lang),
                         share=i18n.fmt_percent(current["lines_without_category"] / current["lines"], ctx.lang)))
    left_out = current["active_customers"] - current["category_buyers"]
    if left_out > 0:
        st.caption(ctx.t("crossbuying.customers_without_category", customers=i18n.fmt_number(left_out, ctx.lang),
                         active=i18n.fmt_number(current["active_customers"], ctx.lang)))


# ---------------------------------------------------------------- affinity


def affinity_tab(ctx: PageContext, filters: Filters) -> None:
    left, middle, right = st.columns([1.1, 1, 1])
    level = choice(ctx, "crossbuying.level", LEVELS, "crossbuying_level", "crossbuying.level_", left)
    metric = choice(ctx, "crossbuying.heatmap_metric", HEATMAP_METRICS, "crossbuying_heatmap_metric",
                    "crossbuying.metric_", middle)
    min_support = right.slider(ctx.t("crossbuying.min_support"), 0.0, 20.0, 1.0, 0.5, format="%.1f %%",
                               key="crossbuying_min_support", help=ctx.t("crossbuying.min_support_help")) / 100
    pairs = data.query("crossbuying_pairs" if level == "customers" else "crossbuying_basket_pairs",
                       **filters.params())
    if pairs.empty:
        st.info(ctx.t("crossbuying.no_pairs"))
        return
    shown = pairs[pairs["support"] >= min_support]
    if shown.empty:
        st.info(ctx.t("crossbuying.no_pairs_min_support"))
        return
    chart(affinity_heatmap(pairs, ctx.lang, metric, min_support))
    explain(ctx, f"crossbuying.heatmap_explain_{level}")

    unit = "customers" if level == "customers" else "orders"
    example = shown.iloc[0]  # the query sorts by lift
    if example[f"{unit}_both"] > 0:
        st.markdown(ctx.t(f"crossbuying.example_{level}", a=example["category_a"], b=example["category_b"],
                          confidence=i18n.fmt_percent(example["confidence"], ctx.lang, 0),
                          lift=i18n.fmt_number(example["lift"], ctx.lang, 2)))
    columns = ["category_a", "category_b", f"{unit}_a", f"{unit}_b", f"{unit}_both", "support", "confidence", "lift"]
    table(shown[columns], ctx, f"category_pairs_{level}", headers(ctx, columns), key=f"crossbuying_pairs_{level}",
          column_config=column_formats(ctx, percent=("support", "confidence"), decimals=("lift",), counts=columns[2:5]))
    explain(ctx, "crossbuying.pairs_table_explain")


# ---------------------------------------------------------------- migration


def migration_tab(ctx: PageContext, filters: Filters) -> None:
    migration = data.query("crossbuying_migration", **filters.params())
    if migration.empty:
        st.info(ctx.t("crossbuying.no_new_customers"))
        return
    entries = (migration.drop_duplicates("entry_category")
               .sort_values(["entry_customers", "entry_category"], ascending=[False, True]))
    new_customers = dict(zip(entries["entry_category"], entries["entry_customers"], strict=True))
    keep_valid("crossbuying_entry_category", list(new_customers))
    entry = st.selectbox(ctx.t("crossbuying.entry_category"), list(new_customers), key="crossbuying_entry_category",
                         format_func=lambda c: ctx.t("crossbuying.entry_option", category=c,
                                                     customers=i18n.fmt_number(new_customers[c], ctx.lang)))
    rows = migration[migration["entry_category"] == entry]
    first = rows.iloc[0]
    st.markdown(ctx.t("crossbuying.migration_summary", category=entry,
                      customers=i18n.fmt_number(first["entry_customers"], ctx.lang),
                      followup=i18n.fmt_number(first["followup_customers"], ctx.lang),
                      share=i18n.fmt_percent(first["followup_customers"] / first["entry_customers"], ctx.lang, 0)))
    transitions = rows[rows["next_category"].notna()]
    if transitions.empty:
        st.info(ctx.t("crossbuying.no_followups"))
    else:
        chart(migration_chart(transitions, ctx.lang))
        explain(ctx, "crossbuying.migration_explain", category=entry)

    all_transitions = migration[migration["next_category"].notna()]
    if all_transitions.empty:
        return
    st.subheader(ctx.t("crossbuying.migration_table_title"))
    columns = ["entry_category", "next_category", "entry_customers", "customers", "share", "median_days"]
    table(all_transitions[columns], ctx, "category_migration", headers(ctx, columns), key="crossbuying_migration",
          column_config=column_formats(ctx, percent=("share",), one_decimal=("median_days",),
                                       counts=("entry_customers", "customers")))
    explain(ctx, "crossbuying.migration_table_explain")


# ---------------------------------------------------------------- next best offer


def offer_rows(offers: pd.DataFrame, min_confidence: float, segments: list[str]) -> pd.DataFrame:
    """Row filter on the next-best list. The best rule of a customer is chosen by confidence first, so
    a customer whose best rule is below the minimum has no qualifying rule at all."""
    keep = offers["confidence"] >= min_confidence
    if segments:
        keep &= offers["segment"].isin(segments)
    return offers[keep]


def next_best_tab(ctx: PageContext, filters: Filters) -> None:
    offers = data.query("crossbuying_next_best", **filters.params())
    if offers.empty:
        st.info(ctx.t("crossbuying.no_offers"))
        return
    left, right = st.columns(2)
    segments_available = sorted(offers["segment"].dropna().unique().tolist())
    keep_valid("crossbuying_offer_segments", segments_available)
    segments = left.multiselect(ctx.t("crossbuying.offer_segments"), segments_available, key="crossbuying_offer_segments",
                                placeholder=ctx.t("filters.all_selected"))
    min_confidence = right.slider(ctx.t("crossbuying.min_confidence"), 0, 100, 20, 5, format="%d %%",
                                  key="crossbuying_min_confidence") / 100
    chosen = offer_rows(offers, min_confidence, segments)
    if chosen.empty:
        st.info(ctx.t("crossbuying.no_offers_filtered"))
        return
    st.markdown(ctx.t("crossbuying.offer_summary", customers=i18n.fmt_number(len(chosen), ctx.lang),
                      value=i18n.fmt_money(chosen["expected_value"].sum(), ctx.lang)))
    chart(offer_summary_chart(chosen, ctx.lang))
    explain(ctx, "crossbuying.offer_chart_explain")

    columns = ["customer_id", "segment", "next_category", "expected_value", "confidence", "lift", "because_of",
               "bought_categories", "revenue_per_buyer"]
    labels = {**headers(ctx, columns), "next_category": ctx.t("crossbuying.col.recommended_category")}
    table(chosen[columns].head(OFFERS_SHOWN), ctx, "next_best_category", labels, key="crossbuying_offers",
          column_config=column_formats(ctx, percent=("confidence",), decimals=("lift",),
                                       money=("revenue_per_buyer", "expected_value")))
    if len(chosen) > OFFERS_SHOWN:
        full = chosen[columns].rename(columns=labels)
        st.caption(ctx.t("crossbuying.offers_truncated", shown=i18n.fmt_number(OFFERS_SHOWN, ctx.lang),
                         total=i18n.fmt_number(len(chosen), ctx.lang)))
        st.download_button(ctx.t("crossbuying.download_all", total=i18n.fmt_number(len(chosen), ctx.lang)),
                           lambda: to_csv(full, german_excel=ctx.lang == "de"), file_name="next_best_category_all.csv",
                           mime="text/csv", key="crossbuying_offers_all", on_click="ignore",
                           icon=":material/download:")
    explain(ctx, "crossbuying.offer_table_explain")


# ---------------------------------------------------------------- page

SECTIONS = {"breadth": breadth_tab, "affinity": affinity_tab, "migration": migration_tab, "next_best": next_best_tab}

ctx = get_context()
page_header(ctx, "crossbuying")
require_transactions(ctx)
require_categories(ctx)
# a count, not the rate: the tabs other than the overview do not need the per-customer pass
period = data.query("crossbuying_period_rows", **ctx.filters.params()).iloc[0]
if period["category_rows"] == 0:
    st.info(ctx.t("crossbuying.no_category_period" if period["order_rows"] > 0 else "app.no_data_period"))
    st.stop()

tabs = st.tabs([ctx.t(f"crossbuying.tab_{name}") for name in TABS], key=f"crossbuying_tab_{ctx.lang}",
               on_change="rerun")
for tab, name in zip(tabs, TABS, strict=True):
    if tab.open is False:
        continue
    with tab:
        SECTIONS[name](ctx, ctx.filters)

with st.expander(ctx.t("crossbuying.definitions")):
    st.markdown(ctx.t("crossbuying.definitions_text"))
