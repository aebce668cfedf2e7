"""Download buttons for tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.context import PageContext


def download_buttons(df: pd.DataFrame, ctx: PageContext, filename: str, key: str) -> None:
    st.download_button(
        ctx.t("app.download_csv"),
        df.to_csv(index=False).encode("utf-8"),
        file_name=f"{filename}.csv",
        mime="text/csv",
        key=f"dl_csv_{key}",
        on_click="ignore",
    )
