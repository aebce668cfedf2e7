"""Compute the report's content from the workspace (DuckDB connection) for one filter state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import duckdb
import pandas as pd

from loyalty import i18n, queries
from loyalty.filters import Filters
from loyalty.report.model import KpiLine, Report, Section
from loyalty.report.sections import AREA_SECTIONS
from loyalty.store import Snapshot

KPI_FORMATS = (  # (kpi column, label key, kind, decimals)
    ("customers", "kpi.active_customers", "count", 0),
    ("orders", "kpi.orders", "count", 0),
    ("revenue", "kpi.revenue", "money", 0),
    ("avg_order_value", "kpi.avg_order_value", "money", 2),
    ("repeat_purchase_rate", "kpi.repeat_purchase_rate", "percent", 1),
    ("orders_per_customer", "kpi.orders_per_customer", "ratio", 2),
)
TARGET_KPI = {"customers": "active_customers"}  # KPI frame column -> targets.kpi name


def fmt(value, kind: str, lang: str, decimals: int) -> str:
    if kind == "money":
        return i18n.fmt_money(value, lang, decimals)
    if kind == "percent":
        return i18n.fmt_percent(value, lang, decimals)
    return i18n.fmt_number(value, lang, decimals)


def fmt_change(current, previous, kind: str, lang: str) -> str:
    if previous is None or pd.isna(previous) or pd.isna(current):
        return "–"
    if kind == "percent":
        return i18n.fmt_points(current - previous, lang)
    if previous == 0:
        return "–"
    change = (current - previous) / abs(previous)
    return ("+" if change > 0 else "") + i18n.fmt_percent(change, lang, 1)


def target_status(actual, target, tolerance: float = 0.05) -> str:
    """green >= target, amber within `tolerance` below it, red otherwise."""
    if target is None or pd.isna(target) or actual is None or pd.isna(actual):
        return ""
    if actual >= target:
        return "green"
    return "amber" if actual >= target * (1 - tolerance) else "red"


def _target_for(con, kpi: str, filters: Filters) -> float | None:
    """A target whose period equals the report period (and the single selected segment, if any)."""
    segment = filters.segments[0] if len(filters.segments) == 1 else None
    row = queries.run(con, "report_target", kpi=kpi, start=filters.start, end=filters.end, segment=segment)
    return None if row.empty else float(row["target"].iloc[0])


def kpi_lines(con, filters: Filters, lang: str) -> list[KpiLine]:
    current = queries.run(con, "kpis", **filters.params()).iloc[0]
    compared = filters.compared()
    previous = queries.run(con, "kpis", **compared.params()).iloc[0] if compared else None
    lines = []
    for column, label_key, kind, decimals in KPI_FORMATS:
        value = current[column]
        prev = previous[column] if previous is not None else None
        target = _target_for(con, TARGET_KPI.get(column, column), filters)
        lines.append(KpiLine(
            kpi=column, label=i18n.t(label_key, lang), value=fmt(value, kind, lang, decimals),
            previous=fmt(prev, kind, lang, decimals) if previous is not None else "–",
            change=fmt_change(value, prev, kind, lang),
            target=fmt(target, kind, lang, decimals) if target is not None else "–",
            status=target_status(value, target),
        ))
    return lines


def trend_section(con, snapshot: Snapshot, filters: Filters, lang: str) -> Section:
    from components.charts import trend_chart  # pure Plotly builder shared with the cockpit page

    trend = queries.run(con, "kpi_trend", grain="month", **filters.params())
    title = i18n.t("cockpit.trend_title", lang)
    if trend.empty:
        return Section("cockpit", title, i18n.t("report.no_orders", lang))
    best = trend.loc[trend["revenue"].idxmax()]
    sentence = i18n.t(
        "report.trend_sentence", lang,
        total=i18n.fmt_money(trend["revenue"].sum(), lang), months=len(trend),
        best_month=i18n.fmt_date(best["period"], lang)[3:] if lang == "de" else str(best["period"])[:7],
        best=i18n.fmt_money(best["revenue"], lang),
    )
    return Section("cockpit", title, sentence, trend_chart(trend, lang))


SectionBuilder = Callable[[duckdb.DuckDBPyConnection, Snapshot, Filters, str], Section]
SECTION_BUILDERS: list[SectionBuilder] = [trend_section, *AREA_SECTIONS]


def describe_filters(filters: Filters, lang: str) -> str:
    parts = []
    for key, values in (("filters.segment", filters.segments), ("filters.region", filters.regions),
                        ("filters.channel", filters.channels), ("filters.store", filters.stores)):
        if values:
            parts.append(f"{i18n.t(key, lang)}: {', '.join(values)}")
    return "; ".join(parts) or i18n.t("report.all_customers", lang)


def build_report(con, snapshot: Snapshot, filters: Filters, lang: str = "de") -> Report:
    sections = []
    for builder in SECTION_BUILDERS:
        try:
            sections.append(builder(con, snapshot, filters, lang))
        except Exception as exc:  # noqa: BLE001 - one failing area must not cost the whole report
            sections.append(Section(getattr(builder, "__name__", "section"), builder.__name__,
                                    i18n.t("report.section_failed", lang, message=str(exc))))
    return Report(
        title=i18n.t("report.title", lang),
        lang=lang,
        start=filters.start,
        end=filters.end,
        comparison=filters.comparison,
        filters_text=describe_filters(filters, lang),
        kpis=kpi_lines(con, filters, lang),
        sections=sections,
        demo=snapshot.demo,
        generated_at=datetime.now().strftime("%d.%m.%Y %H:%M" if lang == "de" else "%Y-%m-%d %H:%M"),
    )
