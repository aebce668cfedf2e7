"""Download buttons for every table: CSV, CSV for German Excel, and .xlsx with translated headers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.context import PageContext
from loyalty.export import to_csv, to_xlsx

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(df: pd.DataFrame, ctx: PageContext, filename: str, key: str) -> None:
    with st.popover(ctx.t("downloads.button"), icon=":material/download:"):
        # every file is built on click (a callable runs only then), not on each rerun: for a list of 100,000
        # customers a CSV takes about half a second and an .xlsx several seconds
        st.download_button(ctx.t("downloads.csv"), lambda: to_csv(df), file_name=f"{filename}.csv", mime="text/csv",
                           key=f"dl_csv_{key}", on_click="ignore", width="stretch")
        st.download_button(ctx.t("downloads.csv_de"), lambda: to_csv(df, german_excel=True),
                           file_name=f"{filename}_excel.csv", mime="text/csv", key=f"dl_csvde_{key}",
                           on_click="ignore", width="stretch", help=ctx.t("downloads.csv_de_help"))
        st.download_button(ctx.t("downloads.xlsx"), lambda: to_xlsx(df, sheet_name=filename), file_name=f"{filename}.xlsx",
                           mime=XLSX_MIME, key=f"dl_xlsx_{key}", on_click="ignore", width="stretch")
