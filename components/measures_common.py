"""Shared pieces of the measures page: the evaluation settings row (measure, follow-up, margin rate),
the cached query results with their uplift statistics, and labels/number formats per KPI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from components import data
from components.context import PageContext
from loyalty import i18n, uplift

KPI_UNITS = {"repeat_purchase_rate": "share", "orders_per_customer": "orders", "revenue_per_customer": "money",
             "margin_per_customer": "money"}
TICKFORMATS = {"repeat_purchase_rate": ".0%", "orders_per_customer": ",.2f", "revenue_per_customer": ",.0f",
               "margin_per_customer": ",.0f"}


@dataclass(frozen=True)
class Evaluation:
    """What the user chose above the tabs, plus the register and the data's last day."""

    follow_up_days: int
    margin_rate: float
    margin_share: float  # share of orders whose margin comes from the data
    measure_id: str | None
    register: pd.DataFrame
    data_end: date

    @property
    def params(self) -> dict:
        return {"follow_up_days": self.follow_up_days, "margin_rate": self.margin_rate,
                "min_matches": uplift.MIN_STRATUM_MATCHES, "class_a_share": uplift.ABC_BOUNDS[0],
                "class_b_share": uplift.ABC_BOUNDS[1]}

    @property
    def measure(self) -> pd.Series | None:
        if self.measure_id is None:
            return None
        found = self.register[self.register["measure_id"] == self.measure_id]
        return found.iloc[0] if not found.empty else None

    def window(self, measure: pd.Series) -> tuple[date, date, date]:
        """(start, measure end, window end) of a measure: end = end_date or the last data day; window end
        = end + follow-up, cut at the last data day."""
        start = pd.Timestamp(measure["start_date"]).date()
        end = min(pd.Timestamp(measure["end_date"]).date() if pd.notna(measure["end_date"]) else self.data_end,
                  self.data_end)
        return start, end, min(end + timedelta(days=self.follow_up_days), self.data_end)


def measure_label(row) -> str:
    return f"{row['name']} ({row['measure_id']})"


def evaluation_settings(ctx: PageContext) -> Evaluation:
    """The row above the tabs: which measure, how many follow-up days, which margin rate."""
    register = data.query("measure_register")
    data_end = pd.Timestamp(data.query("data_range").iloc[0]["last_date"]).date()
    coverage = data.query("measure_margin_coverage").iloc[0]
    margin_share = float(coverage["share_with_margin"]) if pd.notna(coverage["share_with_margin"]) else 0.0
    left, middle, right = st.columns([2, 1, 1])
    measure_id = None
    if not register.empty:
        labels = {r["measure_id"]: measure_label(r) for _, r in register.iterrows()}
        measure_id = left.selectbox(ctx.t("measures.measure"), list(labels), format_func=labels.get,
                                    key="measures_measure", help=ctx.t("measures.measure_help"))
    follow_up = middle.slider(ctx.t("measures.follow_up"), 0, 365, uplift.DEFAULT_FOLLOW_UP_DAYS, step=15,
                              key="measures_follow_up", help=ctx.t("measures.follow_up_help"))
    margin_rate = uplift.DEFAULT_MARGIN_RATE
    if margin_share < 1:
        percent = right.slider(ctx.t("measures.margin_rate"), 0, 100, int(uplift.DEFAULT_MARGIN_RATE * 100),
                               format="%d %%", key="measures_margin_rate", help=ctx.t("measures.margin_rate_help"))
        margin_rate = percent / 100
        right.caption(ctx.t("measures.margin_rate_used", share=i18n.fmt_percent(1 - margin_share, ctx.lang, 0)))
    else:
        right.caption(ctx.t("measures.margin_from_data"))
    return Evaluation(follow_up, margin_rate, margin_share, measure_id, register, data_end)


def group_stats(ev: Evaluation) -> pd.DataFrame:
    return data.query("measure_group_stats", **ev.params)


def uplifts(ev: Evaluation) -> pd.DataFrame:
    return uplift.uplift_table(group_stats(ev))


