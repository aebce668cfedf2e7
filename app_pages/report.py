"""Management report: build it for the current filters and language, download as HTML or PDF."""

import streamlit as st

from components import data
from components.context import get_context
from components.ui import page_header, require_transactions
from loyalty.report import build_report, render_html, write_pdf

ctx = get_context()
page_header(ctx, "report")
require_transactions(ctx)

if st.button(ctx.t("report.create"), type="primary", icon=":material/description:"):
    with st.spinner(ctx.t("report.building")):
        snapshot, con = data.database_snapshot()
        html_text = render_html(build_report(con, snapshot, ctx.filters, ctx.lang))
        st.session_state["report_html"] = html_text
        st.session_state["report_pdf"] = None
        try:
            import tempfile
            from pathlib import Path

            with tempfile.TemporaryDirectory() as tmp:
                st.session_state["report_pdf"] = write_pdf(html_text, Path(tmp) / "report.pdf").read_bytes()
        except (RuntimeError, OSError) as exc:
            st.warning(ctx.t("report.pdf_unavailable", message=str(exc)))

if st.session_state.get("report_html"):
    st.success(ctx.t("report.ready"))
    name = f"loyalty-report-{ctx.filters.start}-{ctx.filters.end}-{ctx.lang}"
    left, right = st.columns(2)
    left.download_button(ctx.t("report.download_html"), st.session_state["report_html"].encode("utf-8"),
                         file_name=f"{name}.html", mime="text/html", on_click="ignore", width="stretch")
    if st.session_state.get("report_pdf"):
        right.download_button(ctx.t("report.download_pdf"), st.session_state["report_pdf"], file_name=f"{name}.pdf",
                              mime="application/pdf", on_click="ignore", width="stretch")
    st.components.v1.html(st.session_state["report_html"], height=900, scrolling=True)
