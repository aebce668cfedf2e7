"""The management report: cockpit KPIs against targets and comparison period, the main chart of each
area with one generated sentence of interpretation, as one self-contained HTML file or a PDF.

`build_report(con, snapshot, filters, lang)` computes it; `render_html(report)` and
`write_pdf(html, path)` turn it into files. Used by the app's report page and `python -m loyalty report`.
"""

from loyalty.report.build import build_report
from loyalty.report.model import KpiLine, Report, Section
from loyalty.report.render import render_html, write_pdf

__all__ = ["build_report", "render_html", "write_pdf", "Report", "Section", "KpiLine"]
