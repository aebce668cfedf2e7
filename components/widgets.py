"""Small widgets and table formatting shared by the pages (translated options, column formats)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.context import PageContext


def choice(ctx: PageContext, label_key: str, options, key: str, text_prefix: str, container=st):
    """A required segmented control whose options are translated with `<text_prefix><option>`."""
    return container.segmented_control(ctx.t(label_key), options, default=options[0], required=True, key=key,
                                       format_func=lambda option: ctx.t(f"{text_prefix}{option}")) or options[0]


def headers(ctx: PageContext, columns, *, area: str) -> dict[str, str]:
    """Translated table headers: column -> `<area>.col.<column>`."""
    return {column: ctx.t(f"{area}.col.{column}") for column in columns}


def column_formats(ctx: PageContext, *, area: str, money=(), percent=(), counts=(), decimals=(), one_decimal=(),
                   dates=()) -> dict:
    """column_config keyed by translated headers. Numbers use the reader's browser locale for separators
    (st.dataframe offers no per-app locale); money in €, shares in %, decimals with two places, one_decimal
    (days, NPS points) with one, dates in the language's format. Pages bind `area` with functools.partial."""
    config: dict = {}

    def label(column: str) -> str:
        return ctx.t(f"{area}.col.{column}")

    for column in money:
        config[label(column)] = st.column_config.NumberColumn(format="euro", step=0.01)
    for column in percent:
        # step rounds to 0.1 %; without it the preset cuts digits off (14.96 % would show as 14.9 %)
        config[label(column)] = st.column_config.NumberColumn(format="percent", step=0.001)
    for column in counts:
        config[label(column)] = st.column_config.NumberColumn(format="localized")
    for column in decimals:
        config[label(column)] = st.column_config.NumberColumn(format="%.2f")
    for column in one_decimal:
        config[label(column)] = st.column_config.NumberColumn(format="%.1f")
    for column in dates:
        config[label(column)] = st.column_config.DateColumn(format="DD.MM.YYYY" if ctx.lang == "de" else "YYYY-MM-DD")
    return config


def as_dates(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    out = df.copy()
    for column in columns:
        out[column] = pd.to_datetime(out[column]).dt.date
    return out


def keep_valid(key: str, options: list) -> None:
    """Drop a widget's remembered choice that the current data no longer offers (other period or filter)."""
    remembered = st.session_state.get(key)
    if isinstance(remembered, list):
        st.session_state[key] = [value for value in remembered if value in options]
    elif remembered is not None and remembered not in options:
        del st.session_state[key]
