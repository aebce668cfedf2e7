"""Repeat purchase & churn: who comes back (rates, trend, groups), how long until they do (inter-purchase
time), how cohorts of new customers hold up (retention heatmap) and who is slipping away (churn).

Four tabs; only the open tab runs its queries (st.tabs with on_change="rerun"). Definitions:
docs/metrics.md, section "Repeat purchase, cohorts and churn".
"""

from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from components import data, widgets
from components.context import PageContext, get_context
from components.kpi import KpiSpec, format_delta, format_value
from components.repeat_charts import (
    align_comparison,
    churn_rate_figure,
    churn_status_figure,
    cohort_heatmap,
    cohort_period_line,
    gap_histogram,
    repeat_trend_figure,
    segment_gap_figure,
    split_figure,
)
from components.ui import chart, explain, page_header, require_transactions, table
from components.widgets import as_dates, choice
from loyalty import i18n
from loyalty.filters import Filters
from loyalty.retention import (
    COHORT_GRAINS,
    RETENTION_MODES,
    SPLIT_DIMENSIONS,
    TREND_GRAINS,
    ThresholdUnavailable,
    churn_params,
    cut_cohorts,
    derive_thresholds,
    threshold_basis,
    total_row,
)

headers = partial(widgets.headers, area="repeat")
column_formats = partial(widgets.column_formats, area="repeat")

TABS = ("overview", "inter_purchase", "cohorts", "churn")
REPEAT_METRICS = ("repeat_purchase_rate", "one_time_buyer_share", "orders_per_customer")
CARDS = (
    KpiSpec("customers", "count"),
    KpiSpec("repeat_purchase_rate", "percent", 1),
    KpiSpec("one_time_buyer_share", "percent", 1),
    KpiSpec("orders_per_customer", "ratio", 2),
)
CARD_LABELS = {"customers": "kpi.active_customers", "repeat_purchase_rate": "kpi.repeat_purchase_rate",
               "one_time_buyer_share": "repeat.one_time_buyer_share", "orders_per_customer": "kpi.orders_per_customer"}
LOWER_IS_BETTER = {"one_time_buyer_share"}
CUSTOMERS_SHOWN = 1000  # rows of a customer list shown on the page; the downloads have all
COHORT_VALUES = ("share", "customers", "revenue")
GAP_BIN_DAYS = 7


# ---------------------------------------------------------------- small helpers


