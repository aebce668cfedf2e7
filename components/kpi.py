"""KPI cards: value, change against the comparison period, formatted for the language."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components.context import PageContext
from loyalty import i18n


@dataclass(frozen=True)
class KpiSpec:
    name: str  # column in the KPI frame and key kpi.<name>
    kind: str  # count | money | percent | ratio
    decimals: int = 0


COCKPIT_KPIS = (
    KpiSpec("customers", "count"),
    KpiSpec("orders", "count"),
    KpiSpec("revenue", "money"),
    KpiSpec("avg_order_value", "money", 2),
    KpiSpec("repeat_purchase_rate", "percent", 1),
    KpiSpec("orders_per_customer", "ratio", 2),
)
LABEL_KEYS = {"customers": "kpi.active_customers"}


def format_value(value, spec: KpiSpec, lang: str) -> str:
    if spec.kind == "money":
        return i18n.fmt_money(value, lang, spec.decimals)
    if spec.kind == "percent":
        return i18n.fmt_percent(value, lang, spec.decimals)
    return i18n.fmt_number(value, lang, spec.decimals)


def format_delta(current, previous, spec: KpiSpec, lang: str) -> str | None:
    if previous is None or pd.isna(previous) or current is None or pd.isna(current):
        return None
    if spec.kind == "percent":
        difference = round((current - previous) * 100, 1) / 100  # "-0,0 Pp." in red would mislead
        return i18n.fmt_points(difference, lang) if difference else None
    if previous == 0:
        return None
    change = round((current - previous) / abs(previous), 3)
    if change == 0:
        return None
    sign = "+" if change > 0 else ""
    return f"{sign}{i18n.fmt_percent(change, lang, 1)}"


def kpi_cards(ctx: PageContext, current: pd.Series, previous: pd.Series | None, specs=COCKPIT_KPIS,
              per_row: int = 3) -> None:
    columns = []
    for _ in range(0, len(specs), per_row):  # rows of three keep large numbers readable
        columns += st.columns(per_row)
    for column, spec in zip(columns, specs):
        value = current.get(spec.name)
        prev = previous.get(spec.name) if previous is not None else None
        delta = format_delta(value, prev, spec, ctx.lang)
        column.metric(
            ctx.t(LABEL_KEYS.get(spec.name, f"kpi.{spec.name}")),
            format_value(value, spec, ctx.lang),
            delta=delta,
            help=ctx.t("cockpit.delta_help", value=format_value(prev, spec, ctx.lang)) if previous is not None else None,
            border=True,
        )
