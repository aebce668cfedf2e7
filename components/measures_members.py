"""Measures page, tabs Members and Bonus points: members vs non-members of the loyalty program (with the
self-selection warning), members before vs after joining, and the bonus points ledger."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data
from components.context import PageContext
from components.measures_charts import before_after_chart, points_chart
from components.measures_common import number_columns
from components.ui import chart, explain, table
from loyalty import i18n, uplift

MEMBER_KPIS = ("revenue_per_customer", "orders_per_customer", "retention_rate")
BEFORE_AFTER_KPIS = ("revenue_per_customer", "orders_per_customer", "active_rate")
MEMBER_FORMATS = {"revenue_per_customer": ",.0f", "orders_per_customer": ",.2f", "retention_rate": ".0%",
                  "active_rate": ".0%"}
SHARE_KPIS = frozenset({"retention_rate", "active_rate"})
DEFAULT_VALUE_PER_POINT = 0.01  # 1 cent, the usual value of a retail bonus point; adjustable on the page


def _fmt(value, kpi: str, lang: str) -> str:
    if kpi in SHARE_KPIS:
        return i18n.fmt_percent(value, lang, 1)
    if kpi == "revenue_per_customer":
        return i18n.fmt_money(value, lang, 2)
    return i18n.fmt_number(value, lang, 2)


def _fmt_diff(value, kpi: str, lang: str) -> str:
    if kpi in SHARE_KPIS:
        return i18n.fmt_points(value, lang)
    text = _fmt(value, kpi, lang)
    return f"+{text}" if pd.notna(value) and value > 0 else text


def _interval(low, high, kpi: str, lang: str) -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{_fmt_diff(low, kpi, lang)} … {_fmt_diff(high, kpi, lang)}"


def render_members(ctx: PageContext) -> None:
    if not ctx.snapshot.has("customers"):
        st.info(ctx.t("app.missing_table", table="customers"))
        return
    st.warning(ctx.t("measures.self_selection"), icon=":material/warning:")
    stats = data.query("member_comparison", **ctx.filters.params())
    if stats.empty or set(stats["status"]) != {"member", "non_member"}:
        st.info(ctx.t("measures.members_missing"))
    else:
        _member_comparison(ctx, stats)
    _before_after(ctx)


def _member_comparison(ctx: PageContext, stats: pd.DataFrame) -> None:
    lang, t = ctx.lang, ctx.t
    diff = uplift.difference_table(stats, [], "status", "member", "non_member", rate_kpis={"retention_rate"})
    diff = diff.set_index("kpi").reindex(list(MEMBER_KPIS)).dropna(subset=["member_mean"]).reset_index()
    st.subheader(t("measures.members_title"))
    names = (t("measures.non_members"), t("measures.members"))
    bars = diff.rename(columns={"non_member_mean": names[0], "member_mean": names[1]})
    titles = {k: t(f"measures.member_kpi.{k}") for k in MEMBER_KPIS}
    units = {k: t(f"measures.member_unit.{k}") for k in MEMBER_KPIS}
    chart(before_after_chart(bars, lang, titles, units, names, t("measures.axis_status"), MEMBER_FORMATS),
          key="measures_members_chart")
    explain(ctx, "measures.members_explain")
    shown = pd.DataFrame({
        "kpi": [titles[k] for k in diff["kpi"]],
        "members": [_fmt(v, k, lang) for v, k in zip(diff["member_mean"], diff["kpi"])],
        "non_members": [_fmt(v, k, lang) for v, k in zip(diff["non_member_mean"], diff["kpi"])],
        "difference": [_fmt_diff(v, k, lang) for v, k in zip(diff["difference"], diff["kpi"])],
        "interval": [_interval(lo, hi, k, lang) for lo, hi, k in zip(diff["ci_low"], diff["ci_high"], diff["kpi"])],
        "members_n": diff["member_n"].astype(int),
        "non_members_n": diff["non_member_n"].astype(int),
    })
    labels = {c: t(f"measures.col.{c}") for c in shown.columns}
    table(shown, ctx, "members_vs_non_members", labels, column_config=number_columns(labels, ("members_n",
                                                                                             "non_members_n")),
          key="measures_members_table")


def _before_after(ctx: PageContext) -> None:
    lang, t = ctx.lang, ctx.t
    st.subheader(t("measures.before_after_title"))
    rows = data.query("member_before_after", **ctx.filters.params())
    if rows.empty:
        st.info(t("measures.before_after_missing"))
        return
    rows = rows.set_index("kpi").reindex(list(BEFORE_AFTER_KPIS)).dropna(subset=["n"]).reset_index()
    names = (t("measures.before_joining"), t("measures.after_joining"))
    bars = rows.rename(columns={"mean_before": names[0], "mean_after": names[1]})
    titles = {k: t(f"measures.member_kpi.{k}") for k in BEFORE_AFTER_KPIS}
    units = {k: t(f"measures.member_unit.{k}") for k in BEFORE_AFTER_KPIS}
    chart(before_after_chart(bars, lang, titles, units, names, t("measures.axis_phase"), MEMBER_FORMATS),
          key="measures_before_after_chart")
    explain(ctx, "measures.before_after_explain", members=i18n.fmt_number(rows["n"].iloc[0], lang))
    low, high = uplift.paired_ci(rows["mean_diff"], rows["var_diff"], rows["n"])
    shown = pd.DataFrame({
        "kpi": [titles[k] for k in rows["kpi"]],
        "before": [_fmt(v, k, lang) for v, k in zip(rows["mean_before"], rows["kpi"])],
        "after": [_fmt(v, k, lang) for v, k in zip(rows["mean_after"], rows["kpi"])],
        "difference": [_fmt_diff(v, k, lang) for v, k in zip(rows["mean_diff"], rows["kpi"])],
        "interval": [_interval(lo, hi, k, lang) for lo, hi, k in zip(low, high, rows["kpi"])],
    })
    table(shown, ctx, "members_before_after", {c: t(f"measures.col.{c}") for c in shown.columns},
          key="measures_before_after_table")


def render_points(ctx: PageContext) -> None:
    lang, t = ctx.lang, ctx.t
    if not ctx.snapshot.has("points"):
        st.info(t("measures.points_missing"))
        return
    params = ctx.filters.params()
    summary = data.query("points_summary", value_per_point=DEFAULT_VALUE_PER_POINT, **params).iloc[0]
    if summary["rows_without_value"] > 0:  # only then does the assumed value matter
        value_per_point = st.number_input(t("measures.value_per_point"), min_value=0.0, value=DEFAULT_VALUE_PER_POINT,
                                          step=0.001, format="%.3f", key="measures_value_per_point",
                                          help=t("measures.value_per_point_help",
                                                 rows=i18n.fmt_number(summary["rows_without_value"], lang)))
        summary = data.query("points_summary", value_per_point=value_per_point, **params).iloc[0]
    cards = st.columns(3) + st.columns(3)
    cards[0].metric(t("measures.points_issued"), i18n.fmt_number(summary["issued"], lang), border=True,
                    help=i18n.fmt_money(summary["issued_value"], lang))
    cards[1].metric(t("measures.points_redeemed"), i18n.fmt_number(summary["redeemed"], lang), border=True,
                    help=i18n.fmt_money(summary["redeemed_value"], lang))
    cards[2].metric(t("measures.points_expired"), i18n.fmt_number(summary["expired"], lang), border=True,
                    help=i18n.fmt_money(summary["expired_value"], lang))
    cards[3].metric(t("measures.redemption_rate"), i18n.fmt_percent(summary["redemption_rate"], lang), border=True,
                    help=t("measures.redemption_rate_help"))
    cards[4].metric(t("measures.breakage_rate"), i18n.fmt_percent(summary["breakage_rate"], lang), border=True,
                    help=t("measures.breakage_rate_help"))
    cards[5].metric(t("measures.liability"), i18n.fmt_money(summary["open_liability"], lang), border=True,
                    help=t("measures.liability_help", points=i18n.fmt_number(summary["open_points"], lang),
                           date=i18n.fmt_date(ctx.filters.end, lang)))
    trend = data.query("points_trend", **params)
    if trend.empty:
        st.info(t("measures.points_none_in_period"))
        return
    names = {c: t(f"measures.points_{c}") for c in ("issued", "redeemed", "expired", "balance")}
    chart(points_chart(trend, lang, names, t("kpi.month"), t("measures.axis_points"), t("measures.points_balance")),
          key="measures_points_chart")
    explain(ctx, "measures.points_explain")