def value_label(ctx: PageContext, dimension: str, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ctx.t("repeat.not_set")
    if dimension == "loyalty_member":
        return ctx.t("repeat.member_yes" if value == "true" else "repeat.member_no")
    return str(value)


def days_text(ctx: PageContext, value) -> str:
    """Days as whole days, or with one decimal where a median falls between two whole days."""
    if value is None or pd.isna(value):
        return "–"
    decimals = 0 if float(value).is_integer() else 1
    return ctx.t("repeat.days_value", days=i18n.fmt_number(value, ctx.lang, decimals))


# ---------------------------------------------------------------- overview & trend


def repeat_cards(ctx: PageContext, current: pd.Series, previous: pd.Series | None) -> None:
    for column, spec in zip(st.columns(len(CARDS)), CARDS, strict=True):
        value = current.get(spec.name)
        before = previous.get(spec.name) if previous is not None else None
        column.metric(
            ctx.t(CARD_LABELS[spec.name]), format_value(value, spec, ctx.lang),
            delta=format_delta(value, before, spec, ctx.lang),
            delta_color="inverse" if spec.name in LOWER_IS_BETTER else "normal",
            help=ctx.t("repeat.compared") + ": " + format_value(before, spec, ctx.lang) if previous is not None else None,
            border=True,
        )


def overview_tab(ctx: PageContext, filters: Filters) -> None:
    compared = filters.compared()
    current = data.query("repeat_summary", **filters.params()).iloc[0]
    previous = data.query("repeat_summary", **compared.params()).iloc[0] if compared else None
    if previous is not None and previous["customers"] == 0:
        previous = None
    repeat_cards(ctx, current, previous)
    explain(ctx, "repeat.cards_explain")

    st.subheader(ctx.t("repeat.trend_title"))
    left, right = st.columns([1, 2])
    grain = choice(ctx, "repeat.grain", TREND_GRAINS, "repeat_trend_grain", "repeat.grain_", left)
    metric = choice(ctx, "repeat.metric", REPEAT_METRICS, "repeat_trend_metric", "repeat.col.", right)
    trend = data.query("repeat_trend", grain=grain, **filters.params())
    before = data.query("repeat_trend", grain=grain, **compared.params()) if compared else None
    aligned = align_comparison(trend, before, grain, filters.start, compared.start if compared else None)
    chart(repeat_trend_figure(trend, aligned, metric, grain, ctx.lang))
    explain(ctx, "repeat.trend_explain", grain=ctx.t(f"repeat.unit_{grain}"))
    if compared is None:
        st.caption(ctx.t("repeat.trend_no_comparison"))

    st.subheader(ctx.t("repeat.split_title"))
    dimension = choice(ctx, "repeat.split_by", SPLIT_DIMENSIONS, "repeat_split_dimension", "repeat.dim_")
    split = data.query("repeat_by_dimension", dimension=dimension, **filters.params())
    split_before = data.query("repeat_by_dimension", dimension=dimension, **compared.params()) if compared else None
    for frame in (split, split_before):
        if frame is not None:
            frame["label"] = [value_label(ctx, dimension, v) for v in frame["dimension_value"]]
    chart(split_figure(split, split_before, metric, dimension, ctx.lang))
    explain(ctx, "repeat.split_explain")
    columns = ["label", "customers", "orders", "repeat_purchase_rate", "one_time_buyer_share", "orders_per_customer"]
    labels = {**headers(ctx, columns[1:]), "label": ctx.t(f"repeat.dim_{dimension}")}
    table(split[columns].round({"orders_per_customer": 2}), ctx, f"repeat_by_{dimension}", labels,
          column_config=column_formats(ctx, percent=("repeat_purchase_rate", "one_time_buyer_share"),
                                       counts=("customers", "orders", "orders_per_customer")),
          key="repeat_split_table")


# ---------------------------------------------------------------- inter-purchase time


def inter_purchase_tab(ctx: PageContext, filters: Filters) -> None:
    stats = data.query("inter_purchase_stats", **filters.params())
    total = total_row(stats)
    if total is None or (total["gaps"] == 0 and total["new_customers"] == 0):
        st.info(ctx.t("repeat.no_gaps"))
        return
    cards = st.columns(4)
    cards[0].metric(ctx.t("repeat.median_gap"), days_text(ctx, total["median_gap_days"]), border=True)
    cards[1].metric(ctx.t("repeat.gaps"), i18n.fmt_number(total["gaps"], ctx.lang), border=True)
    cards[2].metric(ctx.t("repeat.second_order_share"), i18n.fmt_percent(total["second_order_share"], ctx.lang),
                    border=True, help=f"{i18n.fmt_number(total['second_order_customers'], ctx.lang)} / "
                                      f"{i18n.fmt_number(total['new_customers'], ctx.lang)}")
    cards[3].metric(ctx.t("repeat.median_days_to_second"), days_text(ctx, total["median_days_to_second"]), border=True)
    explain(ctx, "repeat.second_explain")

    st.subheader(ctx.t("repeat.ipt_title"))
    if total["gaps"] == 0:
        st.info(ctx.t("repeat.no_gaps"))
    else:
        bins = data.query("inter_purchase_distribution", bin_days=GAP_BIN_DAYS, **filters.params())
        chart(gap_histogram(bins, GAP_BIN_DAYS, total["median_gap_days"], total["p90_gap_days"], ctx.lang))
        explain(ctx, "repeat.hist_explain")

    st.subheader(ctx.t("repeat.segment_title"))
    rows = stats.copy()
    rows["label"] = [ctx.t("repeat.all_customers") if is_total else value_label(ctx, "segment", segment)
                     for is_total, segment in zip(rows["is_total"], rows["segment"], strict=True)]
    by_segment = rows[~rows["is_total"]]
    if not by_segment.empty:
        chart(segment_gap_figure(by_segment, ctx.lang))
        explain(ctx, "repeat.segment_explain")
    columns = ["label", "gaps", "median_gap_days", "p25_gap_days", "p75_gap_days", "p90_gap_days", "mean_gap_days",
               "new_customers", "second_order_customers", "second_order_share", "median_days_to_second"]
    labels = {**headers(ctx, columns[1:]), "label": ctx.t("repeat.segment_label")}
    table(rows[columns].round({c: 1 for c in columns if c.endswith("_days") or c.endswith("_to_second")}), ctx,
          "inter_purchase_by_segment", labels, key="repeat_ipt_table",
          column_config=column_formats(ctx, percent=("second_order_share",), counts=columns[1:]))


# ---------------------------------------------------------------- cohorts


def _clicked_cell(event) -> tuple[str, int] | None:
    """(cohort ISO date, period) of the heatmap cell clicked last, from the plotly selection event."""
    try:
        points = event.selection.points
    except AttributeError:
        return None
    for point in points or []:
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and len(custom) >= 2:
            return str(custom[0]), int(custom[1])
    return None


def _sync_cell_choice(cells: pd.DataFrame, clicked: tuple[str, int] | None) -> list[str]:
    """Session state of the cohort/period select boxes: a new click wins; invalid values fall back to the
    newest cohort with an ended period 1 (or the newest cohort). Returns the cohort options (ISO dates)."""
    cohorts = list(dict.fromkeys(pd.to_datetime(cells.sort_values("cohort")["cohort"]).dt.strftime("%Y-%m-%d")))
    observed = {(pd.Timestamp(c).strftime("%Y-%m-%d"), int(k)) for c, k in zip(cells["cohort"], cells["period"],
                                                                                strict=True)}
    state = st.session_state
    if clicked and clicked != state.get("_repeat_last_click") and clicked in observed:
        state["_repeat_last_click"] = clicked
        state["repeat_cell_cohort"], state["repeat_cell_period"] = clicked
    if state.get("repeat_cell_cohort") not in cohorts:
        with_period_one = [c for c in cohorts if (c, 1) in observed]
        state["repeat_cell_cohort"] = (with_period_one or cohorts)[-1]
        state["repeat_cell_period"] = 1 if with_period_one else 0
    if (state["repeat_cell_cohort"], state.get("repeat_cell_period")) not in observed:
        state["repeat_cell_period"] = 0
    return cohorts


def cohort_cell_customers(ctx: PageContext, cells: pd.DataFrame, params: dict, clicked) -> None:
    st.subheader(ctx.t("repeat.cell_title"))
    st.caption(ctx.t("repeat.cell_hint"))
    cohorts = _sync_cell_choice(cells, clicked)
    labels = dict(zip(pd.to_datetime(cells["cohort"]).dt.strftime("%Y-%m-%d"), cells["cohort_label"], strict=True))
    left, right = st.columns(2)
    cohort = left.selectbox(ctx.t("repeat.cell_cohort"), cohorts, key="repeat_cell_cohort",
                            format_func=lambda c: labels.get(c, c))
    chosen = cells[pd.to_datetime(cells["cohort"]).dt.strftime("%Y-%m-%d") == cohort]
    period = right.selectbox(ctx.t("repeat.cell_period"), sorted(int(k) for k in chosen["period"]),
                             key="repeat_cell_period")
    cell = chosen[chosen["period"] == period].iloc[0]
    st.markdown(ctx.t("repeat.cell_summary", customers=i18n.fmt_number(cell["customers"], ctx.lang),
                      size=i18n.fmt_number(cell["cohort_customers"], ctx.lang), cohort=cell["cohort_label"],
                      k=period))
    members = data.query("cohort_customers", cohort=date.fromisoformat(cohort), period=period, **params)
    if members.empty:
        st.info(ctx.t("repeat.cell_empty"))
        return
    shown = as_dates(members, "first_order_date")
    table(shown, ctx, f"cohort_{cell['cohort_label']}_k{period}", headers(ctx, shown.columns),
          column_config=column_formats(ctx, money=("cell_revenue", "revenue_total"), dates=("first_order_date",),
                                       counts=("cell_orders", "orders_total")),
          key="repeat_cell_table", max_rows=CUSTOMERS_SHOWN)
    explain(ctx, "repeat.cell_explain")


def cohorts_tab(ctx: PageContext, filters: Filters) -> None:
    st.subheader(ctx.t("repeat.cohort_title"))
    top, bottom = st.columns(2), st.columns([2, 1])
    grain = choice(ctx, "repeat.grain", COHORT_GRAINS, "repeat_cohort_grain", "repeat.grain_", top[0])
    value = choice(ctx, "repeat.cohort_value", COHORT_VALUES, "repeat_cohort_value", "repeat.value_", top[1])
    mode = choice(ctx, "repeat.retention_mode", RETENTION_MODES, "repeat_cohort_mode", "repeat.mode_", bottom[0])
    min_orders = int(bottom[1].number_input(ctx.t("repeat.min_orders"), min_value=1, max_value=20, value=1, step=1,
                                              key="repeat_cohort_min_orders"))
    params = {"grain": grain, "retention": mode, "min_orders": min_orders, **filters.params()}
    cells = data.query("cohort_retention", **params)
    if cells.empty:
        st.info(ctx.t("repeat.no_cohorts"))
        return
    event = chart(cohort_heatmap(cells, value, grain, ctx.lang), key="repeat_cohort_heatmap", on_select="rerun",
                  selection_mode="points")
    explain(ctx, f"repeat.heatmap_explain_{value}", grain=ctx.t(f"repeat.unit_{grain}"), n=min_orders,
            mode=ctx.t(f"repeat.mode_phrase_{mode}"))
    cut = [c for c in cut_cohorts(filters.start, filters.end, grain) if pd.Timestamp(c) in set(cells["cohort"])]
    if cut:
        cut_labels = cells.loc[cells["cohort"].isin([pd.Timestamp(c) for c in cut]), "cohort_label"].unique()
        st.caption(ctx.t("repeat.cohort_cut", labels=", ".join(cut_labels)))
    if value == "revenue" and mode == "unbounded":
        st.caption(ctx.t("repeat.revenue_mode_note"))

    st.subheader(ctx.t("repeat.line_title"))
    periods = sorted(int(k) for k in cells["period"].unique() if k > 0)
    if not periods:
        st.info(ctx.t("repeat.cohorts_too_young"))
    else:
        if st.session_state.get("repeat_line_period") not in periods:
            st.session_state["repeat_line_period"] = periods[0]
        period = st.selectbox(ctx.t("repeat.line_period"), periods, key="repeat_line_period")
        chart(cohort_period_line(cells, period, value, ctx.lang))
        explain(ctx, "repeat.line_explain", k=period)

    cohort_cell_customers(ctx, cells, params, _clicked_cell(event))


# ---------------------------------------------------------------- churn


def churn_controls(ctx: PageContext, filters: Filters):
    """As-of date and the two thresholds (defaults derived from the inter-purchase time); None if the
    thresholds cannot be derived and were not entered."""
    columns = st.columns(3)
    as_of = columns[0].date_input(ctx.t("repeat.as_of"), value=filters.end, min_value=filters.start,
                                  max_value=filters.end, key=f"repeat_as_of_{filters.start}_{filters.end}",
                                  format="DD.MM.YYYY" if ctx.lang == "de" else "YYYY-MM-DD")
    basis = data.query("inter_purchase_stats", **threshold_basis(filters, as_of).params())
    try:
        derived = derive_thresholds(basis)
    except ThresholdUnavailable:
        derived = None
    suffix = f"{as_of}_{derived.at_risk_after_days if derived else ''}_{derived.inactive_after_days if derived else ''}"
    at_risk = columns[1].number_input(ctx.t("repeat.at_risk_after"), min_value=0, max_value=3650, step=1,
                                      value=derived.at_risk_after_days if derived else None,
                                      key=f"repeat_at_risk_{suffix}")
    inactive = columns[2].number_input(ctx.t("repeat.inactive_after"), min_value=0, max_value=3650, step=1,
                                       value=derived.inactive_after_days if derived else None,
                                       key=f"repeat_inactive_{suffix}")
    if derived:
        st.caption(ctx.t("repeat.thresholds_derived", gaps=i18n.fmt_number(derived.basis_gaps, ctx.lang),
                         at_risk=derived.at_risk_after_days, inactive=derived.inactive_after_days))
    try:
        thresholds = derive_thresholds(basis, None if at_risk is None else int(at_risk),
                                       None if inactive is None else int(inactive))
    except ThresholdUnavailable:
        st.info(ctx.t("repeat.thresholds_missing"))
        return as_of, None
    return as_of, thresholds


def churn_cards(ctx: PageContext, status: pd.DataFrame, thresholds) -> None:
    low, high = thresholds.at_risk_after_days, thresholds.inactive_after_days
    helps = {"active": ctx.t("repeat.status_help_active", days=low),
             "at_risk": ctx.t("repeat.status_help_at_risk", low=low, high=high),
             "inactive": ctx.t("repeat.status_help_inactive", days=high)}
    columns = st.columns(4)
    for column, name in zip(columns, ("active", "at_risk", "inactive"), strict=False):
        column.metric(ctx.t(f"repeat.status_{name}"), i18n.fmt_number(status.loc[name, "customers"], ctx.lang),
                      delta=i18n.fmt_percent(status.loc[name, "share"], ctx.lang), delta_color="off",
                      delta_arrow="off", help=helps[name], border=True)
    columns[3].metric(ctx.t("repeat.revenue_at_risk"),
                      i18n.fmt_money(status.loc["at_risk", "revenue_last_12_months"], ctx.lang),
                      help=ctx.t("repeat.revenue_at_risk_help"), border=True)


def churn_tab(ctx: PageContext, filters: Filters) -> None:
    st.subheader(ctx.t("repeat.churn_title"))
    as_of, thresholds = churn_controls(ctx, filters)
    if thresholds is None:
        return
    params = churn_params(filters, as_of, thresholds)
    status = data.query("churn_status", **params).set_index("status")
    if status["customers"].sum() == 0:
        st.info(ctx.t("repeat.no_customers_as_of"))
        return
    churn_cards(ctx, status, thresholds)
    explain(ctx, "repeat.cards_churn_explain", date=i18n.fmt_date(as_of, ctx.lang))

    st.subheader(ctx.t("repeat.status_chart_title"))
    grain = choice(ctx, "repeat.grain", TREND_GRAINS, "repeat_churn_grain", "repeat.grain_")
    trend = data.query("churn_trend", grain=grain, **filters.params(), **thresholds.params())
    chart(churn_status_figure(trend, grain, ctx.lang))
    explain(ctx, "repeat.status_explain", grain=ctx.t(f"repeat.unit_{grain}"))
    st.subheader(ctx.t("repeat.churn_rate_title"))
    chart(churn_rate_figure(trend, grain, ctx.lang))
    explain(ctx, "repeat.churn_rate_explain", grain=ctx.t(f"repeat.unit_{grain}"))

    st.subheader(ctx.t("repeat.at_risk_title"))
    at_risk = data.query("churn_at_risk_customers", **params)
    if at_risk.empty:
        st.info(ctx.t("repeat.none_at_risk"))
        return
    shown = as_dates(at_risk, "last_order_date")
    table(shown, ctx, f"at_risk_customers_{as_of}", headers(ctx, shown.columns), key="repeat_at_risk_table",
          column_config=column_formats(ctx, money=("revenue", "revenue_last_12_months"), dates=("last_order_date",),
                                       counts=("orders", "days_since_last_order", "days_overdue")),
          max_rows=CUSTOMERS_SHOWN)
    explain(ctx, "repeat.at_risk_explain", low=thresholds.at_risk_after_days, high=thresholds.inactive_after_days)


# ---------------------------------------------------------------- page


def open_tab_in_other_language(ctx: PageContext) -> str:
    """The tab open before a language switch (the tab state is kept per language, as its labels differ)."""
    for lang in i18n.LANGUAGES:
        label = st.session_state.get(f"repeat_tab_{lang}") if lang != ctx.lang else None
        for name in TABS:
            if label == i18n.t(f"repeat.tab_{name}", lang):
                return name
    return TABS[0]


SECTIONS = {"overview": overview_tab, "inter_purchase": inter_purchase_tab, "cohorts": cohorts_tab,
            "churn": churn_tab}

ctx = get_context()
page_header(ctx, "repeat")
require_transactions(ctx)
if data.query("repeat_summary", **ctx.filters.params()).iloc[0]["customers"] == 0:
    st.info(ctx.t("app.no_data_period"))
    st.stop()

tabs = st.tabs([ctx.t(f"repeat.tab_{name}") for name in TABS], key=f"repeat_tab_{ctx.lang}", on_change="rerun",
               default=ctx.t(f"repeat.tab_{open_tab_in_other_language(ctx)}"))
for tab, name in zip(tabs, TABS, strict=True):
    if tab.open is False:
        continue
    with tab:
        SECTIONS[name](ctx, ctx.filters)

with st.expander(ctx.t("repeat.definitions")):
    st.markdown(ctx.t("repeat.definitions_text"))