def portfolio(ev: Evaluation) -> pd.DataFrame:
    """All measures' portfolio rows (uplift.portfolio_table). Shared and read-only: callers build new frames."""
    return _portfolio(ev, with_prepost=True)


def measure_economics(ev: Evaluation) -> pd.Series:
    """The selected measure's row of the portfolio (uplift.portfolio_table), querying the pre/post strata only
    for a measure without a control group. Each measure's row is computed on its own, so the row is the same
    as in portfolio(ev)."""
    window = uplift.window_rows(group_stats(ev))
    controlled = ((window["measure_id"] == ev.measure_id) & (window["assigned_group"] == "control")
                  & (window["n"] > 0)).any()
    table = _portfolio(ev, with_prepost=not controlled)
    return table[table["measure_id"] == ev.measure_id].iloc[0]


def _portfolio(ev: Evaluation, with_prepost: bool) -> pd.DataFrame:
    # the statistics take ~0.1 s of pandas at 10 M rows: computed once per workspace version and settings,
    # not on every rerun (the Effect tab needs its row twice)
    return data.cached(_portfolio_table, tuple(sorted(ev.params.items())), bool(with_prepost))


def _portfolio_table(params: tuple, with_prepost: bool) -> pd.DataFrame:
    values = dict(params)
    strata = data.query("measure_prepost", **values) if with_prepost else pd.DataFrame()
    return uplift.portfolio_table(data.query("measure_register"), data.query("measure_group_stats", **values),
                                  strata)


def kpi_label(ctx: PageContext, kpi: str) -> str:
    return ctx.t(f"measures.kpi.{kpi}")


def kpi_unit(ctx: PageContext, kpi: str) -> str:
    return ctx.t(f"measures.unit.{KPI_UNITS.get(kpi, 'share')}")


def instrument_label(ctx: PageContext, instrument: str) -> str:
    label = ctx.t(f"measures.instrument.{instrument}")
    return instrument if label.startswith("measures.instrument.") else label


def fmt_value(value, kpi: str, lang: str) -> str:
    """A level of an outcome KPI (a share, orders or euros per customer)."""
    if KPI_UNITS.get(kpi) == "share":
        return i18n.fmt_percent(value, lang, 1)
    if KPI_UNITS.get(kpi) == "money":
        return i18n.fmt_money(value, lang, 2)
    return i18n.fmt_number(value, lang, 2)


def fmt_diff(value, kpi: str, lang: str) -> str:
    """A difference of an outcome KPI, with sign (percentage points for shares)."""
    if KPI_UNITS.get(kpi) == "share":
        return i18n.fmt_points(value, lang)
    text = fmt_value(value, kpi, lang)
    return f"+{text}" if value is not None and pd.notna(value) and value > 0 else text


def fmt_interval(low, high, kpi: str, lang: str) -> str:
    if low is None or pd.isna(low) or pd.isna(high):
        return "–"
    return f"{fmt_diff(low, kpi, lang)} … {fmt_diff(high, kpi, lang)}"


def verdict(ctx: PageContext, low, high) -> str:
    """'proven up', 'proven down' or 'not proven' from a 95 % interval."""
    if low is None or pd.isna(low) or pd.isna(high):
        return ctx.t("measures.verdict_unknown")
    if low > 0:
        return ctx.t("measures.verdict_up")
    if high < 0:
        return ctx.t("measures.verdict_down")
    return ctx.t("measures.verdict_none")


def number_columns(labels: dict[str, str], columns) -> dict:
    """column_config showing the numeric `columns` with the browser's thousands and decimal separators (the
    unit is in the translated header; the values stay numbers for sorting and downloads)."""
    return {labels[c]: st.column_config.NumberColumn(format="localized") for c in columns if c in labels}


def require_measures(ctx: PageContext, ev: Evaluation) -> bool:
    """True when there is a measure to show; otherwise says what to do."""
    if ev.register.empty:
        st.info(ctx.t("measures.no_measures"))
        return False
    if not ctx.snapshot.has("measure_participants"):
        st.info(ctx.t("app.missing_table", table="measure_participants"))
        return False
    return ev.measure is not None
