"""Small Streamlit pieces every page uses: header, guards that stop with a helpful message, charts
and tables with downloads."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.context import PageContext
from loyalty import i18n

PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def page_header(ctx: PageContext, area: str) -> None:
    """Title `<area>.title` and the one-sentence intro `<area>.intro`."""
    st.title(ctx.t(f"{area}.title"))
    st.caption(ctx.t(f"{area}.intro"))


def require_transactions(ctx: PageContext) -> None:
    if ctx.filters is None:
        st.info(ctx.t("app.missing_table", table="transactions"))
        st.stop()


def require_table(ctx: PageContext, table: str) -> None:
    if not ctx.snapshot.has(table):
        st.info(ctx.t("app.missing_table", table=table))
        st.stop()


def stop_if_empty(df: pd.DataFrame | None, ctx: PageContext, message_key: str = "app.no_data_period") -> None:
    if df is None or df.empty:
        st.info(ctx.t(message_key))
        st.stop()


def explain(ctx: PageContext, key: str, **values) -> None:
    """One sentence under a chart saying what the metric is."""
    st.caption(ctx.t(key, **values))


def chart(fig: go.Figure, key: str | None = None, **kwargs):
    return st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key, **kwargs)


def safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "table"


def table(df: pd.DataFrame, ctx: PageContext, name: str, labels: dict[str, str] | None = None,
          column_config: dict | None = None, height: int | None = None, key: str | None = None,
          max_rows: int | None = None) -> None:
    """A table with downloads. `labels` maps column names to translated headers. With `max_rows`, a longer
    table shows its first rows (sending 100,000 rows to the browser takes seconds on every rerun); the
    downloads always hold all rows."""
    from components.downloads import download_buttons  # one place decides the formats

    shown = df.rename(columns=labels or {})
    st.dataframe(shown if max_rows is None else shown.head(max_rows), width="stretch", hide_index=True,
                 column_config=column_config, height=height or "auto", key=key)
    if max_rows is not None and len(shown) > max_rows:
        st.caption(ctx.t("app.rows_truncated", shown=i18n.fmt_number(max_rows, ctx.lang),
                         total=i18n.fmt_number(len(shown), ctx.lang)))
    download_buttons(shown, ctx, safe_filename(name), key=key or name)
