"""Measures page, tab Register & targets: the register of measures and the targets, each editable by
analysts (st.data_editor; saving replaces the whole table through the workspace, so it is atomic,
logged and checked by the data contract), and the targets' status with traffic lights and the trend of
running targets.

Validation and conversion of the edited rows: components/measures_validation.py (pure, tested).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import data
from components.context import PageContext
from components.measures_charts import target_trend_chart
from components.measures_common import instrument_label, number_columns
from components.measures_validation import one_sentence, to_arrow, validate_measures, validate_targets
from components.targets import (
    PERCENT_KPIS,
    format_kpi_value,
    load_overview,
    project,
    targets_table,
    tolerance_input,
)
from components.ui import chart, explain, table
from loyalty import i18n
from loyalty.contract import INSTRUMENTS, KPIS, TABLES, ContractError
from loyalty.store import StoreError

MEASURE_COLUMNS = TABLES["measures"].column_names
TARGET_COLUMNS = TABLES["targets"].column_names
ACTIONS = {"measures": "edit_measures", "targets": "edit_targets"}


def can_edit(ctx: PageContext, table_name: str = "measures") -> bool:
    """May the current user change the measures / targets? (analysts and admins; components/auth.py)"""
    from components import auth

    return auth.allowed(ACTIONS[table_name])


# ----------------------------------------------------------------------------- Streamlit
def render_register(ctx: PageContext) -> None:
    _measures_section(ctx)
    st.divider()
    _targets_section(ctx)


def _segments() -> list[str]:
    options = data.query("filter_options")
    return sorted(options.loc[options["dimension"] == "segments", "value"].tolist())


def _measures_section(ctx: PageContext) -> None:
    t, lang = ctx.t, ctx.lang
    st.subheader(t("measures.register_title"))
    register = data.query("measure_register")
    if register.empty:
        st.info(t("measures.no_measures"))
    else:
        shown = register.assign(instrument=register["instrument"].map(lambda i: instrument_label(ctx, i)),
                                target_segment=register["target_segment"].fillna("–"),
                                start_date=register["start_date"].map(lambda d: i18n.fmt_date(d, lang)),
                                end_date=[i18n.fmt_date(d, lang) if pd.notna(d) else t("measures.ongoing")
                                          for d in register["end_date"]],
                                cost=register["cost"].round(0))
        labels = {c: t(f"measures.register.{c}") for c in shown.columns}
        config = number_columns(labels, ("fixed_cost", "cost_per_participant", "participants", "control", "cost"))
        table(shown, ctx, "measures_register", labels, column_config=config, key="measures_register_table")
        explain(ctx, "measures.register_explain")
    if not can_edit(ctx, "measures"):
        return
    with st.expander(t("measures.edit_measures"), icon=":material/edit:"):
        editable = register[MEASURE_COLUMNS] if not register.empty else pd.DataFrame(columns=MEASURE_COLUMNS)
        editable = editable.astype({"start_date": "datetime64[s]", "end_date": "datetime64[s]"})
        edited = st.data_editor(
            editable, num_rows="dynamic", hide_index=True, width="stretch", placeholder="–",
            key=f"measures_editor_{data.workspace().version}",
            column_config={
                "measure_id": st.column_config.TextColumn(t("measures.field.measure_id"), required=True),
                "name": st.column_config.TextColumn(t("measures.field.name"), required=True),
                "instrument": st.column_config.SelectboxColumn(
                    t("measures.field.instrument"), options=list(INSTRUMENTS), required=True,
                    format_func=lambda i: instrument_label(ctx, i)),
                "start_date": st.column_config.DateColumn(t("measures.field.start_date"), required=True,
                                                          format="DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD"),
                "end_date": st.column_config.DateColumn(t("measures.field.end_date"),
                                                        format="DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD"),
                "target_segment": st.column_config.SelectboxColumn(t("measures.field.target_segment"),
                                                                   options=_segments()),
                "fixed_cost": st.column_config.NumberColumn(t("measures.field.fixed_cost"), min_value=0.0,
                                                            format="localized"),
                "cost_per_participant": st.column_config.NumberColumn(t("measures.field.cost_per_participant"),
                                                                      min_value=0.0, format="localized"),
            },
        )
        st.caption(t("measures.edit_explain"))
        if st.button(t("measures.save_measures"), type="primary", key="measures_save"):
            _save(ctx, "measures", edited, validate_measures)


def _save(ctx: PageContext, table_name: str, edited: pd.DataFrame, validate) -> None:
    """Validate, then replace the whole table through the permission-checked workspace (atomic, logged)."""
    from components import auth

    errors = validate(edited, ctx.t)
    if errors:
        st.error(one_sentence(errors, ctx.t))
        return
    try:
        auth.workspace().write(table_name, to_arrow(edited, table_name), action=ACTIONS[table_name], mode="replace",
                               source="app editor")
    except (ContractError, StoreError, ValueError, PermissionError) as exc:
        st.error(ctx.t("measures.not_saved", problems=str(exc)))
        return
    st.toast(ctx.t("measures.saved", rows=len(edited)), icon=":material/check:")
    st.rerun()


def _targets_section(ctx: PageContext) -> None:
    t, lang = ctx.t, ctx.lang
    st.subheader(t("targets.title"))
    if ctx.snapshot.has("targets"):
        tolerance = tolerance_input(ctx, "measures_targets_tolerance")
        overview, as_of = load_overview(tolerance)
        if overview.empty:
            st.info(t("targets.none_started"))
        else:
            targets_table(overview, ctx, "targets_status", key="measures_targets_table")
            st.caption(t("targets.caption", tolerance=i18n.fmt_percent(tolerance, lang, 0),
                         as_of=i18n.fmt_date(as_of, lang)))
            _running_trend(ctx, overview, as_of)
    else:
        st.info(t("targets.none_defined"))
    if can_edit(ctx, "targets"):
        _targets_editor(ctx)


def _running_trend(ctx: PageContext, overview: pd.DataFrame, as_of: date) -> None:
    running = overview[overview["state"] == "running"]
    if running.empty:
        return
    t, lang = ctx.t, ctx.lang
    st.markdown(f"**{t('targets.trend_title')}**")
    labels = {r.target_id: f"{t(f'kpi.{r.kpi}')} · {r.segment if isinstance(r.segment, str) else t('targets.all_customers')}"
              f" · {i18n.fmt_date(r.period_start, lang)} – {i18n.fmt_date(r.period_end, lang)}"
              for r in running.itertuples()}
    chosen = st.selectbox(t("targets.trend_select"), list(labels), format_func=labels.get, key="targets_trend_target")
    progress = data.query("targets_progress", as_of=as_of, containing=None)
    progress = progress[progress["target_id"] == chosen]
    row = running[running["target_id"] == chosen].iloc[0]
    projection = project(progress)
    value = projection.iloc[0] if not projection.empty else None
    tick = ".1%" if row["kpi"] in PERCENT_KPIS else ",.2f" if row["kpi"] in ("csat", "orders_per_customer",
                                                                           "avg_order_value") else ",.0f"
    names = {"actual": t("targets.col_actual"), "projection": t("targets.col_projection"),
             "target": t("targets.col_target")}
    chart(target_trend_chart(progress, value, row["target"], lang, t("targets.axis_date"), t(f"kpi.{row['kpi']}"),
                             names, tick), key="targets_trend_chart")
    explain(ctx, "targets.trend_explain", projection=format_kpi_value(value, row["kpi"], lang),
            target=format_kpi_value(row["target"], row["kpi"], lang))


def _targets_editor(ctx: PageContext) -> None:
    t, lang = ctx.t, ctx.lang
    with st.expander(t("targets.edit"), icon=":material/edit:"):
        current = data.query("targets_table").astype({"period_start": "datetime64[s]", "period_end": "datetime64[s]"})
        date_format = "DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD"
        edited = st.data_editor(
            current, num_rows="dynamic", hide_index=True, width="stretch", placeholder="–",
            key=f"targets_editor_{data.workspace().version}",
            column_config={
                "kpi": st.column_config.SelectboxColumn(t("targets.field.kpi"), options=list(KPIS), required=True,
                                                        format_func=lambda k: t(f"kpi.{k}")),
                "period_start": st.column_config.DateColumn(t("targets.field.period_start"), required=True,
                                                            format=date_format),
                "period_end": st.column_config.DateColumn(t("targets.field.period_end"), required=True,
                                                          format=date_format),
                "segment": st.column_config.SelectboxColumn(t("targets.field.segment"), options=_segments(),
                                                            help=t("targets.segment_help")),
                "target": st.column_config.NumberColumn(t("targets.field.target"), required=True, format="localized",
                                                        help=t("targets.target_help")),
            },
        )
        if st.button(t("targets.save"), type="primary", key="targets_save"):
            _save(ctx, "targets", edited, validate_targets)
