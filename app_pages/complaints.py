"""Complaint management: contacts and complaints per period and per 1,000 active customers, by channel
and reason, resolution times against a target, open complaints, and repurchase after a complaint.

Four tabs; only the open tab runs its queries (st.tabs with on_change="rerun"). Definitions:
docs/metrics.md, section "Complaint management".
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pandas as pd
import streamlit as st

from components import data, widgets
from components.complaint_charts import (
    RECOVERY_ORDER,
    group_chart,
    period_labels,
    recovery_chart,
    resolution_chart,
    trend_chart,
    value_label,
)
from components.context import PageContext, get_context
from components.kpi import KpiSpec, format_delta, format_value
from components.ui import chart, explain, page_header, require_table, require_transactions, table
from components.widgets import choice
from loyalty import i18n
from loyalty.filters import Filters

headers = partial(widgets.headers, area="complaints")
column_formats = partial(widgets.column_formats, area="complaints")

TABS = ("trend", "groups", "resolution", "recovery")
GRAINS = ("month", "quarter")
GROUPS = ("channel", "reason")
DEFAULT_TARGET_DAYS = 7
FOLLOWUP_DAYS = 365  # repurchase in the 12 months after a complaint (queries/complaint_recovery.sql)
CARDS = (
    (KpiSpec("contacts", "count"), "off"),
    (KpiSpec("complaints", "count"), "inverse"),
    (KpiSpec("complaints_per_1000", "ratio", 1), "inverse"),
    (KpiSpec("open_complaints", "count"), "inverse"),
    (KpiSpec("median_days", "ratio", 1), "inverse"),
    (KpiSpec("p90_days", "ratio", 1), "inverse"),
    (KpiSpec("within_target_share", "percent", 1), "normal"),
    (KpiSpec("compensation_per_complaint", "money", 2), "inverse"),
)  # (spec, delta colour: "inverse" = a rise is bad, "off" = neither good nor bad)


def contact_params(filters: Filters, **extra) -> dict:
    """Contacts carry no sales channel or store: only period, segment and region apply."""
    return {"start": filters.start, "end": filters.end, "segments": list(filters.segments),
            "regions": list(filters.regions), **extra}


# ---------------------------------------------------------------- KPI cards


def kpi_section(ctx: PageContext, filters: Filters, target_days: int) -> bool:
    """The eight cards against the comparison period; False when the period has no contacts."""
    current = data.query("complaint_kpis", **contact_params(filters, target_days=target_days)).iloc[0]
    if current["contacts"] == 0:
        st.info(ctx.t("complaints.no_contacts_period"))
        return False
    compared = filters.compared()
    previous = data.query("complaint_kpis", **contact_params(compared, target_days=target_days)).iloc[0] \
        if compared else None
    if previous is not None and previous["contacts"] == 0:
        previous = None
    for row in (CARDS[:4], CARDS[4:]):
        for column, (spec, colour) in zip(st.columns(4), row, strict=True):
            value = current[spec.name]
            before = previous[spec.name] if previous is not None else None
            unchanged = before is not None and value == before
            column.metric(ctx.t(f"complaints.card_{spec.name}", days=target_days), format_value(value, spec, ctx.lang),
                          delta=format_delta(value, before, spec, ctx.lang),
                          delta_color="off" if unchanged else colour, border=True,
                          help=ctx.t(f"complaints.help_{spec.name}", days=target_days)
                          + (" " + ctx.t("complaints.compared", value=format_value(before, spec, ctx.lang))
                             if previous is not None else ""))
    explain(ctx, "complaints.cards_explain", active=i18n.fmt_number(current["active_customers"], ctx.lang),
            resolved=i18n.fmt_number(current["resolved"], ctx.lang))
    return True


# ---------------------------------------------------------------- tabs


def trend_tab(ctx: PageContext, filters: Filters, target_days: int) -> None:
    grain = choice(ctx, "complaints.grain", GRAINS, "complaints_grain", "complaints.grain_")
    trend = data.query("complaint_trend", **contact_params(filters, grain=grain))
    st.subheader(ctx.t("complaints.trend_title"))
    chart(trend_chart(trend, ctx.lang, grain))
    explain(ctx, "complaints.trend_explain")
    shown = trend.assign(period=period_labels(trend["period"], grain))
    table(shown, ctx, f"complaints_by_{grain}", {**headers(ctx, shown.columns),
                                                 "period": ctx.t(f"complaints.grain_{grain}")},
          key="complaints_trend_table", column_config=column_formats(
              ctx, one_decimal=("contacts_per_1000", "complaints_per_1000")))


def group_table(ctx: PageContext, df: pd.DataFrame, kind: str, name: str, key: str) -> None:
    shown = df.assign(grp=[value_label(v, ctx.lang, kind) for v in df["grp"]])
    table(shown, ctx, name, {**headers(ctx, shown.columns), "grp": ctx.t(f"complaints.by_{kind}")}, key=key,
          column_config=column_formats(ctx, money=("compensation", "compensation_per_complaint"),
                                       percent=("within_target_share",),
                                       one_decimal=("complaints_per_1000", "median_days", "p90_days")))


def groups_tab(ctx: PageContext, filters: Filters, target_days: int) -> None:
    for kind in GROUPS:
        st.subheader(ctx.t(f"complaints.groups_title_{kind}"))
        df = data.query("complaint_by_group", **contact_params(filters, by=kind, target_days=target_days))
        chart(group_chart(df, ctx.lang, kind))
        explain(ctx, f"complaints.groups_explain_{kind}")
        group_table(ctx, df, kind, f"contacts_by_{kind}", f"complaints_{kind}_table")


def resolution_tab(ctx: PageContext, filters: Filters, target_days: int) -> None:
    st.subheader(ctx.t("complaints.resolution_title"))
    kind = choice(ctx, "complaints.resolution_by", GROUPS, "complaints_resolution_by", "complaints.by_")
    df = data.query("complaint_by_group", **contact_params(filters, by=kind, target_days=target_days))
    if df["median_days"].notna().any():
        chart(resolution_chart(df, ctx.lang, kind, target_days))
        explain(ctx, "complaints.resolution_explain", days=target_days)
    else:
        st.info(ctx.t("complaints.none_resolved"))

    st.subheader(ctx.t("complaints.open_title"))
    open_cases = data.query("complaint_open", **contact_params(filters))
    if open_cases.empty:
        st.success(ctx.t("complaints.no_open"))
        return
    shown = open_cases.assign(contact_date=pd.to_datetime(open_cases["contact_date"]).dt.date,
                              channel=[value_label(v, ctx.lang, "channel") for v in open_cases["channel"]],
                              reason=[value_label(v, ctx.lang, "reason") for v in open_cases["reason"]])
    table(shown, ctx, "open_complaints", headers(ctx, shown.columns), key="complaints_open_table",
          column_config=column_formats(ctx, money=("compensation_cost",), dates=("contact_date",)))
    explain(ctx, "complaints.open_explain")


def recovery_tab(ctx: PageContext, filters: Filters, target_days: int) -> None:
    st.subheader(ctx.t("complaints.recovery_title"))
    span = data.query("data_range").iloc[0]
    if pd.isna(span["last_date"]):
        st.info(ctx.t("complaints.no_recovery"))
        return
    first_order, last_order = pd.Timestamp(span["first_date"]).date(), pd.Timestamp(span["last_date"]).date()
    window = Filters(start=first_order, end=last_order, comparison="no_comparison", segments=filters.segments,
                     regions=filters.regions)
    result = data.query("complaint_recovery", **contact_params(window))
    if result.empty or not result["grp"].isin(["resolved", "unresolved"]).any():
        st.info(ctx.t("complaints.no_recovery"))
        return
    st.caption(ctx.t("complaints.recovery_window", start=i18n.fmt_date(first_order, ctx.lang),
                     cutoff=i18n.fmt_date(last_order - timedelta(days=FOLLOWUP_DAYS), ctx.lang),
                     end=i18n.fmt_date(last_order, ctx.lang)))
    st.warning(ctx.t("complaints.correlation_note"), icon="⚠️")
    left, right = st.columns(2)
    with left:
        chart(recovery_chart(result, ctx.lang, "repurchase_rate", ctx.t("complaints.col.repurchase_rate"), True))
        explain(ctx, "complaints.recovery_explain")
    with right:
        chart(recovery_chart(result, ctx.lang, "revenue_per_customer",
                             ctx.t("complaints.col.revenue_per_customer") + " (€)", False))
        explain(ctx, "complaints.recovery_revenue_explain")
    result = result.set_index("grp").loc[[g for g in RECOVERY_ORDER if g in set(result["grp"])]].reset_index()
    shown = result.assign(grp=[value_label(v, ctx.lang, "group") for v in result["grp"]])
    table(shown, ctx, "repurchase_after_complaint", {**headers(ctx, shown.columns),
                                                     "grp": ctx.t("complaints.axis_recovery_group")},
          key="complaints_recovery_table", column_config=column_formats(
              ctx, percent=("repurchase_rate",), money=("revenue_per_customer", "compensation_per_complaint"),
              one_decimal=("orders_per_customer",)))


# ---------------------------------------------------------------- page

SECTIONS = {"trend": trend_tab, "groups": groups_tab, "resolution": resolution_tab, "recovery": recovery_tab}

ctx = get_context()
page_header(ctx, "complaints")
require_transactions(ctx)
require_table(ctx, "contacts")

target = int(st.number_input(ctx.t("complaints.target_days"), min_value=0, max_value=365, value=DEFAULT_TARGET_DAYS,
                             step=1, key="complaints_target_days", help=ctx.t("complaints.target_days_help"),
                             width=260))
if ctx.filters.channels or ctx.filters.stores:
    st.caption(ctx.t("complaints.channel_filter_note"))
if kpi_section(ctx, ctx.filters, target):
    tabs = st.tabs([ctx.t(f"complaints.tab_{name}") for name in TABS], key=f"complaints_tab_{ctx.lang}",
                   on_change="rerun")
    for tab, name in zip(tabs, TABS, strict=True):
        if tab.open is False:
            continue
        with tab:
            SECTIONS[name](ctx, ctx.filters, target)

with st.expander(ctx.t("complaints.definitions")):
    st.markdown(ctx.t("complaints.definitions_text"))
